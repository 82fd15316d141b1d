package dev.enviro.daemon.relay;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The frames between {@code enviro-relay} ({@code ffm/src/main/c/relay/relay.c}) and the engine, as
 * docs/relay.md lays them out: a big-endian u32 length of what follows, a type byte, the payload.
 */
final class RelayFrames {

    static final int PROTOCOL_VERSION = 1;
    static final int MAX_FRAME = 16 << 20;

    // relay -> engine
    static final byte HELLO = 'V', ARG = 'A', ENV = 'E', TTY = 'T', RUN = 'R', SIGNAL = 'S', WINCH = 'W', REPLY = 'F';
    // engine -> relay
    static final byte STDOUT = 'O', STDERR = 'e', EXIT = 'X', MODE = 'M', OPEN = 'o', READ = 'r', WRITE = 'w', CLOSE = 'c',
            RENAME = 'n', MKDIR = 'd', UNLINK = 'u';
    // MODE's terminal modes, OPEN's flags
    static final byte MODE_RESTORE = 0, MODE_RAW = 1, MODE_NO_ECHO = 2;
    static final int OPEN_READ = 0, OPEN_CREATE_NEW = 2;

    record Frame(byte type, ByteBuffer payload) {}

    private RelayFrames() {}

    /** The next frame; EOFException when the relay went away (between frames or within one). */
    static Frame read(ReadableByteChannel channel) throws IOException {
        ByteBuffer length = fill(channel, ByteBuffer.allocate(4));
        int n = length.getInt(0);
        if (n < 1 || n > MAX_FRAME) throw new IOException("malformed frame from the relay (length " + n + ")");
        ByteBuffer frame = fill(channel, ByteBuffer.allocate(n));
        return new Frame(frame.get(0), frame.position(1).slice());
    }

    private static ByteBuffer fill(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) throw new EOFException("the relay closed the connection");
        }
        return buffer.flip();
    }

    /** One frame's bytes: the length, the type, then each part in turn. */
    static ByteBuffer encode(byte type, byte[]... parts) {
        int n = 1;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(4 + n).putInt(n).put(type);
        for (byte[] p : parts) b.put(p);
        return b.flip();
    }

    static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        for (int v : values) b.putInt(v);
        return b.array();
    }

    static byte[] bytes(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return b;
    }
}
