package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.persistence.RegistryEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryStateTest {

    private static final String WEB = "abc123" + "0".repeat(58);
    private static final String DB = "abd456" + "1".repeat(58);
    private static final String NAMED_LIKE_AN_ID = "ffff00" + "2".repeat(58);

    private final RegistryState state = RegistryState.empty()
            .apply(new RegistryEvent.Registered(WEB, "web", Instant.EPOCH))
            .apply(new RegistryEvent.Registered(DB, "db", Instant.EPOCH))
            .apply(new RegistryEvent.Registered(NAMED_LIKE_AN_ID, "abd4", Instant.EPOCH));

    @Test
    void resolvesFullIdsNamesAndUniquePrefixes() {
        assertEquals(WEB, state.resolve(WEB));
        assertEquals(DB, state.resolve("db"));
        assertEquals(WEB, state.resolve("abc"));
    }

    @Test
    void anExactNameWinsOverAnIdPrefix() {
        assertEquals(NAMED_LIKE_AN_ID, state.resolve("abd4"));
        assertEquals(DB, state.resolve("abd45"));
    }

    @Test
    void anAmbiguousPrefixIsRefusedWithAHint() {
        EnviroError e = assertThrows(EnviroError.class, () -> state.resolve("ab"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("give more characters"), e.getMessage());
    }

    @Test
    void anUnknownReferenceIsNotFound() {
        EnviroError e = assertThrows(EnviroError.class, () -> state.resolve("nope"));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("no such container: nope", e.getMessage());
    }

    @Test
    void unregisteringFreesTheNameAndKeepsCreationOrder() {
        RegistryState after = state.apply(new RegistryEvent.Unregistered(WEB, Instant.EPOCH));
        assertEquals(List.of(DB, NAMED_LIKE_AN_ID), after.ids());
        assertEquals(null, after.idOfName("web"));
        assertThrows(EnviroError.class, () -> after.resolve("web"));
    }
}
