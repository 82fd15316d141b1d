package dev.enviro.runtime.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.enviro.persistence.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllersTest {

    @Test
    void sharesMapOntoWeightsLinearlyAsCrunDoes() {
        assertEquals(1, CpuController.sharesToWeight(2));
        assertEquals(39, CpuController.sharesToWeight(1024));
        assertEquals(10000, CpuController.sharesToWeight(262144));
        assertEquals(1, CpuController.sharesToWeight(1), "below the range clamps to its floor");
        assertEquals(0, CpuController.sharesToWeight(0), "unset stays unset");
    }

    @Test
    void swapDefaultsToAsMuchAsMemory() {
        Resources memoryOnly = new Resources(100, 0, 0, 0, null, 0, null);
        assertEquals(200, MemoryController.memoryPlusSwap(memoryOnly));
        assertEquals(List.of(new ControlFile("memory", "memory.limit_in_bytes", "100")), MemoryController.v1(memoryOnly, false),
                "without swap accounting v1 has no memsw file to write");
        assertEquals(-1, MemoryController.memoryPlusSwap(new Resources(100, -1, 0, 0, null, 0, null)));
        assertEquals(-1, MemoryController.memoryPlusSwap(new Resources(Long.MAX_VALUE, 0, 0, 0, null, 0, null)),
                "twice a huge limit is no limit, not an overflow to a negative number");
    }

    @Test
    void v1UnlimitedReadsAsNoLimit() {
        assertEquals(0, MemoryController.limit("9223372036854771712\n"));
        assertEquals(0, MemoryController.limit("max\n"));
        assertEquals(33554432, MemoryController.limit("33554432\n"));
    }

    @Test
    void workingSetSubtractsInactiveFileCache() {
        assertEquals(900, MemoryController.workingSet(1000, "total_inactive_file 100\n", false));
        assertEquals(900, MemoryController.workingSet(1000, "inactive_file 100\n", true));
        assertEquals(1000, MemoryController.workingSet(1000, "total_inactive_file 100\n", true), "v2 has no total_ prefix");
    }
}
