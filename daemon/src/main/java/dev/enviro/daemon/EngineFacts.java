package dev.enviro.daemon;

import dev.enviro.grpc.EffectiveUser;

import dev.enviro.images.Snapshotter;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.cgroups.CgroupDriver;
import dev.enviro.runtime.cgroups.KernelCgroupFiles;
import dev.enviro.ffm.uring.SyscallDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Gathers {@link EngineInfo} from the parts the daemon built and from the host. */
final class EngineFacts {
    private EngineFacts() {}

    static EngineInfo of(Path stateDir, Snapshotter snapshotter, Executor executor, SyscallDispatcher dispatcher, java.util.Set<String> insecureRegistries) {
        // The same detection the native executor makes (its parent cgroup is "enviro" when built by the daemon).
        Optional<CgroupDriver> cgroups = CgroupDriver.detect("enviro", new KernelCgroupFiles(dispatcher));
        String layout = cgroups.map(d -> d + (d.isV2() ? "/<container id>" : ", each container in enviro/<container id> below each"))
                .orElse("none: containers share the engine's cgroup and get no limits (no writable cgroup)");
        return new EngineInfo(EngineInfo.VERSION, stateDir.toAbsolutePath().toString(), snapshotter.name(),
                hostCgroupVersion(Path.of("/sys/fs/cgroup")), layout, EffectiveUser.uid() != 0, executor.type(),
                dispatcher.rings(), journal(stateDir), dev.enviro.ffm.EngineIds.current().describe(), insecureRegistries.stream().sorted().toList());
    }

    /** {@code v2} (unified only), {@code hybrid} (v1 controllers beside an unified v2 mount) or {@code v1}. */
    static String hostCgroupVersion(Path root) {
        try {
            if (Files.getFileStore(root).type().equals("cgroup2")) return "v2";
            return Files.isDirectory(root.resolve("unified")) ? "hybrid (v1 controllers, v2 at " + root.resolve("unified") + ")" : "v1";
        } catch (IOException e) {
            return "unknown (" + root + ": " + e.getMessage() + ")";
        }
    }

    private static String journal(Path stateDir) {
        try {
            dev.enviro.persistence.JournalSettings j = dev.enviro.persistence.JournalSettings.from(com.typesafe.config.ConfigFactory.load(), stateDir);
            return j.backend().name().toLowerCase(java.util.Locale.ROOT) + " at " + j.location();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
