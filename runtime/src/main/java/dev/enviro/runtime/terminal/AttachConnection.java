package dev.enviro.runtime.terminal;

import dev.enviro.ffm.Fd;
import dev.enviro.ffm.Files;
import dev.enviro.ffm.SyscallException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The engine's end of a container monitor's attach socket ({@code containers/<id>/attach.sock}): input
 * bytes, window sizes and the end of input, in the frames of {@code ffm/src/main/c/terminal.h}. Output
 * does not come back here; it is read from the log. Writes block while the command does not read (the
 * monitor stops taking frames when its input buffer is full), which is the back-pressure a typist or a
 * pipe into {@code run -i} needs. Thread-safe: frames of concurrent callers never interleave.
 */
public final class AttachConnection implements AutoCloseable {

    static final byte STDIN = 1, RESIZE = 2, CLOSE = 3;
    static final int MAX_PAYLOAD = 32768;

    private final SocketChannel channel;

    private AttachConnection(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to {@code socket}. Its full path may not fit in {@code sun_path} (108 bytes) under a long
     * state directory, so the connection goes through {@code /proc/self/fd/<dir>/}, as the monitor binds.
     */
    public static AttachConnection open(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        try (Fd dirFd = Files.open(dir, Files.O_RDONLY | Files.O_DIRECTORY | Files.O_CLOEXEC, 0)) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of("/proc/self/fd/" + dirFd.value() + "/" + socket.getFileName()));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            return new AttachConnection(channel);
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Sends {@code len} bytes of input, in frames of at most 32 KiB. */
    public synchronized void stdin(byte[] data, int off, int len) throws IOException {
        for (int at = off; at < off + len; at += MAX_PAYLOAD) {
            int n = Math.min(MAX_PAYLOAD, off + len - at);
            write(frame(STDIN, ByteBuffer.wrap(data, at, n)));
        }
    }

    /** The terminal's new size: the monitor sets it on the pty, and the kernel sends SIGWINCH. */
    public synchronized void resize(int rows, int cols) throws IOException {
        if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) throw new IllegalArgumentException("window size " + rows + "x" + cols);
        ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) rows).putShort((short) cols).flip();
        write(frame(RESIZE, size));
    }

    /** No more input: the command reads EOF (without a pty; with one, ^D is a byte like any other). */
    public synchronized void closeStdin() throws IOException {
        write(frame(CLOSE, ByteBuffer.allocate(0)));
    }

    static ByteBuffer frame(byte type, ByteBuffer payload) {
        ByteBuffer f = ByteBuffer.allocate(5 + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        return f.put(type).putInt(payload.remaining()).put(payload).flip();
    }

    private void write(ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) channel.write(frame);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
