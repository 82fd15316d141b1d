package dev.enviro.cli;

import dev.enviro.grpc.DaemonException;
import dev.enviro.grpc.DaemonSettings;
import dev.enviro.grpc.EffectiveUser;
import dev.enviro.grpc.EnviroDaemon;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/**
 * {@code enviro daemon}: the engine in the foreground, logging to stderr. SIGTERM and SIGINT stop the
 * API and the engine and exit 0; the containers keep running under their monitors.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, description = "Run the engine in the foreground.")
final class DaemonCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Override
    public Integer call() throws InterruptedException {
        QuietLogging.forDaemon();
        int uid = EffectiveUser.uid();
        DaemonSettings settings = new DaemonSettings(DaemonSettings.stateDir(root.stateDir, root.env, uid), root.address());
        EnviroDaemon daemon;
        try {
            daemon = EnviroDaemon.start(settings);
        } catch (DaemonException e) {
            root.err.println("Error: " + e.getMessage());
            return ExitCodes.ENGINE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> Thread.ofPlatform().name("enviro-shutdown").start(() -> {
            try {
                daemon.close();
            } finally {
                stopped.countDown();
            }
        });
        // Handled, not left to the JVM's hooks: a signalled JVM exits 128+n, a stopped daemon exits 0.
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
        stopped.await();
        return 0;
    }
}
