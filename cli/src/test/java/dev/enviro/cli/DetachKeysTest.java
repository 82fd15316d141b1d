package dev.enviro.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class DetachKeysTest {

    static String scan(DetachKeys keys, String typed, boolean[] detached) {
        ByteArrayOutputStream send = new ByteArrayOutputStream();
        byte[] bytes = typed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        detached[0] = keys.scan(bytes, bytes.length, send);
        return send.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void ctrlPThenCtrlQDetachesAndIsNotSent() {
        boolean[] detached = new boolean[1];
        assertEquals("ls", scan(new DetachKeys(), "ls\u0010\u0011 after", detached));
        assertTrue(detached[0]);
    }

    @Test
    void aCtrlPFollowedByAnotherKeyIsSentAsTyped() {
        boolean[] detached = new boolean[1];
        assertEquals("a\u0010b\u0010\u0010c", scan(new DetachKeys(), "a\u0010b\u0010\u0010c", detached));
        assertFalse(detached[0]);
    }

    @Test
    void theSequenceIsFoundAcrossReads() {
        DetachKeys keys = new DetachKeys();
        boolean[] detached = new boolean[1];
        assertEquals("x", scan(keys, "x\u0010", detached), "a trailing Ctrl-P is held back");
        assertFalse(detached[0]);
        assertEquals("", scan(keys, "\u0011", detached));
        assertTrue(detached[0]);

        DetachKeys other = new DetachKeys();
        scan(other, "\u0010", detached);
        assertEquals("\u0010y", scan(other, "y", detached), "held back, then sent with the key after it");
        assertFalse(detached[0]);
    }
}
