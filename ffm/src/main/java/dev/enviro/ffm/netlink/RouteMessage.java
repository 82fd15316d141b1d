package dev.enviro.ffm.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One rtnetlink request, in the kernel's layout (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h):
 * an {@code nlmsghdr}, the family header ({@code ifinfomsg}, {@code ifaddrmsg}), then attributes, each
 * padded to 4 bytes; nested attributes are opened and closed around their children. Host byte order
 * (little-endian here), except addresses, which are in network order as the kernel takes them. Pure:
 * {@link RouteSocket} sends it.
 */
public final class RouteMessage {
    public static final short RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_NEWADDR = 20;
    public static final short NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    public static final short IFLA_IFNAME = 3, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_PID = 19;
    public static final short IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    public static final short IFA_ADDRESS = 1, IFA_LOCAL = 2;
    public static final int IFF_UP = 0x1;
    static final byte AF_UNSPEC = 0, AF_INET = 2;
    static final short NLA_F_NESTED = (short) 0x8000;

    private final ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();

    private RouteMessage(short type, short flags) {
        buffer.putInt(0).putShort(type).putShort((short) (flags | NLM_F_REQUEST | NLM_F_ACK)).putInt(0).putInt(0); // len, seq, pid later
    }

    /** A link request with its {@code ifinfomsg}: family, type, index, flags, change mask. */
    public static RouteMessage link(short type, short flags, int index, int ifFlags, int change) {
        RouteMessage m = new RouteMessage(type, flags);
        m.ifinfo(index, ifFlags, change);
        return m;
    }

    /** An IPv4 address request ({@code ifaddrmsg}) for interface {@code index}. */
    public static RouteMessage address(short type, short flags, int index, int prefixLength) {
        RouteMessage m = new RouteMessage(type, flags);
        m.buffer.put(AF_INET).put((byte) prefixLength).put((byte) 0).put((byte) 0).putInt(index);
        return m;
    }

    private void ifinfo(int index, int ifFlags, int change) {
        buffer.put(AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(index).putInt(ifFlags).putInt(change);
    }

    /** An {@code ifinfomsg} inside an attribute (the veth peer's own header). */
    public RouteMessage peerHeader() {
        ifinfo(0, 0, 0);
        return this;
    }

    public RouteMessage string(short type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return bytes(type, z);
    }

    public RouteMessage u32(short type, int value) {
        return bytes(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** Bytes as they are (an address in network order). */
    public RouteMessage bytes(short type, byte[] value) {
        buffer.putShort((short) (4 + value.length)).putShort(type).put(value);
        pad();
        return this;
    }

    /** Opens a nested attribute; {@link #end} closes it. */
    public RouteMessage begin(short type) {
        open.push(buffer.position());
        buffer.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return this;
    }

    public RouteMessage end() {
        int at = open.pop();
        buffer.putShort(at, (short) (buffer.position() - at));
        return this;
    }

    private void pad() {
        while (buffer.position() % 4 != 0) buffer.put((byte) 0);
    }

    /** The whole message with its length and {@code seq}. */
    public byte[] bytes(int seq) {
        if (!open.isEmpty()) throw new IllegalStateException("a nested attribute is still open");
        ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
        int length = b.position();
        b.putInt(0, length).putInt(8, seq);
        byte[] out = new byte[length];
        b.flip();
        b.get(out);
        return out;
    }

    /** For tests: hex of {@link #bytes(int)}. */
    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x));
        return s.toString();
    }
}
