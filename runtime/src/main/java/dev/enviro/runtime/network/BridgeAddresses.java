package dev.enviro.runtime.network;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The bridge network's addresses, leased to containers and kept on disk, so that no address is handed
 * out twice, a restarted container keeps its own, and none is lost to a crash: one file per leased
 * address under {@code <state>/networks/<bridge>/leases/}, named by the address and holding the
 * container's id. A lease is taken by linking a complete temporary file to its name, which succeeds
 * for one taker only and never leaves a lease half written; the engine's sweep at start removes the
 * leases of containers that are gone ({@link #sweep}).
 */
public final class BridgeAddresses {
    private final Path leases;
    private final int base;
    private final int prefix;

    /** {@code subnet}/{@code prefix}: the gateway is its first address, containers get the rest but the last. */
    public BridgeAddresses(Path networkDir, Inet4Address subnet, int prefix) {
        if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("a bridge subnet's prefix is 8 to 30: " + prefix);
        this.leases = networkDir.resolve("leases");
        this.base = toInt(subnet) & mask(prefix);
        this.prefix = prefix;
    }

    public int prefix() { return prefix; }

    public Inet4Address gateway() { return toAddress(base + 1); }

    /** The container's address: the one it holds already, else the first free one. */
    public Inet4Address lease(String containerId) throws IOException {
        Files.createDirectories(leases);
        Optional<Inet4Address> held = held(containerId);
        if (held.isPresent()) return held.get();
        Path tmp = Files.createTempFile(leases, ".lease-", ".tmp");
        try {
            Files.writeString(tmp, containerId);
            int size = 1 << (32 - prefix);
            for (int n = 2; n < size - 1; n++) {
                Inet4Address a = toAddress(base + n);
                try {
                    Files.createLink(leases.resolve(a.getHostAddress()), tmp);
                    return a;
                } catch (FileAlreadyExistsException taken) {
                    // leased to another container
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        throw new IOException("no free address left in " + toAddress(base).getHostAddress() + "/" + prefix + ": remove containers on it");
    }

    /** The address {@code containerId} holds, if any. */
    public Optional<Inet4Address> held(String containerId) throws IOException {
        try (Stream<Path> all = Files.list(leases)) {
            for (Path p : all.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                if (containerId.equals(owner(p))) return Optional.of((Inet4Address) InetAddress.ofLiteral(p.getFileName().toString()));
            }
        } catch (NoSuchFileException none) {
            // no lease was ever taken
        }
        return Optional.empty();
    }

    /** Gives back what {@code containerId} holds. */
    public void release(String containerId) throws IOException {
        Optional<Inet4Address> held = held(containerId);
        if (held.isPresent()) Files.deleteIfExists(leases.resolve(held.get().getHostAddress()));
    }

    /** Removes the leases (and stray temporary files) of containers not in {@code live}. */
    public void sweep(Set<String> live) throws IOException {
        try (Stream<Path> all = Files.list(leases)) {
            for (Path p : all.toList()) {
                String owner = p.getFileName().toString().startsWith(".") ? null : owner(p);
                if (owner == null || !live.contains(owner)) Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException none) {
            // nothing leased
        }
    }

    private static String owner(Path lease) {
        try {
            return new String(Files.readAllBytes(lease), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return null;
        }
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static Inet4Address toAddress(int v) {
        return (Inet4Address) InetAddress.ofLiteral((v >>> 24) + "." + (v >>> 16 & 0xff) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff));
    }
}
