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
    private final PortRules ports;

    /** The host's one record of the bridge, shared by every engine on it (tmpfs: it goes with the veths at a reboot). */
    public static final Path HOST_DIR = Path.of("/run/enviro/networks", BRIDGE);

    private final Path stateDir;

    public BridgeNetwork(Path stateDir) {
        this(stateDir, HOST_DIR);
    }

    BridgeNetwork(Path stateDir, Path networkDir) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.addresses = new BridgeAddresses(networkDir, SUBNET, PREFIX);
        this.ports = new PortRules(networkDir, SUBNET.getHostAddress() + "/" + PREFIX, BRIDGE);
    }

    /** What leases and port records name: the container's directory, which they never outlive. */
    private String owner(String containerId) {
        return stateDir.resolve("containers").resolve(containerId).toString();
    }

    /**
     * At the engine's start: leases and published ports of containers whose directories are gone (of any
     * engine on the host) are given back, and the port rules rebuilt from the rest.
     */
    public void recover() throws IOException {
        if (!java.nio.file.Files.isDirectory(HOST_DIR.getParent())) return; // no engine on this host ever used the bridge
        addresses.sweep();
        ports.recover();
    }

    /** At create: refuses host ports that are taken, before anything is made. */
    public void checkPorts(String containerId, java.util.List<PortMapping> published) throws IOException {
        if (!published.isEmpty()) ports.check(owner(containerId), published);
    }

    /** The container's end as its plan carries it, with the address it holds (or a new lease). */
    public HelperPlan.Interface attach(String containerId) throws IOException {
        Inet4Address address = addresses.lease(owner(containerId));
        return new HelperPlan.Interface("eth0", address.getAddress(), PREFIX, addresses.gateway().getAddress());
    }

    /**
     * Joins the network namespace of {@code pid} (the container, before it runs) to the bridge, and
     * publishes its ports at its address.
     */
    public void connect(String containerId, int pid, java.util.List<PortMapping> published) throws SyscallException, IOException {
        link(containerId, pid);
        if (!published.isEmpty()) {
            Inet4Address address = addresses.held(owner(containerId)).orElseThrow(() -> new IOException("container " + containerId + " holds no address"));
            ports.publish(owner(containerId), address, published);
        }
    }

    private void link(String containerId, int pid) throws SyscallException {
        // looked up each time (an ioctl): a bridge someone removed, or made again under another index, is
        // found as it is now, and made again when it is gone
        int index = dev.enviro.ffm.RouteSocket.index(BRIDGE);
        if (index == 0) {
            synchronized (this) {
                index = BridgeLinks.ensureBridge(BRIDGE, addresses.gateway(), PREFIX);
            }
        }
        BridgeLinks.addVeth(hostEnd(containerId), index, "eth0", pid);
    }

    /** Removes the container's pair (if its namespace left one) and gives its address back. */
    public void disconnect(String containerId) throws IOException, SyscallException {
        ports.withdraw(owner(containerId));
        BridgeLinks.deleteLink(hostEnd(containerId));
        addresses.release(owner(containerId));
    }

    static String hostEnd(String containerId) {
        return "ve" + containerId.substring(0, Math.min(12, containerId.length()));
    }
}
