package dev.enviro.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line. Paths a selected variant needs are required; those of unselected
 * variants are ignored, so that {@code --only crun,runc} runs without an engine.
 */
public record SideBySideOptions(
        Set<VariantKind> variants,
        int rounds,
        int warmup,
        long seed,
        String image,
        Path workDir,
        Path socket,
        Path enviro,
        Path bundle,
        String crun,
        String runc,
        Path results) {

    public static final String USAGE = "usage: SideBySide --work DIR [--rounds N] [--warmup N] [--only api,cli,crun,runc]"
            + " [--seed N] [--socket PATH] [--enviro PATH] [--image REF] [--bundle DIR] [--crun PATH] [--runc PATH] [--results FILE]";

    public SideBySideOptions {
        variants = variants.isEmpty() ? Set.of() : EnumSet.copyOf(variants);
        if (variants.isEmpty()) throw new IllegalArgumentException("no variant selected");
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1: " + rounds);
        if (warmup < 0) throw new IllegalArgumentException("--warmup cannot be negative: " + warmup);
        if (workDir == null) throw new IllegalArgumentException("--work DIR is required");
        if ((variants.contains(VariantKind.API) || variants.contains(VariantKind.CLI)) && socket == null)
            throw new IllegalArgumentException("--socket PATH is required for the api and cli variants");
        if (variants.contains(VariantKind.CLI) && enviro == null)
            throw new IllegalArgumentException("--enviro PATH (bin/enviro) is required for the cli variant");
        if ((variants.contains(VariantKind.CRUN) || variants.contains(VariantKind.RUNC)) && bundle == null)
            throw new IllegalArgumentException("--bundle DIR is required for the crun and runc variants");
    }

    public static SideBySideOptions parse(List<String> args) {
        Set<VariantKind> variants = EnumSet.allOf(VariantKind.class);
        int rounds = 30;
        int warmup = 3;
        long seed = System.nanoTime();
        String image = "localhost/busybox";
        Path workDir = null, socket = null, enviro = null, bundle = null, results = null;
        String crun = "crun", runc = "runc";
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (!flag.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + flag + "'; " + USAGE);
            if (i + 1 >= args.size()) throw new IllegalArgumentException(flag + " needs a value");
            String value = args.get(++i);
            switch (flag) {
                case "--only" -> variants = only(value);
                case "--rounds" -> rounds = integer(flag, value);
                case "--warmup" -> warmup = integer(flag, value);
                case "--seed" -> seed = longValue(flag, value);
                case "--image" -> image = value;
                case "--work" -> workDir = Path.of(value);
                case "--socket" -> socket = Path.of(value);
                case "--enviro" -> enviro = Path.of(value);
                case "--bundle" -> bundle = Path.of(value);
                case "--crun" -> crun = value;
                case "--runc" -> runc = value;
                case "--results" -> results = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + flag + "; " + USAGE);
            }
        }
        return new SideBySideOptions(variants, rounds, warmup, seed, image, workDir, socket, enviro, bundle, crun, runc, results);
    }

    /** The selected variants in the table's fixed order, whatever order --only named them in. */
    public List<VariantKind> orderedVariants() {
        return new ArrayList<>(EnumSet.copyOf(variants));
    }

    private static Set<VariantKind> only(String list) {
        Set<VariantKind> chosen = EnumSet.noneOf(VariantKind.class);
        for (String key : list.split(",")) {
            if (!key.isBlank()) chosen.add(VariantKind.byKey(key.strip()));
        }
        if (chosen.isEmpty()) throw new IllegalArgumentException("--only names no variant: '" + list + "'");
        return chosen;
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a whole number, not '" + value + "'");
        }
    }

    private static long longValue(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a whole number, not '" + value + "'");
        }
    }
}
