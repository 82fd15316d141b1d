package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, must show 3 and the names every container gets: a network namespace of its own has {@code lo}
 * up and nothing else, so a server on 127.0.0.1 answers inside; /etc/hosts, /etc/hostname and
 * /etc/resolv.conf say who it is; {@code --network host} shares the host's interfaces; bad flags are one
 * line each and make nothing. Traffic stays on loopback.
 */
class NetworkIT extends WithBusyboxEngine {

    /** The host's bridge records (/run/enviro/networks): the topmost directory of them this class made, removed after it. */
    private static Path madeHere;

    @org.junit.jupiter.api.BeforeAll
    static void noteHostRecords() {
        Path run = Path.of("/run/enviro"), records = run.resolve("networks");
        madeHere = !Files.exists(run) ? run : !Files.exists(records) ? records : null;
    }

    @org.junit.jupiter.api.AfterAll
    static void removeHostRecordsWhenMadeHere() throws Exception {
        if (madeHere != null) EngineFixture.deleteTree(madeHere);
    }

    @Test
    void noneHasLoopbackUpAndNothingElseAndAServerOn127Answers() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--network", "none", "localhost/busybox", "sh", "-c",
                "ls /sys/class/net; cat /sys/class/net/lo/flags; mkdir -p /tmp/www && echo served > /tmp/www/index.html"
                        + " && httpd -p 127.0.0.1:8080 -h /tmp/www && wget -q -O - http://localhost:8080/index.html");
        assertEquals(0, r.exitCode(), r::toString);
        String[] lines = r.stdout().split("\n");
        assertEquals("lo", lines[0], "no interface but lo: " + r);
        assertEquals(1, Integer.decode(lines[1]) & 1, "lo is up (IFF_UP): " + r);
        assertEquals("served", lines[2], "a server on 127.0.0.1 answers, found through /etc/hosts' localhost");
    }

    @Test
    void theDefaultIsANamespaceOfItsOwnWithLoopbackUp() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "localhost/busybox", "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().matches("lo\n0x[0-9a-f]*[13579bdf]\n"), r::toString);
    }

    @Test
    void everyContainerHasItsNamesAndTheExtraHostsAndNameServersItWasGiven() throws Exception {
        Cli.Result r = engine.cli("run", "--rm", "--name", "namer", "--hostname", "box", "--add-host", "db:192.0.2.7",
                "--dns", "192.0.2.53", "localhost/busybox", "sh", "-c",
                "cat /etc/hostname; hostname; grep -v '^#' /etc/resolv.conf | grep nameserver; grep -E 'box|db' /etc/hosts;"
                        + "echo 10.0.0.9 extra >> /etc/hosts && tail -n1 /etc/hosts");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("box\nbox\nnameserver 192.0.2.53\n127.0.1.1\tbox namer\n192.0.2.7\tdb\n10.0.0.9 extra\n", r.stdout(),
                "hostname, resolv.conf and hosts as given; the container's root may edit its hosts, as in docker");
    }

    @Test
    void hostSharesTheHostsInterfacesAndName() throws Exception {
        Set<String> host = new TreeSet<>();
        try (var dirs = Files.list(Path.of("/sys/class/net"))) {
            dirs.forEach(d -> host.add(d.getFileName().toString()));
        }
        Cli.Result r = engine.cli("run", "--rm", "--network", "host", "localhost/busybox", "sh", "-c",
                "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort; echo --; hostname");
        assertEquals(0, r.exitCode(), r::toString);
        String[] parts = r.stdout().split("--\n");
        assertEquals(host, new TreeSet<>(java.util.List.of(parts[0].strip().split("\n"))), r::toString);
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), parts[1].strip());
    }

    /**
     * Issue 12, part of must show 1 and 2: on the bridge a container has an address of its own; a server in
     * it answers the host and another container on the bridge; its hosts file names it by that address;
     * rm takes its veth and address back. The bridge is removed at the end when this test made it.
     */
    @Test
    void onTheBridgeAContainerServesTheHostAndOtherContainers() throws Exception {
        boolean bridgeBefore = Files.exists(Path.of("/sys/class/net/enviro0"));
        try {
            Cli.Result web = engine.cli("run", "-d", "--name", "bridged-web", "--network", "bridge", "localhost/busybox", "sh", "-c",
                    "mkdir -p /www && echo bridged > /www/index.html && exec httpd -f -p 80 -h /www");
            assertEquals(0, web.exitCode(), web::toString);
            String id = web.stdout().strip();
            Cli.Result addr = engine.cli("exec", "bridged-web", "sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}'; grep bridged-web /etc/hosts");
            assertEquals(0, addr.exitCode(), addr::toString);
            String cidr = addr.stdout().lines().findFirst().orElseThrow();
            assertTrue(cidr.matches("10\\.89\\.\\d+\\.\\d+/16"), addr::toString);
            String ip = cidr.substring(0, cidr.indexOf('/'));
            assertTrue(addr.stdout().contains(ip + "\t" + id.substring(0, 12) + " bridged-web"), addr::toString);

            String page = null;
            for (int i = 0; i < 50 && page == null; i++) { // httpd may not listen yet
                try {
                    page = new String(java.net.URI.create("http://" + ip + "/index.html").toURL().openStream().readAllBytes()).strip();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertEquals("bridged", page, "the host reaches the container's address");
            Cli.Result other = engine.cli("run", "--rm", "--network", "bridge", "localhost/busybox", "wget", "-q", "-O", "-", "http://" + ip + "/index.html");
            assertEquals(0, other.exitCode(), other::toString);
            assertEquals("bridged", other.stdout().strip(), "another container on the bridge reaches it");

            String hostEnd = "ve" + id.substring(0, 12);
            assertTrue(Files.exists(Path.of("/sys/class/net", hostEnd)));
            assertEquals(0, engine.cli("rm", "-f", "bridged-web").exitCode());
            assertTrue(!Files.exists(Path.of("/sys/class/net", hostEnd)), "rm leaves no veth");
            try (var leases = Files.list(Path.of("/run/enviro/networks/enviro0/leases"))) {
                for (Path lease : leases.toList()) {
                    assertTrue(!Files.readString(lease).startsWith(engine.stateDir.toString()), "rm gives the address back: " + lease);
                }
            }
        } finally {
            engine.cli("rm", "-f", "bridged-web");
            if (!bridgeBefore) new ProcessBuilder("ip", "link", "del", "enviro0").start().waitFor();
        }
    }

    /**
     * Issue 12, must show 1 (TCP) and 7 (ports): -p leads a host port to the container, from the host's
     * loopback and from its own address; a host port another container or a program of the host holds is
     * one line and makes nothing; rm takes the rule away.
     */
    @Test
    void aPublishedPortReachesTheContainerFromTheHost() throws Exception {
        boolean bridgeBefore = Files.exists(Path.of("/sys/class/net/enviro0"));
        boolean tableBefore = new ProcessBuilder("nft", "list", "table", "ip", "enviro").start().waitFor() == 0;
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0)) {
            Cli.Result web = engine.cli("run", "-d", "--name", "published", "--network", "bridge", "-p", "18080:80", "localhost/busybox", "sh", "-c",
                    "mkdir -p /www && echo published > /www/index.html && exec httpd -f -p 80 -h /www");
            assertEquals(0, web.exitCode(), web::toString);
            assertEquals("published", fetch("127.0.0.1", 18080), "from the host's loopback");
            String own = hostAddress();
            assertEquals("published", fetch(own, 18080), "from the host's own address " + own);
            assertTrue(engine.cli("ps").stdout().contains("0.0.0.0:18080->80/tcp"), "ps shows it");
            assertEquals("80/tcp -> 0.0.0.0:18080\n", engine.cli("port", "published").stdout());
            assertEquals("0.0.0.0:18080\n", engine.cli("port", "published", "80").stdout());

            int before = engine.cli("ps", "-a", "-q").stdout().strip().lines().toList().size();
            Cli.Result taken = engine.cli("run", "--network", "bridge", "-p", "18080:80", "localhost/busybox", "true");
            assertEquals(125, taken.exitCode(), taken::toString);
            assertTrue(taken.stderr().strip().matches("Error: host port 18080/tcp is published by container [0-9a-f]{12}: stop or remove it, or choose another port"),
                    taken::toString);
            Cli.Result inUse = engine.cli("run", "--network", "bridge", "-p", busy.getLocalPort() + ":80", "localhost/busybox", "true");
            assertEquals(125, inUse.exitCode(), inUse::toString);
            assertTrue(inUse.stderr().contains("host port " + busy.getLocalPort() + "/tcp is in use on the host"), inUse::toString);
            Cli.Result range = engine.cli("run", "--network", "bridge", "-p", "70000:80", "localhost/busybox", "true");
            assertTrue(range.stderr().contains("-p '70000:80': port 70000 is outside 1-65535"), range::toString);
            assertEquals(before, engine.cli("ps", "-a", "-q").stdout().strip().lines().toList().size(), "the refusals created nothing");

            assertEquals(0, engine.cli("rm", "-f", "published").exitCode());
            Process list = new ProcessBuilder("nft", "list", "chain", "ip", "enviro", "ports").redirectErrorStream(true).start();
            String rules = new String(list.getInputStream().readAllBytes());
            list.waitFor();
            assertTrue(!rules.contains("dport 18080"), "rm takes the rule away:\n" + rules);
        } finally {
            engine.cli("rm", "-f", "published");
            if (!tableBefore) new ProcessBuilder("nft", "delete", "table", "ip", "enviro").start().waitFor();
            if (!bridgeBefore) new ProcessBuilder("ip", "link", "del", "enviro0").start().waitFor();
        }
    }

    /**
     * Issue 12, must show 1 over UDP: a datagram to a published UDP port of the host reaches the container
     * and its answer comes back. Debian's busybox has no UDP server, so the test builds a static echo
     * program (gcc, as the helper is built) and mounts it into the container.
     */
    @Test
    void aPublishedUdpPortEchoesThroughTheBridge() throws Exception {
        boolean bridgeBefore = Files.exists(Path.of("/sys/class/net/enviro0"));
        boolean tableBefore = new ProcessBuilder("nft", "list", "table", "ip", "enviro").start().waitFor() == 0;
        Path dir = engine.stateDir.getParent();
        Path source = dir.resolve("udpecho.c"), binary = dir.resolve("udpecho");
        Files.writeString(source, """
                #include <netinet/in.h>
                #include <stdlib.h>
                #include <sys/socket.h>
                int main(int argc, char **argv) {
                    int s = socket(AF_INET, SOCK_DGRAM, 0);
                    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
                    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) return 1;
                    for (;;) {
                        char b[512]; struct sockaddr_in from; socklen_t n = sizeof from;
                        ssize_t got = recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &n);
                        if (got > 0) sendto(s, b, (size_t)got, 0, (struct sockaddr *)&from, n);
                    }
                }
                """);
        assertEquals(0, new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString()).inheritIO().start().waitFor());
        Files.setPosixFilePermissions(binary, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        try {
            Cli.Result echo = engine.cli("run", "-d", "--name", "udp-echo", "--network", "bridge", "-p", port + ":5353/udp",
                    "-v", binary + ":/udpecho:ro", "localhost/busybox", "/udpecho", "5353");
            assertEquals(0, echo.exitCode(), echo::toString);
            assertEquals("0.0.0.0:" + port + "\n", engine.cli("port", "udp-echo", "5353/udp").stdout());
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                s.setSoTimeout(200);
                byte[] ping = "ping over udp".getBytes();
                String answer = null;
                for (int i = 0; i < 50 && answer == null; i++) { // the program may not listen yet
                    s.send(new java.net.DatagramPacket(ping, ping.length, java.net.InetAddress.getLoopbackAddress(), port));
                    java.net.DatagramPacket back = new java.net.DatagramPacket(new byte[512], 512);
                    try {
                        s.receive(back);
                        answer = new String(back.getData(), 0, back.getLength());
                    } catch (java.net.SocketTimeoutException notYet) {
                        // again
                    }
                }
                assertEquals("ping over udp", answer, "the datagram reached the container and its answer came back");
            }
        } finally {
            engine.cli("rm", "-f", "udp-echo");
            Files.deleteIfExists(source);
            Files.deleteIfExists(binary);
            if (!tableBefore) new ProcessBuilder("nft", "delete", "table", "ip", "enviro").start().waitFor();
            if (!bridgeBefore) new ProcessBuilder("ip", "link", "del", "enviro0").start().waitFor();
        }
    }

    private static String fetch(String host, int port) throws Exception {
        for (int i = 0; i < 50; i++) { // httpd may not listen yet
            try (var in = java.net.URI.create("http://" + host + ":" + port + "/index.html").toURL().openStream()) {
                return new String(in.readAllBytes()).strip();
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing answered on " + host + ":" + port);
    }

    /** An IPv4 address of the host's own, not loopback and not the engine's bridge. */
    private static String hostAddress() throws Exception {
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nic.isLoopback() || !nic.isUp() || nic.getName().equals("enviro0") || nic.getName().startsWith("ve")) continue;
            for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address) return a.getHostAddress();
            }
        }
        throw new AssertionError("the host has no IPv4 address but loopback");
    }

    @Test
    void badNetworkFlagsAreOneLineAndMakeNothing() throws Exception {
        int before = engine.cli("ps", "-a", "-q").stdout().strip().lines().toList().size();
        String[][] cases = {
                {"--network", "bogus", "network 'bogus' not found: use --network none, host or bridge"},
                {"--dns", "example.com", "--dns 'example.com': not an IP address"},
                {"--add-host", "db", "--add-host 'db': expected NAME:ADDRESS"},
        };
        for (String[] c : cases) {
            Cli.Result r = engine.cli("run", c[0], c[1], "localhost/busybox", "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().strip().lines().count(), r::toString);
            assertTrue(r.stderr().contains(c[2]), r::toString);
        }
        assertEquals(before, engine.cli("ps", "-a", "-q").stdout().strip().lines().toList().size(), "nothing was created");
    }
}
