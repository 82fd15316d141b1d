package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, must show 6 (its bridge part): 200 run --rm cycles on the bridge with a published port, and a
 * kill -9 of the engine in the middle while a container with a port runs (removed by the engine started
 * after): afterwards no veth, no port rule and no lease of this engine remains, and addresses were reused.
 */
class NetworkLeakIT {

    @Test
    void twoHundredCyclesAndAKilledEngineLeaveNothingOnTheBridge() throws Exception {
        boolean bridgeBefore = Files.exists(Path.of("/sys/class/net/enviro0"));
        boolean tableBefore = new ProcessBuilder("nft", "list", "table", "ip", "enviro").start().waitFor() == 0;
        Path run = Path.of("/run/enviro"), records = run.resolve("networks");
        Path madeHere = !Files.exists(run) ? run : !Files.exists(records) ? records : null;
        try (EngineFixture engine = EngineFixture.root()) {
            engine.loadBusybox();
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                if (i == 100) {
                    Cli.Result kept = engine.cli("run", "-d", "--name", "survivor", "--network", "bridge", "-p", "19081:80", "localhost/busybox", "sleep", "600");
                    assertEquals(0, kept.exitCode(), kept::toString);
                    engine.killDaemon(); // SIGKILL: the survivor's monitor stays, its veth, lease and rule too
                    engine.startDaemon();
                    assertEquals(0, engine.cli("rm", "-f", "survivor").exitCode(), "the engine after the kill removes it");
                }
                Cli.Result r = engine.cli("run", "--rm", "--network", "bridge", "-p", "19080:80", "localhost/busybox", "sh", "-c",
                        "ip -4 -o addr show eth0 | awk '{print $4}'");
                int cycle = i;
                assertEquals(0, r.exitCode(), () -> "cycle " + cycle + ": " + r + "\n" + engine.daemonLog());
                addresses.add(r.stdout().strip());
            }
            assertTrue(addresses.stream().distinct().count() <= 3, "addresses are reused: " + addresses.stream().distinct().toList());

            try (var links = Files.list(Path.of("/sys/class/net"))) {
                List<String> veths = links.map(l -> l.getFileName().toString()).filter(n -> n.startsWith("ve")).toList();
                assertEquals(List.of(), veths, "no veth is left");
            }
            Process list = new ProcessBuilder("nft", "list", "chain", "ip", "enviro", "ports").redirectErrorStream(true).start();
            String rules = new String(list.getInputStream().readAllBytes());
            list.waitFor();
            assertTrue(!rules.contains("dnat"), "no port rule is left:\n" + rules);
            Path leases = records.resolve("enviro0/leases");
            if (Files.isDirectory(leases)) {
                try (var all = Files.list(leases)) {
                    for (Path lease : all.toList()) {
                        assertTrue(!Files.readString(lease).startsWith(engine.stateDir.toString()), "no lease of this engine is left: " + lease);
                    }
                }
            }
            assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().noneMatch(l -> l.contains("nsfs") && l.contains("enviro")),
                    "no network namespace is mounted");
        } finally {
            if (!tableBefore) new ProcessBuilder("nft", "delete", "table", "ip", "enviro").start().waitFor();
            if (!bridgeBefore) new ProcessBuilder("ip", "link", "del", "enviro0").start().waitFor();
            if (madeHere != null) EngineFixture.deleteTree(madeHere);
        }
    }
}
