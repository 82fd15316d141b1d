package dev.enviro.runtime.network;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Published ports of the bridge's containers, as nftables rules in the one table the engine owns
 * ({@code ip enviro}): DNAT of the host's addresses (prerouting for traffic from outside, output for
 * the host's own, 127.0.0.1 included) to the container's address, and masquerade for what the host
 * sends from loopback and for the containers' outbound traffic. Each container's mappings are kept in
 * {@code /run/enviro/networks/<bridge>/ports/<id>} (the host's, shared by every engine on it: its first
 * line is the container's directory, which it never outlives); the whole table is rebuilt from them in
 * one atomic {@code nft -f} transaction whenever they change, under a lock every engine takes.
 *
 * <p>Why the {@code nft} program and not nf_tables' netlink: a rule there is a program of expressions
 * (payload loads, comparisons, the nat expression with its registers) sent as a batch, libnftnl's
 * whole encoding; {@code nft} (Debian's nftables) applies a text ruleset as one transaction.
 */
public final class PortRules {
    static final String TABLE = "ip enviro";

    private final Path dir;
    private final String subnet;
    private final String bridge;

    PortRules(Path networkDir, String subnet, String bridge) {
        this.dir = networkDir.resolve("ports");
        this.subnet = subnet;
        this.bridge = bridge;
    }

    /**
     * Takes {@code ports} for the container whose directory is {@code owner}, at {@code address}: refused
     * with one line when another container or a program of the host has one of its host ports; else
     * recorded and the rules rebuilt.
     */
    public void publish(String owner, Inet4Address address, List<PortMapping> ports) throws IOException {
        try (Locked locked = lock()) {
            checkLocked(owner, ports);
            List<String> lines = new ArrayList<>();
            lines.add(owner);
            for (PortMapping p : ports) lines.add(new Record(p, address).line());
            Path tmp = dir.resolve("." + name(owner) + ".tmp");
            Files.write(tmp, lines);
            Files.move(tmp, dir.resolve(name(owner)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            apply();
        }
    }

    /** Refuses, with one line, host ports another container or a program of the host has. */
    public void check(String owner, List<PortMapping> ports) throws IOException {
        try (Locked locked = lock()) {
            checkLocked(owner, ports);
        }
    }

    private void checkLocked(String owner, List<PortMapping> ports) throws IOException {
        for (Path other : files()) {
            if (other.getFileName().toString().equals(name(owner))) continue;
            for (Record r : records(other)) {
                for (PortMapping p : ports) {
                    if (p.clashes(r.mapping())) {
                        throw new EnviroError(ErrorCode.CONFLICT, "host port " + p.hostPort() + "/" + p.protocol() + " is published by container "
                                + other.getFileName().toString().substring(0, Math.min(12, other.getFileName().toString().length()))
                                + ": stop or remove it, or choose another port");
                    }
                }
            }
        }
        for (PortMapping p : ports) checkFree(p);
    }

    /**
     * At an engine's start: drops the records whose container's directory is gone (removed while no engine
     * ran), then rebuilds the table from what is left (the host may have lost it).
     */
    public void recover() throws IOException {
        if (files().isEmpty()) return; // nothing published: the table is left as it is (or absent)
        try (Locked locked = lock()) {
            for (Path p : files()) {
                List<String> lines = Files.readAllLines(p);
                if (lines.isEmpty() || !Files.isDirectory(Path.of(lines.getFirst()))) Files.deleteIfExists(p);
            }
            apply();
        }
    }

    /** Drops the ports of the container whose directory is {@code owner}, if it had any. */
    public void withdraw(String owner) throws IOException {
        if (!Files.exists(dir.resolve(name(owner)))) return;
        try (Locked locked = lock()) {
            if (Files.deleteIfExists(dir.resolve(name(owner)))) apply();
        }
    }

    /** A record's file is named by the container's id (the last name of its directory). */
    private static String name(String owner) {
        return Path.of(owner).getFileName().toString();
    }

    private static List<Record> records(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Record> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) out.add(Record.parse(lines.get(i)));
        return out;
    }

    /** Held while the records are read, changed and applied: engines on one host share them. */
    private interface Locked extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Threads of this engine queue here; engines, on the file's lock (the JVM refuses a second lock of one file). */
    private final java.util.concurrent.locks.ReentrantLock mutex = new java.util.concurrent.locks.ReentrantLock();

    private Locked lock() throws IOException {
        mutex.lock();
        try {
            Files.createDirectories(dir);
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock held;
            try {
                held = ch.lock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return () -> {
                try {
                    held.release();
                    ch.close();
                } finally {
                    mutex.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            mutex.unlock();
            throw e;
        }
    }

    /** A program of the host listening there would never see its traffic again: refused, as docker's proxy would be. */
    private static void checkFree(PortMapping p) {
        InetSocketAddress at = new InetSocketAddress(p.hostAddress() == null ? InetAddress.ofLiteral("0.0.0.0") : p.hostAddress(), p.hostPort());
        try {
            if (p.protocol().equals("udp")) {
                new DatagramSocket(at).close();
            } else {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(at);
                }
            }
        } catch (IOException inUse) {
            throw new EnviroError(ErrorCode.CONFLICT, "host port " + p.hostPort() + "/" + p.protocol() + " is in use on the host ("
                    + inUse.getMessage() + "): stop what listens there, or choose another port");
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (NoSuchFileException none) {
            return List.of();
        }
    }

    /** The whole table as one nft transaction, from the recorded ports. */
    String ruleset() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("add table ").append(TABLE).append('\n');
        b.append("add chain ").append(TABLE).append(" prerouting { type nat hook prerouting priority dstnat; policy accept; }\n");
        b.append("add chain ").append(TABLE).append(" output { type nat hook output priority -100; policy accept; }\n");
        b.append("add chain ").append(TABLE).append(" postrouting { type nat hook postrouting priority srcnat; policy accept; }\n");
        b.append("add chain ").append(TABLE).append(" ports\n");
        for (String chain : List.of("prerouting", "output", "postrouting", "ports")) b.append("flush chain ").append(TABLE).append(' ').append(chain).append('\n');
        b.append("add rule ").append(TABLE).append(" prerouting fib daddr type local jump ports\n");
        b.append("add rule ").append(TABLE).append(" output fib daddr type local jump ports\n");
        b.append("add rule ").append(TABLE).append(" postrouting ip saddr 127.0.0.0/8 ip daddr ").append(subnet).append(" masquerade\n");
        b.append("add rule ").append(TABLE).append(" postrouting ip saddr ").append(subnet).append(" ip daddr != ").append(subnet).append(" masquerade\n");
        for (Path f : files()) {
            for (Record r : records(f)) {
                PortMapping p = r.mapping();
                b.append("add rule ").append(TABLE).append(" ports ");
                if (p.hostAddress() != null) b.append("ip daddr ").append(p.hostAddress().getHostAddress()).append(' ');
                b.append(p.protocol()).append(" dport ").append(p.hostPort()).append(" dnat to ")
                        .append(r.address().getHostAddress()).append(':').append(p.containerPort()).append('\n');
            }
        }
        return b.toString();
    }

    private void apply() throws IOException {
        // 127.0.0.1 is routed to the bridge only where the kernel is told it may be (DNAT from the host's loopback)
        Path localnet = Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
        if (Files.exists(localnet) && !Files.readString(localnet).strip().equals("1")) Files.writeString(localnet, "1");
        Path forward = Path.of("/proc/sys/net/ipv4/ip_forward");
        if (!Files.readString(forward).strip().equals("1")) Files.writeString(forward, "1");
        Process nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        try (var in = nft.getOutputStream()) {
            in.write(ruleset().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!nft.waitFor(30, TimeUnit.SECONDS)) {
                nft.destroyForcibly();
                throw new IOException("nft did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while nft ran", e);
        }
        if (nft.exitValue() != 0) throw new IOException("nft refused the engine's rules: " + out.lines().findFirst().orElse("exit " + nft.exitValue()));
    }

    /** One line of a container's ports file: {@code ADDRESS HOST-ADDRESS HOST-PORT CONTAINER-PORT PROTO}. */
    record Record(PortMapping mapping, Inet4Address address) {
        String line() {
            return address.getHostAddress() + " " + (mapping.hostAddress() == null ? "*" : mapping.hostAddress().getHostAddress()) + " "
                    + mapping.hostPort() + " " + mapping.containerPort() + " " + mapping.protocol();
        }

        static Record parse(String line) {
            String[] f = line.split(" ");
            Inet4Address host = f[1].equals("*") ? null : (Inet4Address) InetAddress.ofLiteral(f[1]);
            return new Record(new PortMapping(host, Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4]), (Inet4Address) InetAddress.ofLiteral(f[0]));
        }
    }
}
