package dev.enviro.actors;

import dev.enviro.supervisors.Supervision;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.enviro.persistence.JournalConfig;
import dev.enviro.persistence.JournalSchema;
import dev.enviro.persistence.JournalSettings;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Starts an engine: the journal (the {@code enviro.journal} settings: H2 in the state directory or PostgreSQL), an ActorSystem whose guardian is the
 * {@link EngineRegistry}, and the {@link Engine} facade over it. The registry recovers from the
 * journal at once and wakes every known container, so running ones are re-adopted at start, not on
 * first use.
 */
public final class EngineSystem {

    /** The ActorSystem's name: the same on every node, as a future cluster requires. */
    public static final String SYSTEM_NAME = "enviro";

    private EngineSystem() {}

    public static Engine start(EngineSettings settings) {
        return start(settings, ConfigFactory.load());
    }

    /** {@code config} is the application's configuration; the journal's settings are put in front of it. */
    public static Engine start(EngineSettings settings, Config config) {
        JournalSettings journal = JournalSettings.from(config, settings.stateDir());
        JournalSchema.ensure(journal);
        Config full = JournalConfig.of(journal).withFallback(config);
        ActorSystem<EngineRegistry.Command> system = ActorSystem.create(
                Supervision.restartedFromJournal(EngineRegistry.create(settings.executor(), settings.nodeName())),
                SYSTEM_NAME, full);
        system.log().info("engine {} started on {} with the {} executor and the {} journal at {}", settings.nodeName(),
                settings.stateDir(), settings.executor().type(), journal.backend(), journal.location());
        AuditPurge.schedule(system, journal);
        return new ActorEngine(system, settings.images(), journal, settings.nodeName(), settings.executor(), settings.stateDir());
    }
}
