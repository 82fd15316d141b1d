package dev.enviro.runtime.network;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.NetworkOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The network flags, checked, and the name files they make. */
class ContainerNetworkTest {

    private static ContainerNetwork of(String network, List<String> dns, List<String> hosts) {
        return ContainerNetwork.of(new NetworkOptions(network, dns, hosts));
    }

    @Test
    void withoutFlagsAContainerHasANamespaceOfItsOwn() {
        ContainerNetwork n = of(null, List.of(), List.of());
        assertEquals(ContainerNetwork.Mode.NONE, n.mode());
        assertTrue(n.ownNamespace());
        assertEquals(ContainerNetwork.Mode.NONE, of("none", List.of(), List.of()).mode());
        assertFalse(of("host", List.of(), List.of()).ownNamespace());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bogus|NOT_FOUND|network 'bogus' not found: use --network none, host or bridge",
            "container:db|INVALID_ARGUMENT|--network 'container:db': joining another container's network is not available yet: use none, host or bridge"})
    void anUnknownOrUnavailableNetworkIsOneLine(String network, ErrorCode code, String message) {
        EnviroError e = assertThrows(EnviroError.class, () -> of(network, List.of(), List.of()));
        assertEquals(code, e.code());
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--dns|example.com|--dns 'example.com': not an IP address (--dns takes a name server's address, e.g. 192.0.2.53)",
            "--add-host|db|--add-host 'db': expected NAME:ADDRESS (db:192.0.2.7), NAME of letters, digits, '.', '-' and '_'",
            "--add-host|d b:1.2.3.4|--add-host 'd b:1.2.3.4': expected NAME:ADDRESS (db:192.0.2.7), NAME of letters, digits, '.', '-' and '_'",
            "--add-host|db:nowhere|--add-host 'db:nowhere': 'nowhere' is not an IP address"})
    void aBadNameServerOrHostIsOneLineNamingIt(String flag, String value, String message) {
        EnviroError e = assertThrows(EnviroError.class, () -> {
            if (flag.equals("--dns")) of(null, List.of(value), List.of());
            else of(null, List.of(), List.of(value));
        });
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(message, e.getMessage());
    }

    @Test
    void aLineBreakCannotSmuggleALineIntoTheFiles() {
        EnviroError e = assertThrows(EnviroError.class, () -> of(null, List.of("1.2.3.4\nnameserver 6.6.6.6"), List.of()));
        assertEquals("--dns '1.2.3.4\\x0anameserver 6.6.6.6': not an IP address (--dns takes a name server's address, e.g. 192.0.2.53)", e.getMessage());
        assertThrows(EnviroError.class, () -> of(null, List.of(), List.of("db:1.2.3.4\n6.6.6.6 bank")));
    }

    @Test
    void hostsNameTheContainerOnLoopbackThenTheExtraHosts() {
        String hosts = of(null, List.of(), List.of("db:192.0.2.7", "v6:2001:db8::1")).hostsFile("box", "web", "ignored");
        assertTrue(hosts.startsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"), hosts);
        assertTrue(hosts.endsWith("127.0.1.1\tbox web\n192.0.2.7\tdb\n2001:db8:0:0:0:0:0:1\tv6\n"), hosts);
        assertTrue(of(null, List.of(), List.of()).hostsFile("box", "box", "").endsWith("127.0.1.1\tbox\n"));
        assertTrue(of("bridge", List.of(), List.of()).hostsFile("box", "web", "", java.net.InetAddress.ofLiteral("10.89.0.7"))
                .endsWith("10.89.0.7\tbox web\n"), "on a network, its own address names it");
    }

    @Test
    void withTheHostsNetworkHostsAreTheHostsOwnAndItsHostnameTheHosts() {
        ContainerNetwork host = of("host", List.of(), List.of("db:192.0.2.7"));
        assertEquals("127.0.0.1 localhost\n10.0.0.1 h\n192.0.2.7\tdb\n", host.hostsFile("h", "web", "127.0.0.1 localhost\n10.0.0.1 h"));
        assertEquals("h", host.hostname(null, "0123456789ab", "h"));
        assertEquals("0123456789ab", of(null, List.of(), List.of()).hostname(null, "0123456789ab", "h"));
        assertEquals("mine", host.hostname("mine", "0123456789ab", "h"));
    }

    @Test
    void resolvConfKeepsTheHostsServersTheContainerCanReach() {
        String hostFile = "# generated\nsearch example.org\nnameserver 127.0.0.53\nnameserver 192.0.2.53\noptions edns0\n";
        assertEquals("# the host's name servers on its loopback are left out: the container's own network cannot reach them\n"
                + "# generated\nsearch example.org\nnameserver 192.0.2.53\noptions edns0\n", of(null, List.of(), List.of()).resolvConf(hostFile));
        assertEquals(hostFile, of("host", List.of(), List.of()).resolvConf(hostFile), "the host's network reaches them all");
        assertEquals("# generated\nsearch example.org\noptions edns0\nnameserver 198.51.100.1\n",
                of(null, List.of("198.51.100.1"), List.of()).resolvConf(hostFile), "--dns replaces the servers, keeps search and options");
    }
}
