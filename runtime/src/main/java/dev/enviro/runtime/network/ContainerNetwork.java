package dev.enviro.runtime.network;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.NetworkOptions;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's network as its flags ask it, checked: the mode, its name servers and extra hosts, and
 * the three files every container gets (docs/network.md). Pure: the executor writes the files and
 * bind-mounts them; the helper brings the loopback of a namespace of its own up.
 *
 * @param mode        {@link Mode#NONE} (a namespace of its own, loopback only; also the default until
 *                    the bridge lands) or {@link Mode#HOST}
 * @param nameServers {@code --dns}, as addresses; empty: the host's
 * @param extraHosts  {@code --add-host}, as lines of /etc/hosts
 * @param ports       {@code -p}, on the bridge only
 */
public record ContainerNetwork(Mode mode, List<InetAddress> nameServers, List<HostEntry> extraHosts, List<PortMapping> ports) {

    public enum Mode {
        /** A network namespace of its own with only {@code lo}, which is up. */
        NONE,
        /** The host's network namespace: its interfaces, addresses and ports. */
        HOST,
        /** A namespace of its own joined to the engine's bridge by a veth pair, with an address of the bridge's subnet (BridgeNetwork). */
        BRIDGE
    }

    /** One {@code --add-host} line. */
    public record HostEntry(String name, InetAddress address) {}

    /** What a container without network flags gets. */
    public static final ContainerNetwork DEFAULT = new ContainerNetwork(Mode.NONE, List.of(), List.of(), List.of());

    public ContainerNetwork {
        nameServers = List.copyOf(nameServers);
        extraHosts = List.copyOf(extraHosts);
        ports = List.copyOf(ports);
    }

    /** The flags, checked: one line per refusal, naming the flag and the value. */
    public static ContainerNetwork of(NetworkOptions options) {
        Mode mode = mode(options.network());
        List<InetAddress> servers = new ArrayList<>();
        for (String s : options.dns()) {
            servers.add(address(s, "--dns '" + Echo.of(s) + "': not an IP address (--dns takes a name server's address, e.g. 192.0.2.53)"));
        }
        List<HostEntry> hosts = new ArrayList<>();
        for (String h : options.addHosts()) {
            int colon = h.indexOf(':');
            String name = colon < 0 ? "" : h.substring(0, colon);
            if (colon <= 0 || !validHostName(name)) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--add-host '" + Echo.of(h) + "': expected NAME:ADDRESS (db:192.0.2.7), NAME of letters, digits, '.', '-' and '_'");
            }
            String address = h.substring(colon + 1);
            hosts.add(new HostEntry(name, address(address, "--add-host '" + Echo.of(h) + "': '" + Echo.of(address) + "' is not an IP address")));
        }
        List<PortMapping> ports = PortMapping.parseAll(options.publish());
        if (!ports.isEmpty() && mode != Mode.BRIDGE) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-p publishes ports of a container on the bridge: add --network bridge"
                    + (mode == Mode.HOST ? " (with --network host the container's ports are the host's already)" : ""));
        }
        return new ContainerNetwork(mode, servers, hosts, ports);
    }

    private static Mode mode(String network) {
        if (network == null || network.equals("none")) return Mode.NONE;
        if (network.equals("host")) return Mode.HOST;
        if (network.equals("bridge")) return Mode.BRIDGE;
        if (network.startsWith("container:")) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--network '" + Echo.of(network) + "': joining another container's network is not"
                    + " available yet: use none, host or bridge");
        }
        throw new EnviroError(ErrorCode.NOT_FOUND, "network '" + Echo.of(network) + "' not found: use --network none, host or bridge");
    }

    private static InetAddress address(String text, String refusal) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, refusal);
        }
    }

    private static boolean validHostName(String name) {
        return name.length() <= 253 && name.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    }

    /** Whether the container gets a network namespace of its own. */
    public boolean ownNamespace() {
        return mode != Mode.HOST;
    }

    /** The container's hostname: {@code --hostname}, else the host's with the host's network, else {@code fallback}. */
    public String hostname(String requested, String fallback, String hostsHostname) {
        if (requested != null) return requested;
        return mode == Mode.HOST ? hostsHostname : fallback;
    }

    /**
     * The container's /etc/hosts: with the host's network, the host's own file; else localhost and the
     * container's own names on its address, or on loopback without one ({@code 127.0.1.1}, as Debian names
     * a host without an address). Then the {@code --add-host} lines.
     */
    public String hostsFile(String hostname, String name, String hostsHosts) {
        return hostsFile(hostname, name, hostsHosts, null);
    }

    /** {@code address}: the container's own on its network, or null. */
    public String hostsFile(String hostname, String name, String hostsHosts, InetAddress address) {
        StringBuilder b = new StringBuilder();
        if (mode == Mode.HOST) {
            b.append(hostsHosts);
            if (!hostsHosts.isEmpty() && !hostsHosts.endsWith("\n")) b.append('\n');
        } else {
            b.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
                    + "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
            b.append(address == null ? "127.0.1.1" : literal(address)).append('\t').append(hostname);
            if (name != null && !name.equals(hostname)) b.append(' ').append(name);
            b.append('\n');
        }
        for (HostEntry h : extraHosts) b.append(literal(h.address())).append('\t').append(h.name()).append('\n');
        return b.toString();
    }

    /**
     * The container's /etc/resolv.conf: the {@code --dns} servers with the host's search and options
     * lines; else the host's file, less, in a namespace of its own, the name servers on the host's
     * loopback (a local resolver such as systemd-resolved's 127.0.0.53), which the container cannot reach.
     */
    public String resolvConf(String hostsResolvConf) {
        StringBuilder b = new StringBuilder();
        boolean dropped = false;
        for (String line : hostsResolvConf.split("\n")) {
            String t = line.strip();
            if (t.startsWith("nameserver")) {
                if (!nameServers.isEmpty()) continue;
                String server = t.substring("nameserver".length()).strip();
                if (ownNamespace() && loopback(server)) {
                    dropped = true;
                    continue;
                }
            }
            if (!t.isEmpty()) b.append(line).append('\n');
        }
        for (InetAddress a : nameServers) b.append("nameserver ").append(literal(a)).append('\n');
        if (dropped) b.insert(0, "# the host's name servers on its loopback are left out: the container's own network cannot reach them\n");
        return b.toString();
    }

    private static boolean loopback(String server) {
        try {
            return InetAddress.ofLiteral(server.split("%")[0]).isLoopbackAddress();
        } catch (IllegalArgumentException notAnAddress) {
            return false;
        }
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        return a instanceof Inet6Address && s.contains("%") ? s.substring(0, s.indexOf('%')) : s;
    }
}
