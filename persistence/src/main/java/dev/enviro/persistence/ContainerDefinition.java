package dev.enviro.persistence;

import java.util.List;

/**
 * A container as the user defined it: the one definition the API maps a request to, the journal
 * records ({@link ContainerEvent.Created}), and the executor runs (the runtime's {@code ContainerSpec}
 * is this plus the engine's id). Null (or an empty {@code command}) means "take it from the image",
 * as {@code docker run} does; limits and flags are kept as the user typed them, so that a replayed
 * journal means what it meant when written.
 *
 * @param name          unique; null in a request: the engine generates one
 * @param image         the reference as typed ({@code localhost/busybox}, {@code busybox:latest}, {@code sha256:…})
 * @param entrypoint    overrides the image's Entrypoint when non-null
 * @param command       overrides the image's Cmd when non-empty
 * @param env           {@code KEY=VALUE} entries, applied over the image's Env
 * @param workdir       overrides the image's WorkingDir when non-null
 * @param user          {@code uid[:gid]} or a name from the image's /etc/passwd; overrides the image's User
 * @param hostname      the container's hostname; null: the first 12 characters of its id
 * @param autoRemove    {@code --rm}
 * @param restartPolicy as typed ({@code no}, {@code on-failure:3}, ...); null is {@code no}
 * @param resources     cgroup limits and the OOM score
 * @param security      capabilities, seccomp, no_new_privs, ulimits
 * @param options       volumes, tmpfs, read-only root, log rotation, init, terminal
 * @param network       the network mode, name servers and extra hosts
 */
public record ContainerDefinition(
        String name,
        String image,
        List<String> entrypoint,
        List<String> command,
        List<String> env,
        String workdir,
        String user,
        String hostname,
        boolean autoRemove,
        String restartPolicy,
        Resources resources,
        SecurityOptions security,
        RunOptions options,
        NetworkOptions network) {

    /** With the default network (and as journaled before networks were). */
    public ContainerDefinition(String name, String image, List<String> entrypoint, List<String> command, List<String> env,
            String workdir, String user, String hostname, boolean autoRemove, String restartPolicy, Resources resources,
            SecurityOptions security, RunOptions options) {
        this(name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, restartPolicy, resources, security, options, null);
    }

    public ContainerDefinition {
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
        resources = Resources.orNone(resources);
        security = security == null ? SecurityOptions.DEFAULT : security;
        options = options == null ? RunOptions.DEFAULT : options;
        network = network == null ? NetworkOptions.DEFAULT : network;
    }

    /** Only what a run needs to say; everything else as the image or the engine's defaults have it. */
    public static ContainerDefinition of(String name, String image, List<String> command) {
        return new ContainerDefinition(name, image, null, command, List.of(), null, null, null, false, null, null, null, null);
    }

    /** Under the name the engine chose or checks. */
    public ContainerDefinition withName(String newName) {
        return new ContainerDefinition(newName, image, entrypoint, command, env, workdir, user, hostname, autoRemove, restartPolicy,
                resources, security, options, network);
    }

    /** With the limits {@code enviro update} set. */
    public ContainerDefinition withResources(Resources newResources) {
        return new ContainerDefinition(name, image, entrypoint, command, env, workdir, user, hostname, autoRemove, restartPolicy,
                newResources, security, options, network);
    }
}
