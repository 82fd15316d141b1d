package dev.enviro.ffm.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bytes of rtnetlink requests, as `ip link add NAME type bridge` sends them (strace -e sendmsg). */
class RouteMessageTest {

    @Test
    void aBridgeRequestIsItsHeaderIfinfoNameAndNestedKind() {
        byte[] b = RouteMessage.link(RouteMessage.RTM_NEWLINK, (short) (RouteMessage.NLM_F_CREATE | RouteMessage.NLM_F_EXCL), 0, 0, 0)
                .string(RouteMessage.IFLA_IFNAME, "br0")
                .begin(RouteMessage.IFLA_LINKINFO).string(RouteMessage.IFLA_INFO_KIND, "bridge").end()
                .bytes(7);
        assertEquals(
                "38000000" + "1000" + "0506" + "07000000" + "00000000" // nlmsghdr: len 56, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 7, pid 0
                        + "00000000" + "00000000" + "00000000" + "00000000" // ifinfomsg: family, pad, type, index, flags, change
                        + "0800" + "0300" + "62723000" // IFLA_IFNAME "br0\0"
                        + "1000" + "1280" // IFLA_LINKINFO | NLA_F_NESTED, 16 bytes
                        + "0b00" + "0100" + "62726964676500" + "00", // IFLA_INFO_KIND "bridge\0", padded
                RouteMessage.hex(b));
    }

    @Test
    void anAddressRequestCarriesTheAddressInNetworkOrder() {
        byte[] b = RouteMessage.address(RouteMessage.RTM_NEWADDR, RouteMessage.NLM_F_CREATE, 5, 24)
                .bytes(RouteMessage.IFA_LOCAL, new byte[] {10, 1, 2, 3}).bytes(1);
        assertEquals("20000000" + "1400" + "0504" + "01000000" + "00000000"
                + "02" + "18" + "00" + "00" + "05000000" // ifaddrmsg: AF_INET, /24, flags, scope, index 5
                + "0800" + "0200" + "0a010203", RouteMessage.hex(b));
    }
}
