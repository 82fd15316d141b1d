package dev.enviro.bench;

import dev.enviro.ffm.IdMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The id-mapping decisions every container start makes before any syscall: the text written to
 * {@code /proc/PID/uid_map} and {@code gid_map}, the key of the id-shifted snapshot, and the host
 * owner of a file owned by a container id. They sit on the start path of every container, so they
 * must stay negligible next to the syscalls: nanoseconds to a few microseconds against the
 * milliseconds a start takes.
 *
 * <p>Run: {@code java -cp benchmarks/target/classes:benchmarks/target/lib/* org.openjdk.jmh.Main IdMapBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class IdMapBenchmark {

    /** The root engine's single range, and a split map as a rootless engine with subuids would use. */
    @Param({"root", "split"})
    public String shape;

    private IdMap map;
    private int containerUid;

    @Setup
    public void setUp() {
        map = switch (shape) {
            case "root" -> IdMap.defaultRoot();
            case "split" -> new IdMap(
                    List.of(new IdMap.Range(0, 1000, 1), new IdMap.Range(1, 100000, 65535)),
                    List.of(new IdMap.Range(0, 1000, 1), new IdMap.Range(1, 100000, 65535)));
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
        containerUid = 65534; // nobody: in the last range, so the lookup walks every range
    }

    @Benchmark
    public String uidMapText() {
        return map.uidMapText();
    }

    @Benchmark
    public String snapshotKey() {
        return map.key();
    }

    @Benchmark
    public int hostUid() {
        return map.hostUid(containerUid);
    }
}
