package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotterChoiceTest {
    @TempDir Path dir;

    @Test
    void overlayWhenTheKernelListsItCopyOtherwiseAndTheOverrideWins() throws Exception {
        Path with = Files.writeString(dir.resolve("with"), "nodev\tsysfs\n\text4\nnodev\toverlay\n");
        Path without = Files.writeString(dir.resolve("without"), "nodev\tsysfs\n\text4\nnodev\toverlayish\n");
        assertEquals(SnapshotterChoice.OVERLAY, SnapshotterChoice.choose(null, with));
        assertEquals(SnapshotterChoice.COPY, SnapshotterChoice.choose(null, without));
        assertEquals(SnapshotterChoice.COPY, SnapshotterChoice.choose("", dir.resolve("missing")));
        assertEquals(SnapshotterChoice.COPY, SnapshotterChoice.choose("copy", with));
        assertEquals(SnapshotterChoice.OVERLAY, SnapshotterChoice.choose(" Overlay ", without));
        EnviroError e = assertThrows(EnviroError.class, () -> SnapshotterChoice.choose("zfs", with));
        assertTrue(e.getMessage().contains("use overlay or copy"), e.getMessage());
    }
}
