package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.SecurityOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The security flags of {@code run} (docs/security.md); the engine checks their values. */
final class SecurityFlags {
    @Option(names = "--cap-add", paramLabel = "CAP", split = ",", description = "Add a capability (NET_ADMIN, CAP_SYS_TIME, ALL).")
    List<String> capAdd = new ArrayList<>();
    @Option(names = "--cap-drop", paramLabel = "CAP", split = ",", description = "Drop a capability, or ALL.")
    List<String> capDrop = new ArrayList<>();
    @Option(names = "--privileged", description = "All capabilities, no seccomp filter, no masked paths (still in a user namespace).")
    boolean privileged;
    @Option(names = "--security-opt", paramLabel = "OPT",
            description = "seccomp=unconfined, seccomp=PROFILE.json (Docker/OCI format), no-new-privileges[=true|false].")
    List<String> securityOpt = new ArrayList<>();
    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "A resource limit, e.g. nofile=1024:2048.")
    List<String> ulimits = new ArrayList<>();

    /**
     * Sets the spec's security options. A seccomp profile path is read here, as Docker's client does:
     * the engine may run on another host, and the file's content is what the journal must keep.
     */
    void apply(Caller caller, ContainerSpec.Builder spec) {
        SecurityOptions.Builder s = SecurityOptions.newBuilder().addAllCapAdd(capAdd).addAllCapDrop(capDrop).setPrivileged(privileged)
                .addAllUlimit(ulimits);
        for (String opt : securityOpt) {
            if (opt.startsWith("seccomp=") && !opt.equals("seccomp=unconfined") && !opt.startsWith("seccomp={")) {
                String profile = opt.substring("seccomp=".length());
                try (java.io.InputStream in = caller.openFile(profile)) {
                    s.addSecurityOpt("seccomp=" + StorageFlags.utf8(in.readAllBytes()));
                } catch (IOException e) {
                    throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--security-opt " + opt + ": cannot read " + profile + ": " + Caller.reason(e));
                }
            } else {
                s.addSecurityOpt(opt);
            }
        }
        if (s.getCapAddCount() + s.getCapDropCount() + s.getSecurityOptCount() + s.getUlimitCount() > 0 || privileged) {
            spec.setSecurity(s);
        }
    }
}
