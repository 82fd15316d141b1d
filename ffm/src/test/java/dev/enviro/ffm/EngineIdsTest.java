package dev.enviro.ffm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which ids an engine gives its containers, from the user namespace it runs in. */
class EngineIdsTest {

    private static final String HOST = "         0          0 4294967295\n";

    @Test
    void rootOfTheHostMapsA65536RangeAt100000() {
        EngineIds ids = EngineIds.of(0, 0, HOST, HOST, null);
        assertEquals(IdMap.defaultRoot(), ids.containers());
        assertNull(ids.note());
        assertEquals("uids 0-65535 -> 100000-165535; gids 0-65535 -> 100000-165535", ids.describe());
    }

    @Test
    void rootOfItsOwnNamespaceGivesContainersEveryIdOfIt() {
        String uids = "0 1001 1\n1 100000 65536\n", gids = "         0       1002          1\n         1     200000      65536\n";
        EngineIds ids = EngineIds.of(0, 0, uids, gids, null);
        // one line per line of the engine's map: a child's line may not span two of its parent's
        List<IdMap.Range> same = List.of(new IdMap.Range(0, 0, 1), new IdMap.Range(1, 1, 65536));
        assertEquals(same, ids.containers().uids());
        assertEquals(same, ids.containers().gids());
        assertFalse(ids.containers().isSingleId());
        assertNull(ids.note());
        assertEquals("uids 0 -> 1001, 1-65536 -> 100000-165535; gids 0 -> 1002, 1-65536 -> 200000-265535", ids.describe());
    }

    @Test
    void aNamespaceWithAGapGivesTheIdsUpToIt() {
        EngineIds ids = EngineIds.of(0, 0, "0 1001 1\n5 100000 10\n", "0 1001 1\n", null);
        assertEquals(List.of(new IdMap.Range(0, 0, 1)), ids.containers().uids());
        assertTrue(ids.containers().isSingleId());
        assertTrue(ids.note().contains("one id"), ids.note());
    }

    @Test
    void anUnprivilegedEngineOnTheHostMapsItsOwnIdAndSaysWhy() {
        String why = "one id (root) only: user x has no range in /etc/subuid and /etc/subgid; grant one";
        EngineIds ids = EngineIds.of(1001, 1002, HOST, HOST, why);
        assertEquals(IdMap.single(1001, 1002), ids.containers());
        assertEquals("uids 0 -> 1001; gids 0 -> 1002 (" + why + ")", ids.describe());
        EngineIds direct = EngineIds.of(1001, 1002, HOST, HOST, null);
        assertTrue(direct.note().contains("not started by 'enviro daemon'"), direct.note());
    }

    @Test
    void composingFollowsEachRangeAcrossTheOuterOnes() {
        List<IdMap.Range> outer = List.of(new IdMap.Range(0, 1001, 1), new IdMap.Range(1, 100000, 65536));
        assertEquals(List.of(new IdMap.Range(0, 1001, 1), new IdMap.Range(1, 100000, 9)),
                EngineIds.compose(List.of(new IdMap.Range(0, 0, 10)), outer));
        assertEquals(List.of(new IdMap.Range(0, 100004, 3)), EngineIds.compose(List.of(new IdMap.Range(0, 5, 3)), outer));
    }

    @Test
    void aMalformedMapLineIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineIds.parse("0 1\n"));
        assertTrue(e.getMessage().contains("'0 1'"), e.getMessage());
    }
}
