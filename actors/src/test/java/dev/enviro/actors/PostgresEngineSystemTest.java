package dev.enviro.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.enviro.persistence.PostgresCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Every {@link EngineSystemTest} case on a PostgreSQL journal: one private server, one database per test. */
class PostgresEngineSystemTest extends EngineSystemTest {

    private static PostgresCluster postgres;

    @Override
    Config journal() throws Exception {
        synchronized (PostgresEngineSystemTest.class) {
            if (postgres == null) {
                postgres = PostgresCluster.create();
            }
        }
        return ConfigFactory.parseMap(Map.of("enviro.journal.backend", "postgres",
                "enviro.journal.url", postgres.newDatabase(), "enviro.journal.user", PostgresCluster.USER));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
