package dev.enviro.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Unix socket pairs and message I/O on them. */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 02000000, MSG_NOSIGNAL = 0x4000;

    private static final class socketpair {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle HANDLE = Native.downcall("socketpair", DESC);
    }

    private static final class send {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("send", DESC);
    }

    private static final class sendmsg {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("sendmsg", DESC);
    }

    private static final class recv {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle HANDLE = Native.downcall("recv", DESC);
    }

    /** An AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec: message boundaries are kept, nothing leaks into exec'd programs. */
    public static Fd[] seqpacketPair() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment sv = arena.allocate(JAVA_INT, 2);
            int rc = (int) socketpair.HANDLE.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
            if (rc < 0) throw new SyscallException("socketpair", Native.errno(state));
            return new Fd[] {new Fd(sv.getAtIndex(JAVA_INT, 0)), new Fd(sv.getAtIndex(JAVA_INT, 1))};
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** Sends one message; a peer that is gone is EPIPE, never SIGPIPE. */
    public static int send(Fd fd, MemorySegment message) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long n = (long) send.HANDLE.invokeExact(state, fd.value(), message, message.byteSize(), MSG_NOSIGNAL);
            if (n < 0) throw new SyscallException("send", Native.errno(state));
            return (int) n;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1;

    /**
     * Sends one message with {@code passed} attached (SCM_RIGHTS): the peer gets its own descriptor of
     * the same open file. x86-64 layouts: msghdr 56 bytes, iovec 16, a cmsghdr of one int 24 (CMSG_SPACE).
     */
    public static int sendWithFd(Fd fd, MemorySegment message, Fd passed) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, message);
            iov.set(JAVA_LONG, 8, message.byteSize());
            MemorySegment control = arena.allocate(24, 8);
            control.set(JAVA_LONG, 0, 20); // CMSG_LEN(sizeof(int))
            control.set(JAVA_INT, 8, SOL_SOCKET);
            control.set(JAVA_INT, 12, SCM_RIGHTS);
            control.set(JAVA_INT, 16, passed.value());
            MemorySegment msg = arena.allocate(56, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, 24);
            long n = (long) sendmsg.HANDLE.invokeExact(state, fd.value(), msg, MSG_NOSIGNAL);
            if (n < 0) throw new SyscallException("sendmsg", Native.errno(state));
            return (int) n;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }

    /** Receives one message (blocking); 0 when the peer has closed. */
    public static int recv(Fd fd, MemorySegment buffer) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.captureState(arena);
            long n = (long) recv.HANDLE.invokeExact(state, fd.value(), buffer, buffer.byteSize(), 0);
            if (n < 0) throw new SyscallException("recv", Native.errno(state));
            return (int) n;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.linkError(t);
        }
    }
}
