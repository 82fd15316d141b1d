package dev.enviro.runtime.nativeexec;

import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.Processes;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.ffm.uring.SyscallDispatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Run by {@link RootlessExecutorTest} in a JVM of an unprivileged user: one container, its log and exit on stdout. */
public final class RootlessMain {
    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]), lower = Path.of(args[1]);
        IdMap idMap = NativeExecutor.defaultIdMap();
        System.out.println("engine uid=" + Processes.getuid() + " map=" + idMap.key());
        try (SyscallDispatcher queue = SyscallDispatcher.start()) {
            NativeExecutor executor = new NativeExecutor(stateDir, new FixedImageStore(), new LowerDirSnapshotter(lower), idMap, queue);
            String id = "f".repeat(64);
            ContainerSpec spec = new ContainerSpec(id, ContainerDefinition.of("rootless", "busybox",
                    List.of("sh", "-c", "echo inside=$(id -u):$(id -g); echo map=$(cat /proc/self/uid_map); echo pid=$$; exit 5")));
            ContainerProcess p = executor.execute(executor.prepare(spec)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            ExitStatus status = executor.awaitExit(p).toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.print(Files.readString(p.logPath()));
            System.out.println("exit=" + status.exitCode());
            executor.cleanup(id);
        }
    }
}
