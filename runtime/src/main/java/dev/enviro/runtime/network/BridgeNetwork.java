package dev.enviro.runtime.network;

import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.helper.HelperPlan;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * The engine's bridge network ({@code --network bridge}): the bridge {@code enviro0} with the gateway
 * 10.89.0.1/16, an address leased to each container ({@link BridgeAddresses}) and a veth pair joining it
 * ({@link BridgeLinks}): {@code ve<first 12 of the id>} on the bridge, {@code eth0} inside. The container
 * sets its end up itself (the helper's net.c, from the plan's {@link HelperPlan.Interface}). When the
 * container's namespace goes, the kernel removes the pair; {@link #disconnect} removes what is left.
 */
public final class BridgeNetwork {
    public static final String BRIDGE = "enviro0";
    static final Inet4Address SUBNET = (Inet4Address) InetAddress.ofLiteral("10.89.0.0");
    static final int PREFIX = 16;

    private final BridgeAddresses addresses;
    private volatile int bridgeIndex;

    public BridgeNetwork(Path stateDir) {
        this.addresses = new BridgeAddresses(stateDir.resolve("networks").resolve(BRIDGE), SUBNET, PREFIX);
    }

    /** The container's end as its plan carries it, with the address it holds (or a new lease). */
    public HelperPlan.Interface attach(String containerId) throws IOException {
        Inet4Address address = addresses.lease(containerId);
        return new HelperPlan.Interface("eth0", address.getAddress(), PREFIX, addresses.gateway().getAddress());
    }

    /** Joins the network namespace of {@code pid} (the container, before it runs) to the bridge. */
    public void connect(String containerId, int pid) throws SyscallException {
        int index = bridgeIndex;
        if (index == 0) {
            synchronized (this) {
                if (bridgeIndex == 0) bridgeIndex = BridgeLinks.ensureBridge(BRIDGE, addresses.gateway(), PREFIX);
                index = bridgeIndex;
            }
        }
        try {
            BridgeLinks.addVeth(hostEnd(containerId), index, "eth0", pid);
        } catch (SyscallException e) {
            if (e.errno() != dev.enviro.ffm.Errno.ENODEV) throw e;
            // the bridge was removed under a running engine: make it again, once
            synchronized (this) {
                bridgeIndex = BridgeLinks.ensureBridge(BRIDGE, addresses.gateway(), PREFIX);
            }
            BridgeLinks.addVeth(hostEnd(containerId), bridgeIndex, "eth0", pid);
        }
    }

    /** Removes the container's pair (if its namespace left one) and gives its address back. */
    public void disconnect(String containerId) throws IOException, SyscallException {
        BridgeLinks.deleteLink(hostEnd(containerId));
        addresses.release(containerId);
    }

    static String hostEnd(String containerId) {
        return "ve" + containerId.substring(0, Math.min(12, containerId.length()));
    }
}
