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
import java.util.stream.Stream;

/**
 * The bridge network's addresses, leased to containers and kept on disk, so that no address is handed
 * out twice (also between engines on one host: the directory is the host's), a restarted container
 * keeps its own, and none is lost to a crash: one file per leased address under
 * {@code /run/enviro/networks/<bridge>/leases/}, named by the address and holding its owner, the
 * container's directory. A lease is taken by linking a complete temporary file to its name, which
 * succeeds for one taker only and never leaves a lease half written; a lease lives no longer than its
 * owner's directory ({@link #sweep}, at every engine's start).
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

    /** The address of {@code owner} (a container's directory): the one it holds already, else the first free one. */
    public Inet4Address lease(String owner) throws IOException {
        Files.createDirectories(leases);
        Optional<Inet4Address> held = held(owner);
        if (held.isPresent()) return held.get();
        Path tmp = Files.createTempFile(leases, ".lease-", ".tmp");
        try {
            Files.writeString(tmp, owner);
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

    /** The address {@code owner} holds, if any. */
    public Optional<Inet4Address> held(String owner) throws IOException {
        try (Stream<Path> all = Files.list(leases)) {
            for (Path p : all.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                if (owner.equals(owner(p))) return Optional.of((Inet4Address) InetAddress.ofLiteral(p.getFileName().toString()));
            }
        } catch (NoSuchFileException none) {
            // no lease was ever taken
        }
        return Optional.empty();
    }

    /** Gives back what {@code owner} holds. */
    public void release(String owner) throws IOException {
        Optional<Inet4Address> held = held(owner);
        if (held.isPresent()) Files.deleteIfExists(leases.resolve(held.get().getHostAddress()));
    }

    /**
     * Removes the leases whose owner's directory is gone (a container removed while no engine ran, of
     * whichever engine), and temporary files older than a minute (a taker that died).
     */
    public void sweep() throws IOException {
        long stale = System.currentTimeMillis() - 60_000;
        try (Stream<Path> all = Files.list(leases)) {
            for (Path p : all.toList()) {
                if (p.getFileName().toString().startsWith(".")) {
                    if (Files.getLastModifiedTime(p).toMillis() < stale) Files.deleteIfExists(p);
                    continue;
                }
                String owner = owner(p);
                if (owner == null || owner.isEmpty() || !Files.isDirectory(Path.of(owner))) Files.deleteIfExists(p);
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
