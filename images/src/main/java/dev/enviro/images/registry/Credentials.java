package dev.enviro.images.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or token) for one registry. {@link #toString} never shows the secret. */
public record Credentials(String username, String secret) {
    public Credentials {
        if (username == null || username.isEmpty()) throw new IllegalArgumentException("empty registry user name");
        if (secret == null) throw new IllegalArgumentException("no registry password");
    }

    /** The HTTP Basic header value. */
    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]";
    }
}
