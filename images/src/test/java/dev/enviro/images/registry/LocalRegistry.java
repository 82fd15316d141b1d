package dev.enviro.images.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (the CNCF distribution registry) on 127.0.0.1 and a free port,
 * storage and config in a temporary directory; {@link #close} kills it (by its own process handle).
 */
final class LocalRegistry implements AutoCloseable {
    private final Process process;
    final int port;
    final Path dir;

    private LocalRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** {@code authYaml}: the registry config's {@code auth:} section (indented two spaces), or null for none. */
    static LocalRegistry start(Path dir, String authYaml) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/docker-registry"))) throw new AssertionError("docker-registry is missing: apt-get install docker-registry (./setup --deps)");
        int port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                %s""".formatted(dir.resolve("data"), port, authYaml == null ? "" : "auth:\n" + authYaml));
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(p, port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return r;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    r.close();
                    throw new AssertionError("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** Pushes an OCI archive with skopeo (the registry is plain HTTP). */
    void push(Path ociArchive, String repositoryAndTag, String creds) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
        if (creds != null) cmd.addAll(List.of("--dest-creds", creds));
        cmd.addAll(List.of("oci-archive:" + ociArchive, "docker://" + host() + "/" + repositoryAndTag));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("skopeo copy timed out");
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) throw new AssertionError("skopeo copy failed: " + out);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
