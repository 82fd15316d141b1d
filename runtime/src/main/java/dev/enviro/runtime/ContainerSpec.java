package dev.enviro.runtime;

import java.util.List;
import java.util.Objects;

/**
 * What a user asked for, before the image is consulted. {@code null} (or an empty list for
 * {@code command}) means "take it from the image config", as {@code docker run} does.
 *
 * @param id         64 hex characters, assigned by the engine
 * @param name       unique, user-chosen or generated
 * @param image      the reference as typed ({@code localhost/busybox}, {@code busybox:latest}, {@code sha256:…})
 * @param entrypoint overrides the image's Entrypoint when non-null
 * @param command    overrides the image's Cmd when non-empty
 * @param env        {@code KEY=VALUE} entries, applied over the image's Env
 * @param workdir    overrides the image's WorkingDir when non-null
 * @param user       {@code uid[:gid]} or a name from the image's /etc/passwd; overrides the image's User
 * @param hostname   the container's hostname; {@code null}: the first 12 characters of the id
 * @param resources  cgroup limits and the OOM score; {@code null} reads as {@link Resources#NONE}
 * @param security   capabilities, seccomp, no_new_privs, ulimits as typed; {@code null} reads as {@link SecurityOptions#DEFAULT}
 * @param options    volumes, tmpfs, read-only root, log rotation, init as typed; {@code null} reads as {@link RunOptions#DEFAULT}
 */
public record ContainerSpec(
        String id,
        String name,
        String image,
        List<String> entrypoint,
        List<String> command,
        List<String> env,
        String workdir,
        String user,
        String hostname,
        Resources resources,
        SecurityOptions security,
        RunOptions options) {

    public ContainerSpec(String id, String name, String image, List<String> entrypoint, List<String> command,
                         List<String> env, String workdir, String user, String hostname, Resources resources,
                         SecurityOptions security) {
        this(id, name, image, entrypoint, command, env, workdir, user, hostname, resources, security, RunOptions.DEFAULT);
    }

    public ContainerSpec(String id, String name, String image, List<String> entrypoint, List<String> command,
                         List<String> env, String workdir, String user, String hostname, Resources resources) {
        this(id, name, image, entrypoint, command, env, workdir, user, hostname, resources, SecurityOptions.DEFAULT);
    }

    public ContainerSpec(String id, String name, String image, List<String> entrypoint, List<String> command,
                         List<String> env, String workdir, String user, String hostname) {
        this(id, name, image, entrypoint, command, env, workdir, user, hostname, Resources.NONE);
    }

    public ContainerSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        resources = resources == null ? Resources.NONE : resources;
        security = security == null ? SecurityOptions.DEFAULT : security;
        options = options == null ? RunOptions.DEFAULT : options;
    }

    public String effectiveHostname() {
        return hostname != null && !hostname.isBlank() ? hostname : id.substring(0, Math.min(12, id.length()));
    }
}
