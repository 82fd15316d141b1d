package dev.enviro.images;

import java.util.List;

/** The runtime-relevant part of an OCI image config ({@code config} object); absent fields are null or empty. */
public record ImageConfig(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user) {
    public ImageConfig {
        env = env == null ? List.of() : List.copyOf(env);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
    }
}
