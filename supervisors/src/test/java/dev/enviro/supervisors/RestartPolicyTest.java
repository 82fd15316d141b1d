package dev.enviro.supervisors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    @Test
    void parsesDockerSpellingsAndRoundTrips() {
        for (String s : new String[] {"no", "on-failure", "on-failure:3", "always", "unless-stopped"}) {
            assertEquals(s, RestartPolicy.parse(s).toString());
        }
        assertEquals(RestartPolicy.NO, RestartPolicy.parse(null));
        assertEquals(RestartPolicy.NO, RestartPolicy.parse(""));
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("sometimes"));
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("always:3"));
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("on-failure:x"));
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("on-failure:-1"));
    }

    @Test
    void onFailureRetriesNonZeroExitsUpToItsCount() {
        RestartPolicy p = RestartPolicy.parse("on-failure:3");
        assertTrue(p.restartsAfterExit(1, false, 0));
        assertTrue(p.restartsAfterExit(1, false, 2));
        assertFalse(p.restartsAfterExit(1, false, 3));
        assertFalse(p.restartsAfterExit(0, false, 0));
        assertFalse(p.restartsAfterExit(137, true, 0));
        assertTrue(RestartPolicy.parse("on-failure").restartsAfterExit(1, false, 1000));
    }

    @Test
    void aUsersStopHoldsUntilTheEngineStartsForAlwaysOnly() {
        RestartPolicy always = RestartPolicy.parse("always");
        RestartPolicy unlessStopped = RestartPolicy.parse("unless-stopped");
        assertTrue(always.restartsAfterExit(0, false, 50));
        assertFalse(always.restartsAfterExit(0, true, 0));
        assertFalse(unlessStopped.restartsAfterExit(0, true, 0));
        assertTrue(always.startsWithEngine(true));
        assertFalse(unlessStopped.startsWithEngine(true));
        assertTrue(unlessStopped.startsWithEngine(false));
        assertFalse(RestartPolicy.NO.startsWithEngine(false));
        assertFalse(RestartPolicy.NO.restartsAfterExit(1, false, 0));
    }

    @Test
    void delaysDoubleFrom100msToACapOfOneMinuteAndResetAfterAStableRun() {
        Duration quick = Duration.ofMillis(5);
        Duration d = RestartPolicy.delay(Duration.ZERO, quick);
        assertEquals(Duration.ofMillis(100), d);
        d = RestartPolicy.delay(d, quick);
        assertEquals(Duration.ofMillis(200), d);
        for (int i = 0; i < 20; i++) {
            d = RestartPolicy.delay(d, quick);
        }
        assertEquals(Duration.ofMinutes(1), d);
        assertEquals(Duration.ofMillis(100), RestartPolicy.delay(d, Duration.ofSeconds(10)));
    }
}
