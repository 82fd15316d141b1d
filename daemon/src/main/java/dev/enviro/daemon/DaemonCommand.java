package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.persistence.Resources;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EffectiveUser;
import dev.enviro.cli.EnviroCommand;
import dev.enviro.daemon.relay.RelayServer;
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
public final class DaemonCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @picocli.CommandLine.Option(names = "--journal", paramLabel = "h2|postgres",
            description = "Where the event journal lives: h2 (a file in the state directory, the default) or postgres.")
    String journal;

    @picocli.CommandLine.Option(names = "--journal-url", paramLabel = "URL",
            description = "The PostgreSQL journal's JDBC URL, jdbc:postgresql://HOST:PORT/DB "
                    + "(user and password: ENVIRO_JOURNAL_USER, ENVIRO_JOURNAL_PASSWORD).")
    String journalUrl;

    @picocli.CommandLine.Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "A registry to pull from over plain HTTP (repeatable); loopback ones (localhost, 127.0.0.0/8, [::1]) always are.")
    java.util.List<String> insecureRegistries = new java.util.ArrayList<>();

    @picocli.CommandLine.Option(names = "--disk-min-free", paramLabel = "SIZE",
            description = "Refuse new containers, pulls and loads while the state directory's filesystem has less free (default 64m).")
    String diskMinFree;

    @picocli.CommandLine.Option(names = "--disk-reserve", paramLabel = "SIZE",
            description = "Space the engine holds back for its journal, released when the disk fills anyway (default 32m; 0: none).")
    String diskReserve;

    // read by bin/enviro-jvm, which starts this JVM with it as -Xmx; declared here to be documented and accepted
    @picocli.CommandLine.Option(names = "--max-heap", paramLabel = "SIZE",
            description = "The engine's Java heap at most (default 512m), as the JVM's -Xmx takes it (e.g. 1g).")
    String maxHeap;

    @picocli.CommandLine.Option(names = {"-G", "--group"}, paramLabel = "GROUP",
            description = "Let this group's members use the engine (its sockets 0660 and the group's), as dockerd's --group.")
    String group;

    @Override
    public Integer call() throws InterruptedException {
        if (root.inEngine()) {
            // a relay reached an engine at this address: this line runs inside it
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "an Enviro engine is already running at " + root.address() + ": stop it first, or give this one another --host");
        }
        DaemonSettings.logAtInfo();
        // The flags are the enviro.journal.* settings (docs/lifecycle.md); properties win over the environment.
        if (journal != null) System.setProperty("enviro.journal.backend", journal);
        if (journalUrl != null) System.setProperty("enviro.journal.url", journalUrl);
        try {
            if (diskMinFree != null) System.setProperty("enviro.engine.disk.min-free", Long.toString(Resources.parseBytes("--disk-min-free", diskMinFree)));
            if (diskReserve != null) System.setProperty("enviro.engine.disk.reserve", Long.toString(Resources.parseBytes("--disk-reserve", diskReserve)));
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        if (journal != null || journalUrl != null || diskMinFree != null || diskReserve != null) {
            com.typesafe.config.ConfigFactory.invalidateCaches();
        }
        int uid = EffectiveUser.uid();
        DaemonSettings settings;
        try {
            settings = new DaemonSettings(DaemonSettings.stateDir(root.stateDir(), root.caller().env(), uid), root.address(), java.util.Set.copyOf(insecureRegistries));
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        EnviroDaemon daemon = EnviroDaemon.start(settings);
        RelayServer relay;
        try {
            relay = RelayServer.bind(settings.address().cliSocket(), "rw-------", daemon::inProcessClient, daemon.cliSessions());
        } catch (java.io.IOException e) {
            daemon.close();
            throw new EnviroError(ErrorCode.INTERNAL, "cannot listen on " + settings.address().cliSocket() + ": " + e.getMessage(), e);
        }
        if (group != null) {
            try {
                SocketGroup.grant(group, settings.address().socket(), settings.address().cliSocket());
            } catch (java.io.IOException e) {
                relay.close();
                daemon.close();
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--group " + group + ": cannot give it the engine's sockets: "
                        + e.getMessage(), e);
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> Thread.ofPlatform().name("enviro-shutdown").start(() -> {
            try {
                relay.close();
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
