package dev.enviro.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void medianOfAnOddCountIsTheMiddleSampleWhateverTheInputOrder() {
        assertEquals(30, Latencies.of(List.of(50L, 10L, 30L, 20L, 40L)).medianNanos());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertEquals(25, Latencies.of(List.of(40L, 10L, 30L, 20L)).medianNanos());
        assertEquals(7, Latencies.of(List.of(7L)).medianNanos());
    }

    @Test
    void medianOfHugeSamplesDoesNotOverflow() {
        long big = Long.MAX_VALUE - 10;
        assertEquals(big - 1, Latencies.of(List.of(big, big - 2)).medianNanos());
    }

    @Test
    void p95IsTheNearestRankNeverAnInterpolation() {
        List<Long> oneToHundred = new ArrayList<>();
        for (long i = 1; i <= 100; i++) oneToHundred.add(i);
        Collections.shuffle(oneToHundred, new Random(7));
        Latencies l = Latencies.of(oneToHundred);
        assertEquals(95, l.percentileNanos(95));
        assertEquals(100, l.percentileNanos(100));
        assertEquals(1, l.percentileNanos(1));
        assertEquals(1, l.percentileNanos(0.5));
    }

    @Test
    void p95OfThirtySamplesIsTheTwentyNinthSmallest() {
        // ceil(0.95 * 30) = 29: with the harness's default 30 rounds only the slowest sample is above p95.
        List<Long> samples = new ArrayList<>();
        for (long i = 1; i <= 30; i++) samples.add(i * 10);
        assertEquals(290, Latencies.of(samples).percentileNanos(95));
    }

    @Test
    void rejectsEmptySamplesNegativeTimesAndPercentilesOutOfRange() {
        assertThrows(IllegalStateException.class, () -> Latencies.of(List.of()).medianNanos());
        assertThrows(IllegalArgumentException.class, () -> Latencies.of(List.of(-1L)));
        Latencies l = Latencies.of(List.of(1L, 2L));
        assertThrows(IllegalArgumentException.class, () -> l.percentileNanos(0));
        assertThrows(IllegalArgumentException.class, () -> l.percentileNanos(100.5));
        assertThrows(IllegalArgumentException.class, () -> l.percentileNanos(Double.NaN));
    }
}
