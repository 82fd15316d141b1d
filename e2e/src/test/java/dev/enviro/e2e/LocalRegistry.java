package dev.enviro.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's docker-registry on a free port (of 127.0.0.1 unless told), storage in a temporary directory; images pushed with skopeo. */
final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final String address;
    private final int port;

    private LocalRegistry(Process process, String address, int port) {
        this.process = process;
        this.address = address;
        this.port = port;
    }

    static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, "127.0.0.1");
    }

    /** On {@code address}: one of this host's addresses, or a name that resolves to one (host() then names it so). */
    static LocalRegistry start(Path dir, String address) throws IOException, InterruptedException {
        return start(dir, address, null);
    }

    /** {@code authYaml}: the registry config's {@code auth:} section (indented two spaces), or null for none. */
    static LocalRegistry start(Path dir, String address, String authYaml) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + dir.resolve("registry-data")
                + "\nhttp:\n  addr: " + address + ":" + port + "\n" + (authYaml == null ? "" : "auth:\n" + authYaml));
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(p, address, port);
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket(address, port)) {
                return r;
            } catch (IOException notYet) {
                if (!p.isAlive()) break;
                Thread.sleep(50);
            }
        }
        r.close();
        throw new IllegalStateException("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
    }

    String host() {
        return address + ":" + port;
    }

    void push(Path ociArchive, String repositoryAndTag) throws IOException, InterruptedException {
        push(ociArchive, repositoryAndTag, null);
    }

    /** With {@code creds} (user:password) for a registry that wants a login. */
    void push(Path ociArchive, String repositoryAndTag, String creds) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
        if (creds != null) cmd.add("--dest-creds=" + creds);
        cmd.addAll(List.of("oci-archive:" + ociArchive, "docker://" + host() + "/" + repositoryAndTag));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("skopeo copy failed: " + out);
    }

    /** Pushes an OCI layout directory (its only image). */
    void pushLayout(Path layout, String repositoryAndTag) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci:" + layout,
                "docker://" + host() + "/" + repositoryAndTag).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("skopeo copy failed: " + out);
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
