package dev.enviro.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of calls: every round runs each variant once, in a freshly shuffled order. Interleaving
 * spreads slow phases of the host (writeback, a neighbour's burst, thermal limits) over all variants
 * instead of charging them to whichever ran at that moment; shuffling keeps one variant from always
 * paying for the cache misses its predecessor caused. The seed makes a plan reproducible.
 *
 * @param rounds the order of each round, warm-up rounds first
 * @param warmup how many leading rounds are run but not recorded
 */
public record RoundPlan(List<List<VariantKind>> rounds, int warmup) {

    public RoundPlan {
        rounds = rounds.stream().map(List::copyOf).toList();
        if (warmup < 0 || warmup > rounds.size()) throw new IllegalArgumentException("warm-up rounds out of range: " + warmup);
    }

    public static RoundPlan shuffled(List<VariantKind> variants, int warmup, int measured, long seed) {
        if (variants.isEmpty()) throw new IllegalArgumentException("no variant to run");
        if (measured < 1) throw new IllegalArgumentException("at least one measured round is needed: " + measured);
        if (warmup < 0) throw new IllegalArgumentException("warm-up rounds cannot be negative: " + warmup);
        Random random = new Random(seed);
        List<List<VariantKind>> rounds = new ArrayList<>(warmup + measured);
        for (int i = 0; i < warmup + measured; i++) {
            List<VariantKind> order = new ArrayList<>(variants);
            Collections.shuffle(order, random);
            rounds.add(order);
        }
        return new RoundPlan(rounds, warmup);
    }

    public boolean measured(int round) {
        return round >= warmup;
    }
}
