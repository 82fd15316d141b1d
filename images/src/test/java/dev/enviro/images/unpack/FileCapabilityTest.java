package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FileCapabilityTest {

    /** cap_net_bind_service+ep as `setcap` writes it: revision 2, effective, permitted bit 10. */
    static byte[] revision2(int permittedLow) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(0x02000001).putInt(permittedLow).putInt(0).putInt(0).putInt(0).array();
    }

    @Test
    void revision2BecomesRevision3ForTheContainersRoot() {
        byte[] v3 = FileCapability.forRoot(revision2(1 << 10), 100000);
        ByteBuffer b = ByteBuffer.wrap(v3).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, v3.length);
        assertEquals(0x03000001, b.getInt(0), "revision 3, the effective flag kept");
        assertEquals(1 << 10, b.getInt(4), "permitted");
        assertEquals(100000, FileCapability.rootId(v3));
    }

    @Test
    void anUnshiftedRootKeepsRevision2AndARevision3IsRetargeted() {
        assertArrayEquals(revision2(1 << 13), FileCapability.forRoot(revision2(1 << 13), 0));
        byte[] v3 = FileCapability.forRoot(revision2(1), 5000);
        assertEquals(7000, FileCapability.rootId(FileCapability.forRoot(v3, 7000)));
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FileCapability.forRoot(new byte[] {1, 2, 3}, 0));
        byte[] wrongSize = java.util.Arrays.copyOf(revision2(1), 24);
        assertThrows(IllegalArgumentException.class, () -> FileCapability.forRoot(wrongSize, 0));
        byte[] revision1 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0x01000000).putInt(1).putInt(0).array();
        assertThrows(IllegalArgumentException.class, () -> FileCapability.forRoot(revision1, 0));
    }
}
