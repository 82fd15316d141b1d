package dev.enviro.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {

    @Test
    void flagsBecomeBitsTheRestBecomesData() {
        MountOptions o = MountOptions.parse(List.of("ro", "nosuid", "lowerdir=/a:/b", "mode=755", "rbind"));
        assertEquals(MountOptions.MS_RDONLY | MountOptions.MS_NOSUID | MountOptions.MS_BIND | MountOptions.MS_REC, o.flags());
        assertEquals("lowerdir=/a:/b,mode=755", o.data());
    }

    @Test
    void laterOptionWins() {
        assertEquals(0, MountOptions.parse(List.of("ro", "rw")).flags());
        assertEquals(MountOptions.MS_RDONLY, MountOptions.parse(List.of("rw", "ro", "defaults")).flags());
    }
}
