package dev.enviro.actors;

import dev.enviro.persistence.ContainerDefinition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * Container calls through the registry for actors that act on containers themselves (a service on its
 * replicas): the same routes, checks and events as a client's call, with the caller's correlation id.
 */
final class RegistryClient {

    private final ActorRef<EngineRegistry.Command> registry;
    private final Scheduler scheduler;
    private final Duration timeout;

    RegistryClient(ActorRef<EngineRegistry.Command> registry, Scheduler scheduler, Duration timeout) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** Every container that has a view (registered ones whose create never landed are left out). */
    CompletionStage<List<ContainerView>> list() {
        CompletionStage<List<ActorRef<ContainerActor.Command>>> actors =
                AskPattern.ask(registry, EngineRegistry.ListContainers::new, timeout, scheduler);
        return actors.thenCompose(refs -> {
            List<CompletableFuture<ContainerView>> views = new ArrayList<>();
            for (ActorRef<ContainerActor.Command> ref : refs) {
                views.add(AskPattern.askWithStatus(ref, ContainerActor.Get::new, timeout, scheduler)
                        .toCompletableFuture().exceptionally(error -> null));
            }
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(done -> views.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList());
        });
    }

    CompletionStage<ContainerView> create(ContainerDefinition request, String correlationId) {
        return AskPattern.askWithStatus(registry,
                replyTo -> new EngineRegistry.CreateContainer(request, correlationId, replyTo), timeout, scheduler);
    }

    CompletionStage<ContainerView> call(String ref, Function<ActorRef<StatusReply<ContainerView>>, ContainerActor.Request> command,
                                        String correlationId, Duration within) {
        return AskPattern.askWithStatus(registry, replyTo -> new EngineRegistry.Forward(ref,
                r -> new ContainerActor.Correlated(correlationId, command.apply(r)), replyTo), within, scheduler);
    }
}
