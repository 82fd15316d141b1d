package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntryPathTest {
    @Test
    void cleanNames() {
        assertEquals(List.of("a", "b"), EntryPath.components("./a//b/"));
        assertEquals(List.of(), EntryPath.components("./"));
        assertEquals("bin/sh", EntryPath.clean("bin/./sh"));
    }

    @Test
    void climbingAbsoluteAndNulNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> EntryPath.components("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> EntryPath.components("a/../../b"));
        assertThrows(IllegalArgumentException.class, () -> EntryPath.components("a/.."));
        assertThrows(IllegalArgumentException.class, () -> EntryPath.components("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> EntryPath.components("a\0b"));
    }
}
