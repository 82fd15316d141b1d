package dev.enviro.ffm.helper;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.Processes;
import dev.enviro.ffm.Sockets;
import dev.enviro.ffm.SpawnAction;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.SyscallQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The engine's end of one helper run: the helper spawned with its socket at fd 3 and /dev/null as
 * stdio (the monitor outlives the engine and must hold none of the engine's descriptors), and the
 * messages of the protocol in {@code protocol.h}.
 */
public final class HelperChannel implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 256;

    private final Fd socket;
    private final int helperPid;

    private HelperChannel(Fd socket, int helperPid) {
        this.socket = socket;
        this.helperPid = helperPid;
    }

    public static HelperChannel spawn(Path helper) throws SyscallException {
        Fd[] pair = Sockets.seqpacketPair();
        try (Fd helperEnd = pair[1]) {
            int pid = Processes.spawn(helper, List.of("enviro-helper"), List.of(), List.of(
                    new SpawnAction.Open(0, "/dev/null", Files.O_RDONLY, 0),
                    new SpawnAction.Open(1, "/dev/null", Files.O_WRONLY, 0),
                    new SpawnAction.Open(2, "/dev/null", Files.O_WRONLY, 0),
                    new SpawnAction.Dup2(helperEnd.value(), 3)));
            return new HelperChannel(pair[0], pid);
        } catch (SyscallException | RuntimeException e) {
            pair[0].close();
            throw e;
        }
    }

    /** The helper's own pid: it exits once it has forked the monitor; reap it with {@link #awaitHelperExit}. */
    public int helperPid() { return helperPid; }

    public int socketFd() { return socket.value(); }

    /** PLAN: the plan in a memfd passed with the message (protocol.h: a message alone holds ~200 KiB). */
    public void sendPlan(byte[] plan) throws SyscallException {
        try (Fd memfd = Files.memfd("enviro-plan", plan); Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(4);
            message.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, HelperMessage.PLAN);
            Sockets.sendWithFd(socket, message, memfd);
        }
    }

    public void sendMapped() throws SyscallException {
        send(HelperMessage.MAPPED, new byte[0]);
    }

    public void sendAbort() throws SyscallException {
        send(HelperMessage.ABORT, new byte[0]);
    }

    private void send(int type, byte[] payload) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(4L + payload.length);
            message.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, type);
            MemorySegment.copy(payload, 0, message, ValueLayout.JAVA_BYTE, 4, payload.length);
            int n = Sockets.send(socket, message);
            if (n != message.byteSize()) throw new SyscallException("send to enviro-helper", Errno.EMSGSIZE, "(short send)");
        }
    }

    /**
     * The next message from the helper, read through {@code queue} so that no caller thread waits.
     * Fails with {@link SyscallException} (ECONNRESET) when the helper closed the socket without a word.
     */
    public CompletionStage<HelperMessage> receive(SyscallQueue queue) {
        Arena arena = Arena.ofShared();
        MemorySegment buffer = arena.allocate(RECEIVE_BUFFER);
        CompletionStage<Integer> read;
        try {
            read = queue.read(socket.value(), buffer, -1);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        return read.thenApply(n -> {
            if (n == 0) {
                throw new CompletionException(new SyscallException("recv from enviro-helper", Errno.ECONNRESET, "(it exited without an answer)"));
            }
            ByteBuffer copy = ByteBuffer.wrap(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            return HelperMessage.decode(copy);
        }).whenComplete((m, e) -> arena.close());
    }

    /** Reaps the helper (it exits right after forking the monitor) and returns its exit code. */
    public int awaitHelperExit() throws SyscallException {
        return Processes.exitCode(Processes.waitpid(helperPid));
    }

    @Override
    public void close() {
        socket.close();
    }
}
