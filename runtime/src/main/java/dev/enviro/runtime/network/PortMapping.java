package dev.enviro.runtime.network;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One published port: traffic to {@code hostPort} (on {@code hostAddress}, or every address of the
 * host when null) goes to {@code containerPort} of the container, for {@code protocol}. Parsed from
 * {@code -p [IP:]HOST:CTR[/tcp|udp]} and {@code -p HOST-RANGE:CTR-RANGE[/PROTO]}, as docker reads them.
 */
public record PortMapping(Inet4Address hostAddress, int hostPort, int containerPort, String protocol) {

    /** Every mapping of the {@code -p} values, in order; one line naming the value when one is wrong. */
    public static List<PortMapping> parseAll(List<String> values) {
        List<PortMapping> all = new ArrayList<>();
        for (String v : values) all.addAll(parse(v));
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (all.get(i).clashes(all.get(j))) {
                    throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "-p: host port " + all.get(i).hostPort() + "/" + all.get(i).protocol()
                            + " is published twice: give each mapping its own host port");
                }
            }
        }
        return all;
    }

    static List<PortMapping> parse(String value) {
        String spec = value;
        String protocol = "tcp";
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            protocol = spec.substring(slash + 1);
            spec = spec.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) throw bad(value, "the protocol is tcp or udp");
        }
        String[] parts = spec.split(":", -1);
        Inet4Address address = null;
        if (parts.length == 3) {
            try {
                address = (Inet4Address) InetAddress.ofLiteral(parts[0]);
            } catch (IllegalArgumentException | ClassCastException e) {
                throw bad(value, "'" + Echo.of(parts[0]) + "' is not an IPv4 address of the host");
            }
        } else if (parts.length != 2) {
            throw bad(value, "expected [IP:]HOST-PORT:CONTAINER-PORT[/tcp|udp]");
        }
        int[] host = range(parts[parts.length - 2], value), ctr = range(parts[parts.length - 1], value);
        if (host[1] - host[0] != ctr[1] - ctr[0]) throw bad(value, "the host and container ranges differ in length");
        List<PortMapping> out = new ArrayList<>();
        for (int i = 0; i <= host[1] - host[0]; i++) out.add(new PortMapping(address, host[0] + i, ctr[0] + i, protocol));
        return out;
    }

    private static int[] range(String text, String value) {
        int dash = text.indexOf('-');
        int from = port(dash < 0 ? text : text.substring(0, dash), value), to = dash < 0 ? from : port(text.substring(dash + 1), value);
        if (to < from) throw bad(value, "a range goes from the lower port to the higher");
        return new int[] {from, to};
    }

    private static int port(String text, String value) {
        int p;
        try {
            p = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw bad(value, "'" + Echo.of(text) + "' is not a port number");
        }
        if (p < 1 || p > 65535) throw bad(value, "port " + p + " is outside 1-65535");
        return p;
    }

    private static EnviroError bad(String value, String why) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, "-p '" + Echo.of(value) + "': " + why);
    }

    /** Whether both would take the same host port (an address of all takes every address). */
    boolean clashes(PortMapping other) {
        return hostPort == other.hostPort && protocol.equals(other.protocol)
                && (hostAddress == null || other.hostAddress == null || hostAddress.equals(other.hostAddress));
    }

    /** As docker shows it: {@code 0.0.0.0:8080->80/tcp}. */
    @Override
    public String toString() {
        return (hostAddress == null ? "0.0.0.0" : hostAddress.getHostAddress()) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}
