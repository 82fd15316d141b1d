package dev.enviro.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    private static Latencies ms(long... millis) {
        return Latencies.of(java.util.Arrays.stream(millis).map(m -> m * 1_000_000).boxed().toList());
    }

    @Test
    void ratiosAreMediansOverCrunsMedian() {
        Map<VariantKind, Latencies> samples = new EnumMap<>(VariantKind.class);
        samples.put(VariantKind.API, ms(60, 80, 100));
        samples.put(VariantKind.CRUN, ms(30, 40, 50));
        samples.put(VariantKind.RUNC, ms(100, 120, 900));
        ResultTable table = ResultTable.of(samples);

        assertEquals(VariantKind.CRUN, table.baseline());
        List<ResultTable.Row> rows = table.rows();
        assertEquals(List.of(VariantKind.API, VariantKind.CRUN, VariantKind.RUNC), rows.stream().map(ResultTable.Row::kind).toList());
        assertEquals(2.0, rows.get(0).ratio(), 1e-9);
        assertEquals(1.0, rows.get(1).ratio(), 1e-9);
        assertEquals(3.0, rows.get(2).ratio(), 1e-9);
        assertEquals(900.0, rows.get(2).p95Ms(), 1e-9);
        assertEquals("variant,n,median_ms,p95_ms,ratio_to_crun_median\n"
                + "api,3,80.000,100.000,2.000\ncrun,3,40.000,50.000,1.000\nrunc,3,120.000,900.000,3.000\n", table.csv());
        assertTrue(table.markdown().contains("| runc run | 3 | 120.00 | 900.00 | 3.00 |"), table.markdown());
    }

    @Test
    void withoutCrunTheFirstVariantIsTheBaseline() {
        Map<VariantKind, Latencies> samples = new EnumMap<>(VariantKind.class);
        samples.put(VariantKind.CLI, ms(400));
        samples.put(VariantKind.RUNC, ms(100));
        ResultTable table = ResultTable.of(samples);
        assertEquals(VariantKind.CLI, table.baseline());
        assertEquals(0.25, table.rows().get(1).ratio(), 1e-9);
        assertTrue(table.text().startsWith("variant"), table.text());
    }
}
