package dev.enviro.runtime.network;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.RouteSocket;
import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.netlink.RouteMessage;
import java.net.Inet4Address;

/**
 * The host's side of a bridge network, through rtnetlink (no {@code ip} process per step): the bridge
 * with the gateway's address, and one veth pair per container, its host end on the bridge and its
 * other end created inside the container's network namespace as {@code eth0}. The container configures
 * its end itself (the helper, net.c). Each call is idempotent where a restart may repeat it.
 */
public final class BridgeLinks {
    private BridgeLinks() {}

    /** The bridge {@code name} with {@code gateway}/{@code prefix} on it, up; what exists already is kept. */
    public static int ensureBridge(String name, Inet4Address gateway, int prefix) throws SyscallException {
        try (RouteSocket s = RouteSocket.open()) {
            if (RouteSocket.index(name) == 0) {
                try {
                    s.request("create bridge " + name, RouteMessage.link(RouteMessage.RTM_NEWLINK, (short) (RouteMessage.NLM_F_CREATE | RouteMessage.NLM_F_EXCL), 0, 0, 0)
                            .string(RouteMessage.IFLA_IFNAME, name)
                            .begin(RouteMessage.IFLA_LINKINFO).string(RouteMessage.IFLA_INFO_KIND, "bridge").end());
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EEXIST) throw e; // another engine made it meanwhile
                }
            }
            int index = RouteSocket.index(name);
            if (index == 0) throw new SyscallException("find bridge " + name, Errno.ENODEV);
            try {
                s.request("address " + gateway.getHostAddress() + "/" + prefix + " on " + name,
                        RouteMessage.address(RouteMessage.RTM_NEWADDR, (short) (RouteMessage.NLM_F_CREATE | RouteMessage.NLM_F_EXCL), index, prefix)
                                .bytes(RouteMessage.IFA_LOCAL, gateway.getAddress()).bytes(RouteMessage.IFA_ADDRESS, gateway.getAddress()));
            } catch (SyscallException e) {
                if (e.errno() != Errno.EEXIST) throw e;
            }
            up(s, name, index);
            return index;
        }
    }

    /**
     * A veth pair: {@code hostName} on bridge {@code bridgeIndex}, up; its peer {@code peerName} made in the
     * network namespace of process {@code pid}. An old pair of that name (a start that failed after it) goes first.
     */
    public static void addVeth(String hostName, int bridgeIndex, String peerName, int pid) throws SyscallException {
        try (RouteSocket s = RouteSocket.open()) {
            delete(s, hostName);
            s.request("create veth " + hostName, RouteMessage.link(RouteMessage.RTM_NEWLINK, (short) (RouteMessage.NLM_F_CREATE | RouteMessage.NLM_F_EXCL), 0, 0, 0)
                    .string(RouteMessage.IFLA_IFNAME, hostName)
                    .u32(RouteMessage.IFLA_MASTER, bridgeIndex)
                    .begin(RouteMessage.IFLA_LINKINFO).string(RouteMessage.IFLA_INFO_KIND, "veth")
                    .begin(RouteMessage.IFLA_INFO_DATA).begin(RouteMessage.VETH_INFO_PEER).peerHeader()
                    .string(RouteMessage.IFLA_IFNAME, peerName).u32(RouteMessage.IFLA_NET_NS_PID, pid)
                    .end().end().end());
            up(s, hostName, RouteSocket.index(hostName));
        }
    }

    /** Deletes interface {@code name} (a veth's host end takes its peer with it); none is fine. */
    public static void deleteLink(String name) throws SyscallException {
        if (RouteSocket.index(name) == 0) return; // most removals: no pair was ever made, or the kernel took it
        try (RouteSocket s = RouteSocket.open()) {
            delete(s, name);
        }
    }

    private static void delete(RouteSocket s, String name) throws SyscallException {
        if (RouteSocket.index(name) == 0) return;
        try {
            s.request("delete " + name, RouteMessage.link(RouteMessage.RTM_DELLINK, (short) 0, 0, 0, 0).string(RouteMessage.IFLA_IFNAME, name));
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENODEV) throw e;
        }
    }

    private static void up(RouteSocket s, String name, int index) throws SyscallException {
        s.request("set " + name + " up", RouteMessage.link(RouteMessage.RTM_NEWLINK, (short) 0, index, RouteMessage.IFF_UP, RouteMessage.IFF_UP));
    }
}
