package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.Echo;
import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.ImageConfig;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.ResolvedProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process a container runs: the image's config under the user's overrides, merged as {@code docker run}
 * merges them. Its refusals name no container: the caller knows which one (or that none exists yet).
 */
final class ProcessResolution {
    private ProcessResolution() {}

    /** Docker's default PATH, for images that set none. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static ResolvedProcess resolve(ContainerSpec spec, ImageConfig image, UserDatabase users) throws EnviroError {
        // An overridden entrypoint drops the image's Cmd too: it was written for the image's entrypoint.
        List<String> entrypoint = spec.entrypoint() != null ? spec.entrypoint() : image.entrypoint();
        List<String> cmd = !spec.command().isEmpty() ? spec.command() : spec.entrypoint() != null ? List.of() : image.cmd();
        List<String> argv = new ArrayList<>(entrypoint);
        argv.addAll(cmd);
        if (argv.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "image " + spec.image() + " has no Entrypoint or Cmd: give a command after the image name");
        }

        String cwd = spec.workdir() != null ? spec.workdir()
                : image.workingDir() != null && !image.workingDir().isEmpty() ? image.workingDir() : "/";
        if (!cwd.startsWith("/")) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT,
                    "working directory '" + Echo.of(cwd) + "' is not absolute: give a path starting with /");
        }

        String userSpec = spec.user() != null ? spec.user() : image.user() != null ? image.user() : "";
        Identity id = identity(spec, userSpec, users);

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("HOSTNAME", spec.effectiveHostname());
        for (String e : image.env()) put(env, e);
        for (String e : spec.env()) put(env, e);
        env.putIfAbsent("HOME", id.home);
        List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        return new ResolvedProcess(argv, envList, cwd, id.uid, id.gid, id.groups);
    }

    private static void put(Map<String, String> env, String entry) {
        int eq = entry.indexOf('=');
        if (eq < 0) env.remove(entry); // "KEY" without a value unsets it, as in an image config
        else env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }

    private record Identity(int uid, int gid, List<Integer> groups, String home) {}

    /** {@code ""} is root; otherwise {@code user[:group]}, each a number or a name from the image. */
    private static Identity identity(ContainerSpec spec, String userSpec, UserDatabase users) throws EnviroError {
        if (userSpec.isEmpty()) {
            String home = users.user(0).map(UserDatabase.User::home).filter(h -> !h.isEmpty()).orElse("/root");
            return new Identity(0, 0, users.user(0).map(u -> users.memberships(u.name())).orElse(List.of()), home);
        }
        int colon = userSpec.indexOf(':');
        String userPart = colon < 0 ? userSpec : userSpec.substring(0, colon);
        String groupPart = colon < 0 ? null : userSpec.substring(colon + 1);

        Integer numericUid = UserDatabase.number(userPart);
        Optional<UserDatabase.User> user = numericUid != null ? users.user(numericUid) : users.user(userPart);
        if (numericUid == null && user.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "user '" + Echo.of(userPart)
                    + "' is not in the image's /etc/passwd: give a numeric uid or a user the image defines");
        }
        int uid = numericUid != null ? numericUid : user.get().uid();
        int gid = user.map(UserDatabase.User::gid).orElse(0);
        if (groupPart != null) {
            Integer numericGid = UserDatabase.number(groupPart);
            if (numericGid != null) {
                gid = numericGid;
            } else {
                gid = users.group(groupPart).map(UserDatabase.Group::gid).orElseThrow(() -> new EnviroError(
                        ErrorCode.INVALID_ARGUMENT, "group '" + Echo.of(groupPart)
                        + "' is not in the image's /etc/group: give a numeric gid or a group the image defines"));
            }
        }
        final int primary = gid;
        List<Integer> groups = user.map(u -> users.memberships(u.name())).orElse(List.of()).stream()
                .filter(g -> g != primary).toList();
        String home = user.map(UserDatabase.User::home).filter(h -> !h.isEmpty()).orElse("/");
        return new Identity(uid, gid, groups, home);
    }
}
