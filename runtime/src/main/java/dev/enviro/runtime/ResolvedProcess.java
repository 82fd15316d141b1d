package dev.enviro.runtime;

import java.util.List;

/** The process a container will run, after image config and overrides are merged. */
public record ResolvedProcess(List<String> argv, List<String> env, String cwd, int uid, int gid, List<Integer> groups) {

    public ResolvedProcess {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
    }
}
