package dev.enviro.runtime;

import java.util.List;
import java.util.Objects;

/**
 * {@code enviro exec}: one more process in a running container, in its namespaces and cgroup, under its
 * security profile. Unset values come from the container (its user, its workdir); {@code env} is added to
 * the container's environment.
 *
 * @param id      names the exec's log and status files ({@code containers/<id>/exec/<execId>.log})
 * @param argv    the command; looked up on the container's PATH
 * @param user    {@code uid[:gid]} or a name from the image's /etc/passwd; null: the container's user
 * @param workdir an absolute path inside the container; null: the container's workdir
 */
public record ExecSpec(String id, List<String> argv, List<String> env, String user, String workdir, boolean tty, boolean interactive) {

    /** Without a terminal: stdin is /dev/null. */
    public ExecSpec(String id, List<String> argv, List<String> env, String user, String workdir) {
        this(id, argv, env, user, workdir, false, false);
    }

    public ExecSpec {
        Objects.requireNonNull(id, "id");
        argv = List.copyOf(argv);
        env = env == null ? List.of() : List.copyOf(env);
        if (argv.isEmpty()) throw new IllegalArgumentException("exec needs a command");
        if (!id.matches("[a-f0-9]{1,64}")) throw new IllegalArgumentException("exec id " + id + " is not hex");
    }
}
