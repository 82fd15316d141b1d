package dev.enviro.images.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry token server of the distribution spec, small: {@code GET /token?service&scope} with
 * HTTP Basic {@code alice:secret} answers a JWT (RS256, signed by a key made with openssl for the
 * test, the certificate in the {@code x5c} header) granting pull and push on the scope's repository;
 * wrong credentials get 401, no credentials a token that grants nothing.
 */
public final class TokenServer implements AutoCloseable {
    static final String SERVICE = "enviro-test-registry";
    static final String ISSUER = "enviro-test-issuer";
    public static final String USER = "alice";
    public static final String PASSWORD = "secret";

    private final HttpServer server;
    private final PrivateKey key;
    private final String x5c;
    final Path certificate;
    final AtomicInteger issued = new AtomicInteger();

    public TokenServer(Path dir) throws IOException, InterruptedException, java.security.GeneralSecurityException {
        Path keyFile = dir.resolve("token.key");
        certificate = dir.resolve("token.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile.toString(),
                "-out", certificate.toString(), "-days", "2", "-subj", "/CN=enviro-test-token").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError("openssl failed: " + out);
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyFile)));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(certificate));
        x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry's {@code auth:} section for this server. */
    public String registryAuthYaml() {
        return "  token:\n    realm: " + realm() + "\n    service: " + SERVICE + "\n    issuer: " + ISSUER + "\n    rootcertbundle: " + certificate + "\n";
    }

    private static byte[] pem(Path file) throws IOException {
        String text = Files.readString(file);
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private void token(HttpExchange x) throws IOException {
        try (x) {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            boolean anonymous = auth == null;
            if (!anonymous) {
                String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
                if (!auth.equals(expected)) {
                    x.sendResponseHeaders(401, -1);
                    return;
                }
            }
            String scope = query(x.getRequestURI().getRawQuery(), "scope");
            List<String> access = List.of();
            String repository = "";
            if (scope != null && scope.startsWith("repository:") && !anonymous) {
                String[] s = scope.split(":");
                repository = s[1];
                access = List.of("pull", "push");
            }
            long now = System.currentTimeMillis() / 1000;
            String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + x5c + "\"]}";
            String actions = String.join(",", access.stream().map(a -> "\"" + a + "\"").toList());
            String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + (anonymous ? "" : USER) + "\",\"aud\":\"" + SERVICE + "\",\"exp\":" + (now + 300)
                    + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":["
                    + (access.isEmpty() ? "" : "{\"type\":\"repository\",\"name\":\"" + repository + "\",\"actions\":[" + actions + "]}") + "]}";
            String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(key);
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String jwt = signingInput + "." + b64(sig.sign());
            byte[] body = ("{\"token\":\"" + jwt + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            issued.incrementAndGet();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static String query(String raw, String name) {
        if (raw == null) return null;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) return java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
