package dev.enviro.images.registry;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.time.Duration;
import java.util.Set;

/** {@code enviro login}'s question to a registry: does it accept these credentials (docker login's check)? */
public final class RegistryLogin {
    private RegistryLogin() {}

    /**
     * Returns when {@code registry} ({@code docker.io}, {@code host[:port]}, or an https URL whose path is
     * ignored) accepts {@code credentials}; fails DENIED when it refuses them, as a pull would otherwise
     * fail later. Plain HTTP for loopback and the {@code insecure} registries, as for pulls.
     */
    public static void check(String registry, Credentials credentials, Set<String> insecure) throws EnviroError {
        String host = registry.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        if (host.isEmpty() || host.contains("@") || host.chars().anyMatch(Character::isWhitespace)) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "registry '" + Echo.of(registry) + "' is not a registry host: give one such as docker.io or localhost:5000");
        }
        // any repository names the registry; a login asks a token for none of them
        Reference ref = Reference.parse(host + "/login");
        new RegistryClient(RegistryHttp.standard(), ref, credentials, RegistryClient.plainHttp(ref.registry(), insecure),
                Duration.ofMillis(250)).checkLogin();
    }
}
