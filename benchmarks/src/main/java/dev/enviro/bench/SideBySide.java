package dev.enviro.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side harness's driver: runs {@code true} in a fresh container through each selected
 * variant, interleaved round by round in a shuffled order, times each call with
 * {@link System#nanoTime}, and prints median, p95 and the ratio to crun. Started by
 * {@code benchmarks/side-by-side.sh}, which prepares the image, the bundle, the engine and the
 * mount namespace this needs; see benchmarks/README.md.
 */
public final class SideBySide {

    private static final List<String> COMMAND = List.of("true");

    public static void main(String[] args) {
        SideBySideOptions options;
        try {
            options = SideBySideOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("side-by-side: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            ResultTable table = run(options);
            System.out.print(table.text());
        } catch (VariantFailure e) {
            System.err.println("side-by-side: " + e.getMessage());
            System.exit(1);
        } catch (IOException e) {
            System.err.println("side-by-side: cannot write the results: " + e.getMessage());
            System.exit(1);
        }
    }

    static ResultTable run(SideBySideOptions options) throws VariantFailure, IOException {
        List<VariantKind> kinds = options.orderedVariants();
        RoundPlan plan = RoundPlan.shuffled(kinds, options.warmup(), options.rounds(), options.seed());
        Map<VariantKind, List<Long>> samples = new EnumMap<>(VariantKind.class);
        kinds.forEach(k -> samples.put(k, new ArrayList<>(options.rounds())));
        List<String> rawRows = new ArrayList<>();

        Map<VariantKind, Variant> variants = open(options, kinds);
        try {
            System.err.printf(Locale.ROOT, "side-by-side: %s, %d warm-up + %d measured rounds, seed %d%n",
                    String.join(",", kinds.stream().map(VariantKind::key).toList()), options.warmup(), options.rounds(), options.seed());
            for (int round = 0; round < plan.rounds().size(); round++) {
                for (VariantKind kind : plan.rounds().get(round)) {
                    long start = System.nanoTime();
                    variants.get(kind).runOnce(round);
                    long elapsed = System.nanoTime() - start;
                    if (plan.measured(round)) {
                        samples.get(kind).add(elapsed);
                        rawRows.add(String.format(Locale.ROOT, "%d,%s,%.3f", round - plan.warmup(), kind.key(), elapsed / 1e6));
                    }
                }
                int done = round + 1;
                if (done % 10 == 0 || done == plan.rounds().size()) {
                    System.err.printf(Locale.ROOT, "side-by-side: %d/%d rounds%n", done, plan.rounds().size());
                }
            }
        } finally {
            variants.values().forEach(Variant::close);
        }

        Map<VariantKind, Latencies> summary = new EnumMap<>(VariantKind.class);
        samples.forEach((kind, nanos) -> summary.put(kind, Latencies.of(nanos)));
        ResultTable table = ResultTable.of(summary);
        if (options.results() != null) write(options, table, rawRows);
        return table;
    }

    private static Map<VariantKind, Variant> open(SideBySideOptions o, List<VariantKind> kinds) {
        Map<VariantKind, Variant> variants = new EnumMap<>(VariantKind.class);
        String idPrefix = "sbs-" + ProcessHandle.current().pid();
        for (VariantKind kind : kinds) {
            variants.put(kind, switch (kind) {
                case API -> new GrpcRun(o.socket(), o.image(), COMMAND);
                case CLI -> CommandRun.cli(o.enviro(), o.socket(), o.image(), COMMAND, o.workDir());
                case CRUN -> CommandRun.ociRuntime(kind, o.crun(), o.workDir().resolve("crun-state"), o.bundle(), idPrefix, o.workDir());
                case RUNC -> CommandRun.ociRuntime(kind, o.runc(), o.workDir().resolve("runc-state"), o.bundle(), idPrefix, o.workDir());
            });
        }
        return variants;
    }

    // Appended, so that the shell script can put the host's description above the table.
    private static void write(SideBySideOptions o, ResultTable table, List<String> rawRows) throws IOException {
        String section = "## Results\n\n"
                + String.format(Locale.ROOT, "%d measured rounds after %d warm-up rounds, shuffled order, seed %d.%n%n",
                        o.rounds(), o.warmup(), o.seed())
                + table.markdown() + "\n```csv\n" + table.csv() + "```\n";
        Files.writeString(o.results(), section, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        String name = o.results().getFileName().toString().replaceFirst("\\.md$", "");
        Path raw = o.results().resolveSibling(name + "-samples.csv");
        Files.writeString(raw, "round,variant,ms\n" + String.join("\n", rawRows) + "\n", StandardCharsets.UTF_8);
    }
}
