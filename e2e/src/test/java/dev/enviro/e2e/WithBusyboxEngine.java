package dev.enviro.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One root engine with the offline busybox image for all tests of a class: started before the
 * first test, closed (containers, daemon, state directory) after the last, also when tests fail.
 * Test classes run one after another, so the shared field is never used by two classes at once.
 */
abstract class WithBusyboxEngine {

    static EngineFixture engine;

    @BeforeAll
    static void startEngine() throws Exception {
        engine = EngineFixture.root();
        engine.loadBusybox();
    }

    @AfterAll
    static void stopEngine() throws Exception {
        try {
            if (engine != null) engine.close();
        } finally {
            engine = null;
        }
    }
}
