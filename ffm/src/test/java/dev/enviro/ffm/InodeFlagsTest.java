package dev.enviro.ffm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InodeFlagsTest {

    /** The type of the file system {@code path} is on, from the longest mount point above it. */
    static String fileSystemType(Path path) throws Exception {
        String type = "";
        int longest = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            List<String> f = List.of(line.split(" "));
            String point = f.get(1).replace("\\040", " ");
            if (path.startsWith(point) && point.length() > longest) {
                longest = point.length();
                type = f.get(2);
            }
        }
        return type;
    }

    @Test
    void aDirectoryIsMarkedAsATopDirectoryWhereTheFileSystemHasTheFlag(@TempDir Path dir) throws Exception {
        Path real = dir.toRealPath();
        boolean marked = InodeFlags.markTopDirectory(real);
        assertEquals(marked, InodeFlags.isTopDirectory(real), "what it answers is what the inode holds");
        if (fileSystemType(real).startsWith("ext")) assertTrue(marked, "ext2/3/4 have FS_TOPDIR_FL");
        assertEquals(marked, InodeFlags.markTopDirectory(real), "marking twice is harmless");
        // a subdirectory does not inherit the mark (only its placement is affected)
        Path sub = Files.createDirectory(real.resolve("layer"));
        assertFalse(InodeFlags.isTopDirectory(sub));
    }

    @Test
    void aFileSystemWithoutTheFlagAnswersFalse() throws Exception {
        Path shm = Path.of("/dev/shm");
        assertEquals("tmpfs", fileSystemType(shm), "/dev/shm is a tmpfs on Linux hosts");
        Path dir = Files.createTempDirectory(shm, "inode-flags");
        try {
            assertFalse(InodeFlags.markTopDirectory(dir));
            assertFalse(InodeFlags.isTopDirectory(dir));
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void aMissingDirectoryIsAnError(@TempDir Path dir) {
        SyscallException e = assertThrows(SyscallException.class, () -> InodeFlags.markTopDirectory(dir.resolve("none")));
        assertTrue(e.getMessage().contains("none"), e.getMessage());
    }
}
