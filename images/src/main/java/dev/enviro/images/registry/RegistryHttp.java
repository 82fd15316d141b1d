package dev.enviro.images.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * The HTTP a registry client needs: one GET at a time, its answer's status, headers and streamed
 * body; redirects and authentication stay with the caller ({@link RegistryClient}).
 *
 * <p>Over the JDK's blocking {@link HttpURLConnection} (HTTP/1.1, HTTPS with the JDK's trust store
 * and host name checks, kept-alive connections reused once a body was read to its end), not
 * {@code java.net.http.HttpClient}: that client hands every socket read to a selector thread and back,
 * which on a 2-core host took a third more time for a 50 MiB layer, and its many classes made a
 * daemon's first pull several times slower than its later ones (measured in benchmarks/README.md).
 * A blob body read here goes from the socket straight into the caller's buffer on the caller's
 * (virtual) thread; interrupting that thread closes the socket.
 */
final class RegistryHttp {
    private static final String USER_AGENT = "enviro/0.1";

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final SSLSocketFactory tls;

    /**
     * {@code readTimeout}: how long one read may wait for bytes (a stalled download fails after it and
     * is resumed with Range), not a bound on the whole transfer.
     */
    RegistryHttp(Duration connectTimeout, Duration readTimeout, SSLSocketFactory tls) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.tls = tls;
    }

    /** 30 s to connect, 60 s of silence at most per read, the JDK's trust store. */
    static RegistryHttp standard() {
        return new RegistryHttp(Duration.ofSeconds(30), Duration.ofSeconds(60), HttpsURLConnection.getDefaultSSLSocketFactory());
    }

    /** An answer: status, headers, and the body (empty when the server sent none); close it once read. */
    interface Answer extends AutoCloseable {
        int status();

        /** All values of a header, whatever the case of its name. */
        List<String> headers(String name);

        default Optional<String> header(String name) {
            List<String> all = headers(name);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
        }

        InputStream body();

        @Override
        void close() throws IOException;
    }

    /** One GET of {@code uri} with {@code headers}; any status is an answer, a transport failure an IOException. */
    Answer get(URI uri, Map<String, String> headers) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        // The JDK checks the certificate's chain and that it names the host (HttpsURLConnection's default verifier).
        if (c instanceof HttpsURLConnection https) https.setSSLSocketFactory(tls);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout((int) connectTimeout.toMillis());
        c.setReadTimeout((int) readTimeout.toMillis());
        c.setRequestProperty("User-Agent", USER_AGENT);
        // Layers are compressed already; a transparent gzip of the transfer would hide their digest.
        c.setRequestProperty("Accept-Encoding", "identity");
        headers.forEach(c::setRequestProperty);
        int status;
        try {
            status = c.getResponseCode();
        } catch (IOException e) {
            c.disconnect();
            throw e;
        }
        if (status < 0) {
            c.disconnect();
            throw new IOException("not an HTTP answer from " + uri.getHost());
        }
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new UrlAnswer(c, status, body == null ? InputStream.nullInputStream() : body);
    }

    private record UrlAnswer(HttpURLConnection connection, int status, InputStream body) implements Answer {
        /** The JDK keeps differently spelled names (WWW-Authenticate, www-authenticate) apart: all are gathered. */
        @Override
        public List<String> headers(String name) {
            List<String> all = new java.util.ArrayList<>();
            for (Map.Entry<String, List<String>> e : connection.getHeaderFields().entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) all.addAll(e.getValue());
            }
            return all;
        }

        /** Closing a body read to its end keeps the connection for the next request to that host. */
        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
