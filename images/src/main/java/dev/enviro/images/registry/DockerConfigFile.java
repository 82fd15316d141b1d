package dev.enviro.images.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.ImageException;
import dev.enviro.images.oci.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * Docker's credential file, {@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker/config.json}),
 * shared with docker and podman: {@code {"auths": {"<registry>": {"auth": base64(user:password)}}}}.
 * Only the {@code auths} entries are read or written; every other key of the file is kept as it was.
 * Docker Hub's key is {@code https://index.docker.io/v1/}, for compatibility with docker.
 */
public final class DockerConfigFile {
    private static final String HUB_KEY = "https://index.docker.io/v1/";
    private final Path file;

    public DockerConfigFile(Path file) {
        this.file = file;
    }

    /** The file the current user's tools use. */
    public static DockerConfigFile ofCurrentUser() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path base = dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".docker");
        return new DockerConfigFile(base.resolve("config.json"));
    }

    public Path path() {
        return file;
    }

    /** The credentials stored for {@code registry} (a name as references spell it: {@code docker.io}, {@code host:port}). */
    public Optional<Credentials> find(String registry) throws ImageException {
        JsonNode auths = read().path("auths");
        for (String key : keys(registry)) {
            JsonNode entry = auths.get(key);
            if (entry == null) continue;
            String auth = entry.path("auth").asText("");
            if (auth.isEmpty()) continue;
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ImageException(ImageException.Kind.MALFORMED, file + ": the auth of " + key + " is not base64: run 'enviro login " + registry + "' again");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) throw new ImageException(ImageException.Kind.MALFORMED, file + ": the auth of " + key + " is not user:password: run 'enviro login " + registry + "' again");
            return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        return Optional.empty();
    }

    /** Records credentials for {@code registry}: the file is written to a temporary file (0600), fsynced, renamed. */
    public void store(String registry, Credentials credentials) throws ImageException {
        ObjectNode root = read();
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        for (String key : keys(registry)) auths.remove(key);
        String auth = Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.secret()).getBytes(StandardCharsets.UTF_8));
        auths.putObject(keys(registry)[0]).put("auth", auth);
        write(root);
    }

    /** Removes the credentials of {@code registry}; false when there were none. */
    public boolean erase(String registry) throws ImageException {
        ObjectNode root = read();
        if (!(root.get("auths") instanceof ObjectNode auths)) return false;
        boolean any = false;
        for (String key : keys(registry)) any |= auths.remove(key) != null;
        if (any) write(root);
        return any;
    }

    /** The keys a registry may be stored under: docker writes Docker Hub's legacy URL, some tools the bare host or a URL. */
    private static String[] keys(String registry) {
        if (registry.equals("docker.io")) return new String[] {HUB_KEY, "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1"};
        return new String[] {registry, "https://" + registry, "http://" + registry};
    }

    private ObjectNode read() throws ImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length == 0) return Json.MAPPER.createObjectNode();
        return (ObjectNode) Json.parse(bytes, file.toString());
    }

    private void write(ObjectNode root) throws ImageException {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".config.json.", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(ByteBuffer.wrap(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.IO, file + ": cannot write: " + e.getMessage() + ": check the permissions of " + file.getParent(), e);
        }
    }
}
