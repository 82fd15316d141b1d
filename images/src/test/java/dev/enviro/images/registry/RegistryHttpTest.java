package dev.enviro.images.registry;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client's HTTP over a real socket: HTTPS with a certificate made by keytool for
 * "localhost" (trusted, untrusted, naming another host), headers both ways, error bodies, reused
 * connections and a read that stalls. The distribution API on top is RegistryPullTest's, against
 * docker-registry.
 */
class RegistryHttpTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir Path dir;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private KeyStore keyStore() throws Exception {
        Path file = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=dns:localhost",
                "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private int serve(boolean tls, KeyStore ks) throws Exception {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            HttpsServer https = HttpsServer.create(at, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(context));
            server = https;
        } else {
            server = HttpServer.create(at, 0);
        }
        server.createContext("/v2/blob", exchange -> {
            byte[] body = ("range=" + exchange.getRequestHeaders().getFirst("Range") + " ua=" + exchange.getRequestHeaders().getFirst("User-Agent"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:abc");
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"a\"");
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"b\"");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/v2/missing", exchange -> {
            byte[] body = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/v2/stall", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            try {
                Thread.sleep(5_000); // then the exchange is dropped with the server
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server.getAddress().getPort();
    }

    private static RegistryHttp trusting(KeyStore ks) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return new RegistryHttp(Duration.ofSeconds(5), Duration.ofSeconds(5), context.getSocketFactory());
    }

    private static String read(RegistryHttp.Answer answer) throws IOException {
        try (answer) {
            return new String(answer.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void noProxies() {
        assertNull(System.getProperty("https.proxyHost"), "the test talks to 127.0.0.1 directly");
    }

    @Test
    void httpsWithATrustedCertificateForTheHostCarriesHeadersBothWays() throws Exception {
        KeyStore ks = keyStore();
        int port = serve(true, ks);
        RegistryHttp.Answer answer = trusting(ks).get(URI.create("https://localhost:" + port + "/v2/blob"), Map.of("Range", "bytes=5-"));
        assertEquals(200, answer.status());
        assertEquals("sha256:abc", answer.header("docker-content-digest").orElseThrow(), "header names in any case");
        assertEquals(2, answer.headers("WWW-Authenticate").size(), "every challenge is kept");
        assertEquals("range=bytes=5- ua=enviro/0.1", read(answer));
    }

    @Test
    void anUntrustedCertificateOrOneForAnotherHostIsRefused() throws Exception {
        KeyStore ks = keyStore();
        int port = serve(true, ks);
        RegistryHttp jdkTrust = RegistryHttp.standard();
        assertThrows(SSLHandshakeException.class, () -> jdkTrust.get(URI.create("https://localhost:" + port + "/v2/blob"), Map.of()),
                "a self-signed certificate is not in the JDK's trust store");
        // Trusted, but it names "localhost", not the address asked for.
        IOException e = assertThrows(IOException.class, () -> trusting(ks).get(URI.create("https://127.0.0.1:" + port + "/v2/blob"), Map.of()));
        assertTrue(e instanceof SSLHandshakeException || String.valueOf(e.getMessage()).contains("127.0.0.1"), e.toString());
    }

    @Test
    void anErrorStatusIsAnAnswerWithItsBody() throws Exception {
        int port = serve(false, null);
        RegistryHttp.Answer answer = RegistryHttp.standard().get(URI.create("http://127.0.0.1:" + port + "/v2/missing"), Map.of());
        assertEquals(404, answer.status());
        assertTrue(read(answer).contains("BLOB_UNKNOWN"));
    }

    @Test
    void aBodyReadToItsEndLeavesTheConnectionForTheNextRequest() throws Exception {
        int port = serve(false, null);
        server.stop(0);
        // A server that counts the connections it accepts.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        List<Integer> clientPorts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        server.createContext("/v2/blob", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        RegistryHttp http = RegistryHttp.standard();
        for (int i = 0; i < 3; i++) {
            try (RegistryHttp.Answer a = http.get(URI.create("http://127.0.0.1:" + port + "/v2/blob"), Map.of())) {
                assertEquals(100_000, a.body().readAllBytes().length);
            }
        }
        assertEquals(3, clientPorts.size());
        assertEquals(1, clientPorts.stream().distinct().count(), "one connection served all three: " + clientPorts);
    }

    @Test
    void aReadThatStallsFailsAfterTheReadTimeoutNotTheWholeTransfer() throws Exception {
        int port = serve(false, null);
        RegistryHttp http = new RegistryHttp(Duration.ofSeconds(5), Duration.ofMillis(300), javax.net.ssl.HttpsURLConnection.getDefaultSSLSocketFactory());
        long t0 = System.nanoTime();
        try (RegistryHttp.Answer a = http.get(URI.create("http://127.0.0.1:" + port + "/v2/stall"), Map.of())) {
            assertEquals(200, a.status());
            assertThrows(java.net.SocketTimeoutException.class, () -> a.body().readAllBytes());
        }
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "the stall was cut by the 300 ms read timeout");
    }
}
