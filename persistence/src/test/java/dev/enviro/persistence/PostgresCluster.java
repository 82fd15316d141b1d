package dev.enviro.persistence;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for tests: {@code initdb} into a temporary directory (as the
 * {@code postgres} system user when running as root, since the server refuses to run as root),
 * trust authentication, a unix socket in that directory and a free TCP port on 127.0.0.1 only.
 * {@link #stop()}/{@link #start()} let a test take the journal away and bring it back; {@link #close()}
 * stops the server and deletes everything, also after a failed start.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final String USER = "enviro";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path root;
    private final Path data;
    private final int port;
    private final List<String> asServerUser;

    private PostgresCluster(Path bin, Path root, int port, List<String> asServerUser) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.asServerUser = asServerUser;
    }

    /** Creates and starts a cluster; fails with what to install when PostgreSQL is missing. */
    public static PostgresCluster create() throws IOException, InterruptedException {
        Path bin = serverBinaries();
        Path root = Files.createTempDirectory(Path.of("/tmp"), "enviro-pg-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> as = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            as = List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--");
            run(List.of("chown", "postgres:postgres", root.toString()), List.of());
        }
        PostgresCluster cluster = new PostgresCluster(bin, root, freePort(), as);
        try {
            cluster.pg(List.of(bin.resolve("initdb").toString(), "-D", cluster.data.toString(), "-U", USER,
                    "-A", "trust", "--no-sync", "-E", "UTF8"));
            cluster.start0();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The newest server installed by Debian's postgresql package. */
    private static Path serverBinaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString())))
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL is not installed: run ./setup --deps (Debian package postgresql)");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts the (stopped) server again, on the same port and data. */
    public void restart() throws IOException, InterruptedException {
        start0();
    }

    private void start0() throws IOException, InterruptedException {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("server.log").toString(),
                "-w", "-t", "30", "-o", "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    }

    /** Stops the server ({@code -m fast}: clients are disconnected, as when a server goes away). */
    public void stop() throws IOException, InterruptedException {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-m", "fast", "stop"));
    }

    public int port() {
        return port;
    }

    /** The maintenance database's URL. */
    public String url() {
        return url("postgres");
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A fresh, empty database (one per test keeps tests apart on one server); its URL. */
    public String newDatabase() throws Exception {
        String name = "enviro_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url(), USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(asServerUser);
        full.addAll(command);
        run(full, List.of(root.resolve("server.log").toString()));
    }

    private static void run(List<String> command, List<String> logs) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.getFirst() + " did not finish");
        }
        if (p.exitValue() != 0) {
            StringBuilder log = new StringBuilder();
            for (String l : logs) {
                Path file = Path.of(l);
                if (Files.isReadable(file)) log.append(Files.readString(file));
            }
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out + log);
        }
    }

    /** Stops the server if it runs and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-m", "immediate", "stop"));
            }
        } finally {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
