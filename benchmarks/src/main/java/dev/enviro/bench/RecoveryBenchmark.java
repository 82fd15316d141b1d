package dev.enviro.bench;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.enviro.actors.ContainerActor;
import dev.enviro.actors.ContainerView;
import dev.enviro.persistence.JournalConfig;
import dev.enviro.persistence.JournalSchema;
import dev.enviro.runtime.ContainerProcess;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.Executor;
import dev.enviro.runtime.ExitStatus;
import dev.enviro.runtime.PreparedContainer;
import dev.enviro.persistence.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * Recovery time of one container actor whose journal holds {@code events} events (issue 4: "snapshots
 * keep recovery flat"), on the engine's own H2 file journal, with snapshots off and with the engine's
 * default ({@code enviro.snapshots.every = 100}). The history is {@code Created} followed by
 * {@code ResourcesUpdated} events ({@code enviro update} of a created container), which the actor
 * journals as it would for a user. A run is spawn → the first answer: a {@code Get} is stashed until
 * {@code RecoveryCompleted}, so its answer marks the end of recovery.
 *
 * <p>{@code java -cp target/classes:target/lib/* dev.enviro.bench.RecoveryBenchmark [events] [runs] [postgres]}:
 * with {@code postgres}, the same on a private PostgreSQL server ({@code PostgresCluster}, initdb in /tmp).
 */
public final class RecoveryBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final int WINDOW = 500;
    private static final int WARMUP = 3;

    private RecoveryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        boolean postgres = args.length > 2 && args[2].equals("postgres");
        dev.enviro.persistence.PostgresCluster cluster = postgres ? dev.enviro.persistence.PostgresCluster.create() : null;
        try {
            System.out.printf("recovery of one container actor with %d events, %s journal, median of %d runs (%d warm-up)%n",
                    events, postgres ? "PostgreSQL" : "H2", runs, WARMUP);
            for (int every : new int[] {0, 100}) {
                report(every, measure(events, runs, every, cluster));
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static void report(int every, long[] nanos) {
        Arrays.sort(nanos);
        System.out.printf("snapshots %-13s median %8.1f ms   min %8.1f ms   max %8.1f ms%n",
                every == 0 ? "off" : "every " + every, nanos[nanos.length / 2] / 1e6, nanos[0] / 1e6,
                nanos[nanos.length - 1] / 1e6);
    }

    /** {@code cluster} null: the H2 file journal in a temporary state directory. */
    private static long[] measure(int events, int runs, int every, dev.enviro.persistence.PostgresCluster cluster)
            throws Exception {
        Path stateDir = Files.createTempDirectory("enviro-recovery-bench");
        ActorSystem<Guardian> system = null;
        try {
            dev.enviro.persistence.JournalSettings journal = cluster == null
                    ? dev.enviro.persistence.JournalSettings.h2(stateDir)
                    : dev.enviro.persistence.JournalSettings.postgres(stateDir, cluster.newDatabase(),
                            dev.enviro.persistence.PostgresCluster.USER, "");
            JournalSchema.ensure(journal);
            Config config = ConfigFactory.parseMap(Map.of("enviro.snapshots.every", every, "pekko.loglevel", "WARNING"))
                    .withFallback(JournalConfig.of(journal)).withFallback(ConfigFactory.load());
            system = ActorSystem.create(guardian(), "enviro", config);
            byte[] bytes = new byte[32];
            ThreadLocalRandom.current().nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);

            ActorRef<ContainerActor.Command> writer = spawn(system, id);
            ask(system, writer, r -> new ContainerActor.Create("bench", new ContainerDefinition("bench", "localhost/busybox", null, List.of("true"), List.of(), null, null, null, false, null, null, null, null), r)).join();
            // In windows: an event-sourced actor stashes what arrives while it persists, and its stash is bounded.
            for (int done = 1; done < events; ) {
                List<CompletableFuture<ContainerView>> window = new ArrayList<>();
                for (int i = 0; i < WINDOW && done < events; i++, done++) {
                    long pids = 100 + done;
                    window.add(ask(system, writer, r -> new ContainerActor.Update(new Resources(0, 0, 0, 0, null, pids, null), r)));
                }
                CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
            }
            stop(system, writer);

            long[] nanos = new long[runs];
            for (int run = -WARMUP; run < runs; run++) {
                long start = System.nanoTime();
                ActorRef<ContainerActor.Command> actor = spawn(system, id);
                ContainerView view = ask(system, actor, ContainerActor.Get::new).join();
                long elapsed = System.nanoTime() - start;
                if (view.resources().pidsLimit() != 100 + events - 1) {
                    throw new IllegalStateException("recovered the wrong state: " + view.resources());
                }
                stop(system, actor);
                if (run >= 0) {
                    nanos[run] = elapsed;
                }
            }
            return nanos;
        } finally {
            if (system != null) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
            }
            try (var walk = Files.walk(stateDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static CompletableFuture<ContainerView> ask(ActorSystem<?> system, ActorRef<ContainerActor.Command> actor,
            java.util.function.Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Command> command) {
        return AskPattern.askWithStatus(actor, command::apply, TIMEOUT, system.scheduler()).toCompletableFuture();
    }

    private static ActorRef<ContainerActor.Command> spawn(ActorSystem<Guardian> system, String id) {
        return AskPattern.<Guardian, ActorRef<ContainerActor.Command>>ask(system, r -> new Spawn(id, r), TIMEOUT,
                system.scheduler()).toCompletableFuture().join();
    }

    /** Returns once the actor has stopped: the next one may take its persistence id. */
    private static void stop(ActorSystem<Guardian> system, ActorRef<ContainerActor.Command> actor) {
        AskPattern.<Guardian, Done>ask(system, r -> new Stop(actor, r), TIMEOUT, system.scheduler())
                .toCompletableFuture().join();
    }

    sealed interface Guardian {}

    record Spawn(String id, ActorRef<ActorRef<ContainerActor.Command>> replyTo) implements Guardian {}

    record Stop(ActorRef<ContainerActor.Command> actor, ActorRef<Done> replyTo) implements Guardian {}

    record Stopped(ActorRef<Done> replyTo) implements Guardian {}

    private static Behavior<Guardian> guardian() {
        return Behaviors.receive((context, message) -> {
            switch (message) {
                case Spawn s -> s.replyTo().tell(context.spawnAnonymous(
                        ContainerActor.create(s.id(), new RecordsOnly(), context.getSystem().ignoreRef())));
                case Stop s -> {
                    context.watchWith(s.actor(), new Stopped(s.replyTo()));
                    context.stop(s.actor());
                }
                case Stopped s -> s.replyTo().tell(Done.getInstance());
            }
            return Behaviors.same();
        });
    }

    /** The container is never started: recovery only asks whether a start left something behind. */
    private static final class RecordsOnly implements Executor {
        @Override
        public String type() {
            return "bench";
        }

        @Override
        public PreparedContainer prepare(ContainerSpec spec) throws EnviroError {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "the benchmark starts nothing");
        }

        @Override
        public CompletionStage<ContainerProcess> execute(PreparedContainer prepared) {
            return CompletableFuture.failedStage(new UnsupportedOperationException("the benchmark starts nothing"));
        }

        @Override
        public CompletionStage<ExitStatus> awaitExit(ContainerProcess process) {
            return new CompletableFuture<>();
        }

        @Override
        public Optional<ContainerProcess> adopt(ContainerProcess recorded) {
            return Optional.empty();
        }

        @Override
        public Optional<ExitStatus> recordedExit(ContainerProcess recorded) {
            return Optional.empty();
        }

        @Override
        public void signal(ContainerProcess process, int signal) {}

        @Override
        public void cleanup(String containerId) {}
    }
}
