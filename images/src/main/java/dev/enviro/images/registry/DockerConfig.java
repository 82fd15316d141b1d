package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.oci.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Docker's credential file, {@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker/config.json}),
 * shared with docker and podman: {@code {"auths": {"<registry>": {"auth": base64(user:password)}}}}.
 * Only the {@code auths} entries are read or changed; every other key of the file is kept as it was.
 * Docker Hub's key is {@code https://index.docker.io/v1/}, for compatibility with docker.
 *
 * <p>A value, not a file: the file is the caller's and is read and written by whoever acts with the
 * caller's rights (the CLI, through its relay), never by the engine.
 */
public final class DockerConfig {
    private static final String HUB_KEY = "https://index.docker.io/v1/";
    private final String name;
    private final ObjectNode root;

    private DockerConfig(String name, ObjectNode root) {
        this.name = name;
        this.root = root;
    }

    /**
     * Where the caller's tools keep the file: {@code $DOCKER_CONFIG/config.json}, else
     * {@code $HOME/.docker/config.json}, from the caller's environment; empty without either.
     */
    public static Optional<String> location(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) return Optional.of(dir + "/config.json");
        String home = env.get("HOME");
        return home == null || home.isEmpty() ? Optional.empty() : Optional.of(home + "/.docker/config.json");
    }

    /** The file's content ({@code null}: there is no file); {@code name} is how messages name it. */
    public static DockerConfig parse(byte[] content, String name) throws EnviroError {
        if (content == null || content.length == 0) return new DockerConfig(name, Json.MAPPER.createObjectNode());
        if (!(Json.parse(content, name) instanceof ObjectNode root)) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, name + ": not a JSON object: fix or remove it");
        }
        return new DockerConfig(name, root);
    }

    /** The credentials stored for {@code registry} (a name as references spell it: {@code docker.io}, {@code host:port}). */
    public Optional<Credentials> find(String registry) throws EnviroError {
        JsonNode auths = root.path("auths");
        for (String key : keys(registry)) {
            JsonNode entry = auths.get(key);
            if (entry == null) continue;
            String auth = entry.path("auth").asText("");
            if (auth.isEmpty()) continue;
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, name + ": the auth of " + key + " is not base64: run 'enviro login " + registry + "' again");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, name + ": the auth of " + key + " is not user:password: run 'enviro login " + registry + "' again");
            return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        return Optional.empty();
    }

    /** Records credentials for {@code registry}, replacing any it had under another of its keys. */
    public void store(String registry, Credentials credentials) {
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        for (String key : keys(registry)) auths.remove(key);
        String auth = Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.secret()).getBytes(StandardCharsets.UTF_8));
        auths.putObject(keys(registry)[0]).put("auth", auth);
    }

    /** Removes the credentials of {@code registry}; false when there were none. */
    public boolean erase(String registry) {
        if (!(root.get("auths") instanceof ObjectNode auths)) return false;
        boolean any = false;
        for (String key : keys(registry)) any |= auths.remove(key) != null;
        return any;
    }

    /** The file's new content, pretty-printed as docker writes it. */
    public byte[] toBytes() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that was parsed cannot be written: " + e.getMessage(), e);
        }
    }

    /** The keys a registry may be stored under: docker writes Docker Hub's legacy URL, some tools the bare host or a URL. */
    private static String[] keys(String registry) {
        if (registry.equals("docker.io")) return new String[] {HUB_KEY, "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1"};
        return new String[] {registry, "https://" + registry, "http://" + registry};
    }
}
