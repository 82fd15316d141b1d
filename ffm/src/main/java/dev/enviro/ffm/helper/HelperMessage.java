package dev.enviro.ffm.helper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What the helper tells the engine on fd 3: a closed set, mirroring {@code enum msg_type} in
 * {@code protocol.h}. The engine's own messages (PLAN, MAPPED, ABORT) are written by {@link HelperChannel}.
 */
public sealed interface HelperMessage {

    int PLAN = 1, CHILD = 2, MAPPED = 3, ABORT = 4, STARTED = 5, FAILED = 6;
    int STEP_NAME_MAX = 48;

    /** The process is cloned and waits for its id maps: {@code pid} as the host sees it, and its parent. */
    record Child(int pid, int monitorPid) implements HelperMessage {}

    /** execve succeeded. */
    record Started(int pid) implements HelperMessage {}

    /** A step ({@code "pivot_root"}, {@code "execve /bin/sh"}, {@code "mount /proc"}) failed with errno. */
    record Failed(String step, int errno) implements HelperMessage {
        /** execve (or the PATH search before it) failed: the command is missing or not runnable. */
        public boolean isExec() { return step.startsWith("execve"); }
    }

    /** Decodes one received message; a malformed one is a protocol error (IllegalArgumentException). */
    static HelperMessage decode(ByteBuffer message) {
        ByteBuffer b = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 4) throw new IllegalArgumentException("helper message of " + b.remaining() + " bytes");
        int type = b.getInt();
        return switch (type) {
            case CHILD -> {
                expect(b, 8, "CHILD");
                yield new Child(b.getInt(), b.getInt());
            }
            case STARTED -> {
                expect(b, 4, "STARTED");
                yield new Started(b.getInt());
            }
            case FAILED -> {
                expect(b, 4 + STEP_NAME_MAX, "FAILED");
                int errno = b.getInt();
                byte[] step = new byte[STEP_NAME_MAX];
                b.get(step);
                int len = 0;
                while (len < step.length && step[len] != 0) len++;
                yield new Failed(new String(step, 0, len, StandardCharsets.UTF_8), errno);
            }
            default -> throw new IllegalArgumentException("unknown helper message type " + type);
        };
    }

    private static void expect(ByteBuffer b, int bytes, String type) {
        if (b.remaining() != bytes) {
            throw new IllegalArgumentException(type + " message has " + b.remaining() + " bytes of payload, expected " + bytes);
        }
    }
}
