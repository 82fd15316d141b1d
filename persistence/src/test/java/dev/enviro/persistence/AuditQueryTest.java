package dev.enviro.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditQueryTest {

    private static final Instant T = Instant.parse("2025-06-01T12:00:00Z");
    private static final ContainerEvent EXIT = new ContainerEvent.Exited("c1", 3, 0, false, T, T, Origin.UNKNOWN);

    @Test
    void filtersByTimeSubjectAndTypeOrTopic() {
        assertTrue(AuditQuery.all().matches(EXIT));
        assertTrue(new AuditQuery(T, T, Set.of("c1"), Set.of("Exited"), false, 0).matches(EXIT));
        assertTrue(new AuditQuery(null, null, Set.of(), Set.of("/tasks/exit"), false, 0).matches(EXIT));
        assertFalse(new AuditQuery(T.plusNanos(1), null, Set.of(), Set.of(), false, 0).matches(EXIT));
        assertFalse(new AuditQuery(null, T.minusNanos(1), Set.of(), Set.of(), false, 0).matches(EXIT));
        assertFalse(new AuditQuery(null, null, Set.of("c2"), Set.of(), false, 0).matches(EXIT));
        assertFalse(new AuditQuery(null, null, Set.of(), Set.of("Started"), false, 0).matches(EXIT));
    }

    @Test
    void untilBeforeSinceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AuditQuery(T, T.minusSeconds(1), null, null, false, 0));
    }

    @Test
    void topicsFollowContainerd() {
        assertEquals("/tasks/exit", EXIT.topic());
        assertEquals("Exited", EXIT.type());
        assertEquals("/containers/delete", new ContainerEvent.Removed("c1", T, Origin.UNKNOWN).topic());
        assertEquals("/images/load", new ImageEvent.Loaded("busybox", "sha256:x", T, Origin.UNKNOWN).topic());
        assertEquals(Set.of(EventTags.LIFECYCLE), EventTags.of(EXIT));
        assertEquals(Set.of(), EventTags.of("not an event"));
    }
}
