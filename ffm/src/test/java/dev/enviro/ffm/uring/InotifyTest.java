package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InotifyTest {

    @Test
    void anAppendIsReportedAsModifyOnTheWatch(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, "");
        try (Inotify inotify = Inotify.open(); IoUring ring = IoUring.open(4); Arena arena = Arena.ofConfined()) {
            int wd = inotify.addWatch(log, Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE);
            assertEquals(wd, inotify.addWatch(log, Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE), "same inode, same watch");
            ring.preparePollAdd(inotify.fd(), IoUring.POLLIN, 1);
            ring.submit();
            Files.writeString(log, "line\n", StandardOpenOption.APPEND);
            int[] res = {Integer.MIN_VALUE};
            while (res[0] == Integer.MIN_VALUE) {
                ring.submitAndWait(1);
                ring.reap((ud, r, f) -> res[0] = r);
            }
            assertTrue((res[0] & IoUring.POLLIN) != 0);
            MemorySegment buffer = arena.allocate(4096);
            ring.prepareRead(inotify.fd(), buffer, -1, 2);
            res[0] = Integer.MIN_VALUE;
            while (res[0] == Integer.MIN_VALUE) {
                ring.submitAndWait(1);
                ring.reap((ud, r, f) -> res[0] = r);
            }
            List<Inotify.Event> events = Inotify.decode(buffer, res[0]);
            assertFalse(events.isEmpty());
            assertTrue(events.stream().allMatch(e -> e.wd() == wd && e.name().isEmpty()), events.toString());
            assertTrue(events.stream().anyMatch(e -> (e.mask() & Inotify.IN_MODIFY) != 0), events.toString());
            inotify.removeWatch(wd);
            SyscallException again = assertThrows(SyscallException.class, () -> inotify.removeWatch(wd));
            assertEquals(Errno.EINVAL, again.errno());
        }
    }

    @Test
    void watchingAMissingFileNamesIt(@TempDir Path dir) throws Exception {
        try (Inotify inotify = Inotify.open()) {
            SyscallException e = assertThrows(SyscallException.class, () -> inotify.addWatch(dir.resolve("nope"), Inotify.IN_MODIFY));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
        }
    }
}
