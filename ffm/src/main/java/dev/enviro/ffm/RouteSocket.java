package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.enviro.ffm.netlink.RouteMessage;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code NETLINK_ROUTE} socket of this process's network namespace: sends one {@link RouteMessage}
 * at a time and reads the kernel's acknowledgement, an error in it thrown as the errno it carries.
 * What {@code ip link}/{@code ip addr} do, without a process per call. Not thread-safe: one per caller.
 */
public final class RouteSocket implements AutoCloseable {
    private static final int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    private static final short NLMSG_ERROR = 2;
    private static final AtomicInteger SEQ = new AtomicInteger(1);

    private static final class socket {
        static final MethodHandle HANDLE = Native.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class if_nametoindex {
        static final MethodHandle HANDLE = Native.downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private final Fd fd;

    private RouteSocket(Fd fd) {
        this.fd = fd;
    }

    public static RouteSocket open() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            int s = (int) socket.HANDLE.invokeExact(state, AF_NETLINK, SOCK_RAW | Sockets.SOCK_CLOEXEC, NETLINK_ROUTE);
            if (s < 0) throw new SyscallException("socket(AF_NETLINK)", Native.errno(state));
            return new RouteSocket(new Fd(s));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** Sends the request and waits for its acknowledgement; a refusal is its errno ({@code what} names the step). */
    public void request(String what, RouteMessage message) throws SyscallException {
        int seq = SEQ.getAndIncrement();
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = message.bytes(seq);
            MemorySegment out = arena.allocate(bytes.length);
            out.copyFrom(MemorySegment.ofArray(bytes));
            Sockets.send(fd, out);
            MemorySegment in = arena.allocate(8192);
            for (;;) {
                int n = Sockets.recv(fd, in);
                ByteBuffer b = in.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
                for (int start = 0; start + 16 <= n; ) {
                    int length = b.getInt(start);
                    if (length < 16 || start + length > n) throw new SyscallException(what + ": malformed netlink answer", Errno.EPROTO);
                    if (b.getShort(start + 4) == NLMSG_ERROR && b.getInt(start + 8) == seq) {
                        int error = b.getInt(start + 16);
                        if (error != 0) throw new SyscallException(what, -error);
                        return;
                    }
                    start += (length + 3) & ~3;
                }
            }
        }
    }

    /** The index of interface {@code name} in this namespace, or 0 when there is none. */
    public static int index(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            return (int) if_nametoindex.HANDLE.invokeExact(state, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
