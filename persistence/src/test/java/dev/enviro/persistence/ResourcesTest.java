package dev.enviro.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResourcesTest {

    @Test
    void sizesUseBinaryUnits() {
        assertEquals(512L << 20, Resources.parseBytes("--memory", "512m"));
        assertEquals(512L << 20, Resources.parseBytes("--memory", "512MB"));
        assertEquals(1L << 30, Resources.parseBytes("--memory", "1g"));
        assertEquals(64L << 10, Resources.parseBytes("--memory", "64k"));
        assertEquals(4096, Resources.parseBytes("--memory", "4096"));
        assertEquals(4096, Resources.parseBytes("--memory", "4096b"));
    }

    @Test
    void aBadSizeIsOneLineNamingTheFlagAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resources.parseBytes("--memory", "12q"));
        assertEquals("invalid size for --memory: '12q': expected a number with an optional unit b, k, m or g (e.g. 512m)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resources.parseBytes("--memory", "-5m"));
        assertThrows(IllegalArgumentException.class, () -> Resources.parseBytes("--memory", "99999999999999g"));
    }

    @Test
    void cpusAreExactDecimals() {
        assertEquals(1_500_000_000L, Resources.parseCpus("1.5"));
        assertEquals(500_000_000L, Resources.parseCpus(".5"));
        assertEquals(2_000_000_000L, Resources.parseCpus("2"));
        assertEquals(50_000, new Resources(0, 0, Resources.parseCpus("0.5"), 0, null, 0, null).cpuQuotaMicros());
        assertEquals(150_000, new Resources(0, 0, Resources.parseCpus("1.5"), 0, null, 0, null).cpuQuotaMicros());
        assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus("1,5"));
        assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus("-1"));
        assertThrows(IllegalArgumentException.class, () -> Resources.parseCpus("0.0000000001"));
        assertEquals("1.5", Resources.formatCpus(1_500_000_000L));
    }

    @Test
    void aCpusetBeyondTheHostsCpusIsAProblem() {
        assertEquals(List.of(), new Resources(0, 0, 0, 0, "0-1", 0, null).problems(2));
        assertEquals(List.of("--cpuset-cpus 0-999: 0-999 is not among this host's CPUs 0-1"),
                new Resources(0, 0, 0, 0, "0-999", 0, null).problems(2));
        assertEquals(List.of("--cpuset-cpus 1-0: 1-0 is not among this host's CPUs 0-1"),
                new Resources(0, 0, 0, 0, "1-0", 0, null).problems(2));
        assertEquals(1, new Resources(0, 0, 0, 0, "99999999999999", 0, null).problems(2).size(), "no overflow");
    }

    @Test
    void problemsNameTheFlag() {
        List<String> p = new Resources(4096, 0, 3_000_000_000L, 1, "a-b", -2, 5000).problems(2);
        assertEquals(6, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("--memory 4096: below the minimum"), p.get(0));
        assertTrue(p.get(1).startsWith("--cpus 3: the range on this host is 0.01 to 2"), p.get(1));
        assertTrue(new Resources(64L << 20, 32L << 20, 0, 0, null, 0, null).problems(2).getFirst().contains("at least --memory"));
        assertEquals(List.of(), new Resources(64L << 20, -1, 500_000_000, 1024, "0-1", 20, -500).problems(2));
    }

    @Test
    void anUpdateReplacesOnlyWhatItSets() {
        Resources before = new Resources(64L << 20, 0, 1_000_000_000L, 0, null, 20, 100);
        Resources after = before.updatedBy(new Resources(128L << 20, 0, 0, 0, null, 0, null));
        assertEquals(new Resources(128L << 20, 0, 1_000_000_000L, 0, null, 20, 100), after);
    }
}
