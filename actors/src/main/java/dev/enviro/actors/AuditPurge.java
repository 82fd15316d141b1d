package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import com.typesafe.config.Config;
import dev.enviro.persistence.AuditRetention;
import dev.enviro.persistence.JournalSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * The engine's periodic job over the audit log ({@code enviro.audit}): the history of a container
 * removed longer than {@code retention} ago is deleted ({@link AuditRetention}). Runs on the blocking
 * dispatcher (a few SQL statements); a failure (the journal is down) is logged and the next run retries.
 */
final class AuditPurge {

    /** After an engine start the first purge comes soon, or an engine restarted often would never purge. */
    private static final Duration FIRST_RUN_AT_MOST = Duration.ofMinutes(1);

    private AuditPurge() {}

    static void schedule(ActorSystem<?> system, JournalSettings journal) {
        Config config = system.settings().config();
        Duration retention = config.getDuration("enviro.audit.retention");
        Duration interval = config.getDuration("enviro.audit.purge-interval");
        if (retention.isNegative() || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("enviro.audit: retention must be >= 0 and purge-interval > 0, got "
                    + retention + " and " + interval);
        }
        Duration first = interval.compareTo(FIRST_RUN_AT_MOST) < 0 ? interval : FIRST_RUN_AT_MOST;
        system.scheduler().scheduleWithFixedDelay(first, interval, () -> purge(system, journal, retention),
                system.dispatchers().lookup(DispatcherSelector.fromConfig(ContainerActor.BLOCKING_DISPATCHER)));
    }

    private static void purge(ActorSystem<?> system, JournalSettings journal, Duration retention) {
        try {
            List<String> purged = AuditRetention.purge(journal, Instant.now().minus(retention));
            if (!purged.isEmpty()) {
                system.log().info("audit retention {} passed for {} removed container(s): their history is deleted",
                        retention, purged.size());
            }
        } catch (EnviroError e) {
            system.log().warn(e.getMessage());
        }
    }
}
