package dev.enviro.ffm.uring;

import dev.enviro.ffm.Fd;
import dev.enviro.ffm.SyscallException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * An inotify instance. Its fd is non-blocking: wait for readiness through the syscall queue
 * ({@code pollIn}), then read whole events into a buffer and decode them with {@link #decode}.
 */
public final class Inotify implements AutoCloseable {
    public static final int IN_MODIFY = 0x2, IN_CLOSE_WRITE = 0x8, IN_DELETE_SELF = 0x400,
            IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000;
    /** The watched file was renamed (a log rotated away under its reader). */
    public static final int IN_MOVE_SELF = 0x800;

    /** {@code sizeof(struct inotify_event)} without its name; a read buffer needs at least this plus NAME_MAX + 1. */
    public static final int EVENT_HEADER = 16;
    public static final int MIN_READ_BUFFER = EVENT_HEADER + 256;

    /** One {@code struct inotify_event}; {@code name} is empty for a watch on a file. */
    public record Event(int wd, int mask, int cookie, String name) {}

    private final Fd fd;

    private Inotify(Fd fd) { this.fd = fd; }

    public static Inotify open() throws SyscallException {
        return new Inotify(new Fd(Kernel.inotifyInit1(Kernel.O_NONBLOCK | Kernel.O_CLOEXEC)));
    }

    public int fd() { return fd.value(); }

    /** Returns the watch descriptor; watching the same inode again returns the same one with {@code mask} replacing the old. */
    public int addWatch(Path path, int mask) throws SyscallException {
        return Kernel.inotifyAddWatch(fd.value(), path.toString(), mask);
    }

    public void removeWatch(int wd) throws SyscallException {
        Kernel.inotifyRmWatch(fd.value(), wd);
    }

    /** Decodes the {@code length} bytes a read of the inotify fd returned (the kernel returns whole events only). */
    public static List<Event> decode(MemorySegment buffer, int length) {
        List<Event> events = new ArrayList<>();
        long at = 0;
        while (at + EVENT_HEADER <= length) {
            int wd = buffer.get(JAVA_INT_UNALIGNED, at);
            int mask = buffer.get(JAVA_INT_UNALIGNED, at + 4);
            int cookie = buffer.get(JAVA_INT_UNALIGNED, at + 8);
            int nameLength = buffer.get(JAVA_INT_UNALIGNED, at + 12);
            String name = "";
            if (nameLength > 0) {
                byte[] raw = buffer.asSlice(at + EVENT_HEADER, nameLength).toArray(JAVA_BYTE);
                int end = 0;
                while (end < raw.length && raw[end] != 0) end++;   // the name is NUL-padded
                name = new String(raw, 0, end, StandardCharsets.UTF_8);
            }
            events.add(new Event(wd, mask, cookie, name));
            at += EVENT_HEADER + nameLength;
        }
        return events;
    }

    @Override
    public void close() {
        fd.close();
    }
}
