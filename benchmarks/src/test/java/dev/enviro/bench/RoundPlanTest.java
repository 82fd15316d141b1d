package dev.enviro.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoundPlanTest {

    private static final List<VariantKind> ALL = List.of(VariantKind.values());

    @Test
    void everyRoundRunsEveryVariantExactlyOnce() {
        RoundPlan plan = RoundPlan.shuffled(ALL, 3, 30, 42);
        assertEquals(33, plan.rounds().size());
        for (List<VariantKind> round : plan.rounds()) {
            assertEquals(ALL.size(), round.size());
            assertEquals(EnumSet.allOf(VariantKind.class), EnumSet.copyOf(round));
        }
    }

    @Test
    void theOrderChangesBetweenRoundsAndTheSeedReproducesIt() {
        RoundPlan plan = RoundPlan.shuffled(ALL, 0, 30, 42);
        Set<List<VariantKind>> distinct = new HashSet<>(plan.rounds());
        assertTrue(distinct.size() > 5, "30 shuffles of 4 variants gave only " + distinct.size() + " orders");
        assertEquals(plan, RoundPlan.shuffled(ALL, 0, 30, 42));
        assertNotEquals(plan, RoundPlan.shuffled(ALL, 0, 30, 43));
    }

    @Test
    void warmUpRoundsComeFirstAndAreNotMeasured() {
        RoundPlan plan = RoundPlan.shuffled(List.of(VariantKind.CRUN), 2, 5, 1);
        assertFalse(plan.measured(0));
        assertFalse(plan.measured(1));
        assertTrue(plan.measured(2));
        assertTrue(plan.measured(6));
    }

    @Test
    void rejectsAPlanThatWouldMeasureNothing() {
        assertThrows(IllegalArgumentException.class, () -> RoundPlan.shuffled(List.of(), 0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> RoundPlan.shuffled(ALL, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RoundPlan.shuffled(ALL, -1, 5, 1));
    }
}
