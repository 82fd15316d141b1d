package dev.enviro.ffm.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HelperMessageTest {

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void decodesEachMessageOfTheHelper() {
        assertEquals(new HelperMessage.Child(42, 41), HelperMessage.decode(le(12).putInt(2).putInt(42).putInt(41).flip()));
        assertEquals(new HelperMessage.Started(42), HelperMessage.decode(le(8).putInt(5).putInt(42).flip()));
        ByteBuffer failed = le(4 + 4 + 48).putInt(6).putInt(2);
        failed.put("execve /bin/nope".getBytes(StandardCharsets.US_ASCII));
        HelperMessage m = HelperMessage.decode(failed.position(56).flip());
        assertEquals(new HelperMessage.Failed("execve /bin/nope", 2), m);
        assertTrue(((HelperMessage.Failed) m).isExec());
    }

    @Test
    void rejectsUnknownTypesAndWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> HelperMessage.decode(le(8).putInt(99).putInt(0).flip()));
        assertThrows(IllegalArgumentException.class, () -> HelperMessage.decode(le(8).putInt(2).putInt(1).flip()));
        assertThrows(IllegalArgumentException.class, () -> HelperMessage.decode(le(2).putShort((short) 2).flip()));
    }
}
