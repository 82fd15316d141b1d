package dev.enviro.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary of one harness run: per variant the sample count, median and p95 wall time, and the
 * ratio of its median to the baseline's median (crun when it ran: the fastest runtime commonly
 * deployed, so a ratio reads as "times slower than crun").
 */
public final class ResultTable {

    public record Row(VariantKind kind, int count, double medianMs, double p95Ms, Double ratio) {}

    private final VariantKind baseline;
    private final List<Row> rows;

    private ResultTable(VariantKind baseline, List<Row> rows) {
        this.baseline = baseline;
        this.rows = List.copyOf(rows);
    }

    /** {@code samples} in the table's order; the baseline is crun when present, else the first variant. */
    public static ResultTable of(Map<VariantKind, Latencies> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no variant has samples");
        VariantKind baseline = samples.containsKey(VariantKind.CRUN) ? VariantKind.CRUN : samples.keySet().iterator().next();
        double baseMedian = samples.get(baseline).medianNanos();
        List<Row> rows = new ArrayList<>();
        samples.forEach((kind, latencies) -> {
            double median = latencies.medianNanos();
            rows.add(new Row(kind, latencies.count(), median / 1e6, latencies.percentileNanos(95) / 1e6,
                    baseMedian > 0 ? median / baseMedian : null));
        });
        return new ResultTable(baseline, rows);
    }

    public VariantKind baseline() {
        return baseline;
    }

    public List<Row> rows() {
        return rows;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %5s %11s %9s %9s%n", "variant", "n", "median ms", "p95 ms", "x " + baseline.key()));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-18s %5d %11.2f %9.2f %9s%n", r.kind().label(), r.count(), r.medianMs(), r.p95Ms(), ratio(r)));
        }
        return b.toString();
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| variant | n | median ms | p95 ms | median / ").append(baseline.key()).append(" median |\n");
        b.append("| --- | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %s |%n", r.kind().label(), r.count(), r.medianMs(), r.p95Ms(), ratio(r)));
        }
        return b.toString();
    }

    public String csv() {
        StringBuilder b = new StringBuilder("variant,n,median_ms,p95_ms,ratio_to_" + baseline.key() + "_median\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%s%n", r.kind().key(), r.count(), r.medianMs(), r.p95Ms(),
                    r.ratio() == null ? "" : String.format(Locale.ROOT, "%.3f", r.ratio())));
        }
        return b.toString();
    }

    private static String ratio(Row r) {
        return r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio());
    }
}
