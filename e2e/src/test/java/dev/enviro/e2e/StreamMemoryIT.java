package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.EventsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 8: 500 long-lived streams (250 {@code logs -f}, 250 {@code events --follow}) held open
 * while containers run and log, then dropped: the engine's memory comes back (resident set within 20%
 * of where it was after the same load twice, after a collection, as the issue measured it: no load leaves
 * memory behind), because every stream is sent
 * only as its client reads (flow control), followers share one read of the journal, and a dropped
 * stream releases what it held.
 */
class StreamMemoryIT {

    private static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }

    /**
     * A full collection in the engine's JVM (jcmd GC.run), as the measurement did, then one round
     * of the engine's own native-heap trim (every 10 s, bin/enviro-jvm), which gives back what the
     * collection freed outside the Java heap.
     */
    private static void collect(long pid) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        Thread.sleep(11_000);
    }

    private static List<Iterator<?>> open(EnviroClient client, int pairs) {
        List<Iterator<?>> streams = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            streams.add(client.logs("talker", true));
            streams.add(client.events(EventsRequest.newBuilder().setFollow(true).build()));
        }
        // each stream has answered (or is open): the first message of a log is there at once
        for (int i = 0; i < streams.size(); i += 2) streams.get(i).hasNext();
        return streams;
    }

    /** 250 logs -f and 250 events --follow held while containers run, then dropped; the engine's RSS at its peak. */
    private static long load(EngineFixture engine, EngineAddress address) throws Exception {
        long pid = engine.daemonProcess().pid();
        try (EnviroClient client = EnviroClient.connect(address)) {
            List<Iterator<?>> streams = open(client, 250);
            assertEquals(500, streams.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(0, engine.cli("run", "--rm", "localhost/busybox", "true").exitCode());
            }
            Thread.sleep(3000);
            return rssKiB(pid);
        }
    }

    @Test
    void fiveHundredStreamsGiveTheirMemoryBackWhenTheyEnd() throws Exception {
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            Cli.Result talker = engine.cli("run", "-d", "--name", "talker", "localhost/busybox", "sh", "-c",
                    "i=0; while true; do i=$((i+1)); echo line $i with some text to fill the log; sleep 0.05; done");
            assertEquals(0, talker.exitCode(), talker::toString);
            long pid = engine.daemonProcess().pid();
            EngineAddress address = EngineAddress.parse("unix://" + engine.socket);

            // the whole load twice before the baseline: what any such load costs once (compiled code, class
            // metadata, pools and caches sized for it) is in the baseline; what must not stay is what each load leaves
            load(engine, address);
            load(engine, address);
            collect(pid);
            long before = rssKiB(pid);

            long peak = load(engine, address);
            collect(pid);
            long after = rssKiB(pid);
            System.out.printf("StreamMemoryIT: engine RSS %d MiB before, %d MiB with 500 streams, %d MiB after%n",
                    before / 1024, peak / 1024, after / 1024);
            // The bound. Before the daemon kept at most 30% of its heap free after a collection (G1's
            // default 70% kept 15-20% of the engine resident after each load), 30% held it; before followers
            // released what they held, a dropped `logs -f` kept its cursor and buffers until the container ended (+32%).
            assertTrue(after <= before * 1.2, "RSS " + after / 1024 + " MiB after the streams, " + before / 1024 + " MiB before (peak "
                    + peak / 1024 + " MiB)");
            engine.cli("rm", "-f", "talker");
        }
    }
}
