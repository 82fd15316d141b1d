package dev.enviro.runtime;

import dev.enviro.persistence.ContainerDefinition;
import dev.enviro.persistence.Resources;
import dev.enviro.persistence.RunOptions;
import dev.enviro.persistence.SecurityOptions;
import java.util.List;
import java.util.Objects;

/**
 * A container for an executor: its definition ({@link ContainerDefinition}, the one the API and the
 * journal have) and the id the engine gave it (64 hex characters). The accessors read the definition.
 */
public record ContainerSpec(String id, ContainerDefinition definition) {

    public ContainerSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(definition.name(), "name");
        Objects.requireNonNull(definition.image(), "image");
    }

    public String name() { return definition.name(); }
    public String image() { return definition.image(); }
    public List<String> entrypoint() { return definition.entrypoint(); }
    public List<String> command() { return definition.command(); }
    public List<String> env() { return definition.env(); }
    public String workdir() { return definition.workdir(); }
    public String user() { return definition.user(); }
    public String hostname() { return definition.hostname(); }
    public Resources resources() { return definition.resources(); }
    public SecurityOptions security() { return definition.security(); }
    public RunOptions options() { return definition.options(); }
    public dev.enviro.persistence.NetworkOptions network() { return definition.network(); }

    public String effectiveHostname() {
        String hostname = definition.hostname();
        return hostname != null && !hostname.isBlank() ? hostname : id.substring(0, Math.min(12, id.length()));
    }
}
