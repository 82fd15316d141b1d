package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.enviro.images.PullStep;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Ingest;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The distribution API (OCI distribution spec) for one repository: manifests and blobs, with the
 * registry's authentication (anonymous or credentialed bearer tokens, or HTTP Basic) done on the
 * first 401 and reused after. Transient failures (connection errors, 5xx, 429) are retried with
 * back-off; a blob download that breaks off resumes where it stopped with an HTTP Range request.
 * Redirects are followed by hand so that the registry's Authorization never goes to another host
 * (blob storage behind a redirect rejects, or must not see, it).
 */
final class RegistryClient {
    static final String MANIFEST_ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    static final int MANIFEST_LIMIT = 4 << 20;
    private static final int ATTEMPTS = 6;
    private static final int MAX_REDIRECTS = 5;

    private final RegistryHttp http;
    private final Reference ref;
    private final Credentials credentials;
    private final String base;
    private final Duration firstBackoff;
    private volatile String authorization;
    /** A login check asks a token for no repository (the token server still checks the credentials). */
    private volatile boolean loginOnly;

    /** What a manifests request answered: the body, its media type and its digest (computed here). */
    record Manifest(byte[] bytes, String mediaType, Digest digest) {}

    RegistryClient(RegistryHttp http, Reference ref, Credentials credentials, boolean plainHttp, Duration firstBackoff) {
        this.http = http;
        this.ref = ref;
        this.credentials = credentials;
        this.base = (plainHttp ? "http://" : "https://") + ref.apiHost() + "/v2/" + ref.repository();
        this.firstBackoff = firstBackoff;
    }

    /** Whether a registry is spoken to in plain HTTP: loopback names always, others only when configured insecure. */
    static boolean plainHttp(String registry, java.util.Set<String> insecure) {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1) : registry.replaceFirst(":\\d+$", "");
        return host.equals("localhost") || host.matches("127(\\.\\d{1,3}){3}") || host.equals("[::1]") || insecure.contains(registry) || insecure.contains(host);
    }

    /**
     * The registry's base endpoint ({@code GET /v2/}) with the credentials, authenticated as a pull would
     * be but for no repository (docker login's check): returns when the registry accepts them, fails
     * DENIED when it refuses them.
     */
    void checkLogin() throws EnviroError {
        loginOnly = true;
        URI uri = URI.create(base.substring(0, base.indexOf("/v2/") + "/v2/".length()));
        try {
            retrying("login to " + ref.registry(), () -> {
                try (RegistryHttp.Answer r = send(uri, null, null)) {
                    checkStatus(r, "login to " + ref.registry());
                    return null;
                }
            });
        } catch (EnviroError e) {
            if (!e.is(ErrorCode.DENIED)) throw e;
            throw new EnviroError(ErrorCode.DENIED, "registry " + ref.registry() + " refused the login of user "
                    + (credentials == null ? "(none)" : credentials.username()) + ": check the user name and password", e);
        }
    }

    /** GETs a manifest or index by tag or digest; when asked by digest, the body must hash to it. */
    Manifest manifest(String reference) throws EnviroError {
        URI uri = URI.create(base + "/manifests/" + reference);
        return retrying("manifest " + ref, () -> {
            try (RegistryHttp.Answer r = send(uri, MANIFEST_ACCEPT, null)) {
                InputStream body = r.body();
                if (r.status() == 404) {
                    throw new EnviroError(ErrorCode.NOT_FOUND, "image " + ref + " not found in registry " + ref.registry() + ": check the name and tag");
                }
                checkStatus(r, "manifest " + ref);
                byte[] bytes = body.readNBytes(MANIFEST_LIMIT + 1);
                if (bytes.length > MANIFEST_LIMIT) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "manifest " + ref + " is larger than " + MANIFEST_LIMIT + " bytes");
                Digest digest = Digest.of(bytes);
                if (Digest.isValid(reference) && !digest.toString().equals(reference)) {
                    throw new EnviroError(ErrorCode.CORRUPT, "manifest " + ref + " from " + ref.registry() + " has digest " + digest + ": the registry served other content, retry or report it to the registry");
                }
                String type = r.header("Content-Type").map(t -> t.split(";")[0].strip()).orElse(null);
                JsonNode declared = Json.parse(bytes, "manifest " + ref).get("mediaType");
                if (declared != null && declared.isTextual()) type = declared.asText();
                return new Manifest(bytes, type, digest);
            }
        });
    }

    /** GETs a small blob (a config) whole, verified. */
    byte[] smallBlob(Descriptor d) throws EnviroError {
        if (d.size() > MANIFEST_LIMIT) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "config " + d.digest() + " of " + ref + " is larger than " + MANIFEST_LIMIT + " bytes");
        URI uri = URI.create(base + "/blobs/" + d.digest());
        return retrying("blob " + d.digest(), () -> {
            try (RegistryHttp.Answer r = send(uri, null, null)) {
                InputStream body = r.body();
                checkStatus(r, "blob " + d.digest() + " of " + ref);
                byte[] bytes = body.readNBytes((int) d.size() + 1);
                if (bytes.length != d.size() || !Digest.of(bytes).equals(d.digest())) {
                    throw new EnviroError(ErrorCode.CORRUPT, "blob " + d.digest() + " of " + ref + " does not match its digest: the download was corrupted, retry");
                }
                return bytes;
            }
        });
    }

    /**
     * Downloads a blob into a new ingest of {@code store} and commits it: size and digest are checked
     * on the bytes as they arrive, so nothing unverified is ever visible. A connection that breaks
     * off is resumed at the byte where it stopped; a registry that ignores Range starts over.
     */
    void download(Descriptor d, ContentStore store, LongConsumer progress) throws EnviroError {
        download(d, store, progress, null);
    }

    /** As {@link #download(Descriptor, ContentStore, LongConsumer)}, feeding the bytes to {@code tap} (null: none) as they arrive. */
    void download(Descriptor d, ContentStore store, LongConsumer progress, LayerUnpacker.Tap tap) throws EnviroError {
        URI uri = URI.create(base + "/blobs/" + d.digest());
        Ingest[] ingest = {store.ingest()};
        PullStep download = PullStep.begin(ref.toString(), "layer.download", d.digest().toString(), d.size());
        try {
            retrying("blob " + d.digest(), () -> {
                long have = ingest[0].size();
                try (RegistryHttp.Answer r = send(uri, null, have > 0 ? "bytes=" + have + "-" : null)) {
                    InputStream body = r.body();
                    if (have > 0 && r.status() == 200) { // Range ignored: the body is the whole blob
                        ingest[0].close();
                        ingest[0] = store.ingest();
                        have = 0;
                        progress.accept(0);
                        if (tap != null) tap.restart();
                    } else if (have > 0 && r.status() == 206) {
                        String range = r.header("Content-Range").orElse("");
                        if (!range.startsWith("bytes " + have + "-")) throw new IOException("registry answered range " + range + " for bytes=" + have + "-");
                    } else {
                        checkStatus(r, "blob " + d.digest() + " of " + ref);
                    }
                    copy(body, ingest[0], d, progress, tap);
                    if (ingest[0].size() < d.size()) throw new IOException("connection closed after " + ingest[0].size() + " of " + d.size() + " bytes");
                    return null;
                }
            });
            download.commit();
            PullStep commit = PullStep.begin(ref.toString(), "layer.commit", d.digest().toString(), d.size());
            try {
                ingest[0].commit(d.digest(), d.size());
                commit.commit();
            } catch (EnviroError e) {
                if (!e.is(ErrorCode.CORRUPT)) throw e;
                throw new EnviroError(ErrorCode.CORRUPT, "layer " + d.digest() + " of " + ref + " does not match its digest (" + e.getMessage()
                        + "): the download was corrupted or the registry serves bad content; nothing was stored, retry the pull", e);
            }
        } finally {
            ingest[0].close();
        }
    }

    private static void copy(InputStream body, Ingest ingest, Descriptor d, LongConsumer progress, LayerUnpacker.Tap tap) throws IOException, EnviroError {
        byte[] buffer = new byte[256 * 1024];
        for (int n; (n = body.read(buffer)) > 0; ) {
            if (ingest.size() + n > d.size()) {
                throw new EnviroError(ErrorCode.CORRUPT, "blob " + d.digest() + " is longer than the " + d.size() + " bytes its descriptor says: nothing was stored");
            }
            ingest.write(buffer, 0, n);
            if (tap != null) tap.write(buffer, 0, n);
            progress.accept(ingest.size());
        }
    }

    // ---------------------------------------------------------------- HTTP, auth and retries

    private interface Attempt<T> {
        T run() throws IOException, EnviroError, InterruptedException;
    }

    private <T> T retrying(String what, Attempt<T> attempt) throws EnviroError {
        Duration backoff = firstBackoff;
        IOException last = null;
        for (int i = 1; i <= ATTEMPTS; i++) {
            try {
                return attempt.run();
            } catch (IOException e) { // connection refused or reset, a body cut short, 5xx and 429
                // an interrupted virtual thread's socket is closed under it: that is a cancel, not a network fault
                if (Thread.currentThread().isInterrupted()) throw new EnviroError(ErrorCode.INTERNAL, what + " of " + ref + ": interrupted", e);
                // a certificate refused, or a plain-HTTP server answering TLS: trying again changes nothing
                // (other TLS errors, a handshake cut by a busy balancer, are retried as any network fault)
                if (isPermanentTls(e)) {
                    throw new EnviroError(ErrorCode.UNAVAILABLE, "registry " + ref.registry() + ": HTTPS failed (" + describe(e) + "): check its certificate"
                            + ", or if it serves plain HTTP, start the daemon with --insecure-registry " + ref.registry(), e);
                }
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnviroError(ErrorCode.INTERNAL, what + " of " + ref + ": interrupted", e);
            }
            if (i == ATTEMPTS) break;
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnviroError(ErrorCode.INTERNAL, what + " of " + ref + ": interrupted", e);
            }
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(8)) > 0 ? Duration.ofSeconds(8) : backoff.multipliedBy(2);
        }
        throw new EnviroError(ErrorCode.UNAVAILABLE, "registry " + ref.registry() + ": cannot get " + what + " after " + ATTEMPTS + " attempts ("
                + describe(last) + "): check the network and that " + ref.apiHost() + " is up", last);
    }

    private static boolean isPermanentTls(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException || t instanceof javax.net.ssl.SSLPeerUnverifiedException) return true;
            if (t instanceof javax.net.ssl.SSLException && String.valueOf(t.getMessage()).contains("Unsupported or unrecognized SSL message")) return true;
            // HttpsURLConnection's own host name check (a certificate naming another host)
            if (t instanceof IOException && String.valueOf(t.getMessage()).startsWith("HTTPS hostname wrong")) return true;
        }
        return false;
    }

    private static String describe(IOException e) {
        if (e == null) return "no answer";
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    /** An answer worth retrying (5xx, 429). */
    private static final class Transient extends IOException {
        Transient(String message) {
            super(message);
        }
    }

    private void checkStatus(RegistryHttp.Answer r, String what) throws EnviroError, Transient {
        int s = r.status();
        if (s >= 200 && s < 300) return;
        if (s == 429 || s >= 500) throw new Transient("HTTP " + s);
        if (s == 401 || s == 403) throw denied();
        if (s == 404) throw new EnviroError(ErrorCode.NOT_FOUND, what + ": not found in registry " + ref.registry() + " (HTTP 404)");
        throw new EnviroError(ErrorCode.INTERNAL, what + ": registry " + ref.registry() + " answered HTTP " + s + ": retry, or report it to the registry's operator");
    }

    private EnviroError denied() {
        return new EnviroError(ErrorCode.DENIED, credentials == null
                ? "registry " + ref.registry() + " denied access to " + ref.repository() + ": the repository does not exist or needs a login ('enviro login " + ref.registry() + "')"
                : "registry " + ref.registry() + " denied access to " + ref.repository() + " for user " + credentials.username()
                        + ": wrong user name or password, or no pull permission; run 'enviro login " + ref.registry() + "' again");
    }

    /** Sends one GET, authenticating on a 401 challenge and following redirects. */
    private RegistryHttp.Answer send(URI uri, String accept, String range) throws IOException, EnviroError {
        RegistryHttp.Answer r = sendFollowing(uri, accept, range);
        if (r.status() != 401) return r;
        List<String> challenges = r.headers("WWW-Authenticate");
        r.close();
        Challenge c = Challenge.pick(challenges).orElseThrow(this::denied);
        String before = authorization;
        authorization = c.scheme().equals("bearer") ? "Bearer " + token(c) : basicOrDenied();
        if (authorization.equals(before)) throw denied(); // the same credentials were just refused
        return sendFollowing(uri, accept, range);
    }

    private String basicOrDenied() throws EnviroError {
        if (credentials == null) throw denied();
        return credentials.basic();
    }

    private RegistryHttp.Answer sendFollowing(URI uri, String accept, String range) throws IOException {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            Map<String, String> headers = new LinkedHashMap<>();
            if (accept != null) headers.put("Accept", accept);
            if (range != null) headers.put("Range", range);
            if (authorization != null && sameOrigin(at, uri)) headers.put("Authorization", authorization);
            RegistryHttp.Answer r = http.get(at, headers);
            int s = r.status();
            if ((s != 301 && s != 302 && s != 303 && s != 307 && s != 308) || hop == MAX_REDIRECTS) return r;
            String location = r.header("Location").orElse(null);
            r.close();
            if (location == null) throw new IOException("HTTP " + s + " without Location");
            at = at.resolve(location);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equals(b.getHost()) && a.getPort() == b.getPort();
    }

    /** The token flow of the distribution spec: GET realm?service&scope, with Basic credentials when there are some. */
    private String token(Challenge c) throws IOException, EnviroError {
        String realm = c.params().get("realm");
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new EnviroError(ErrorCode.DENIED, "registry " + ref.registry() + " sent a bearer challenge without a usable realm (" + realm + "): the registry is misconfigured");
        }
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (c.params().containsKey("service")) q.append("service=").append(enc(c.params().get("service"))).append('&');
        String scope = c.params().getOrDefault("scope", loginOnly ? null : "repository:" + ref.repository() + ":pull");
        if (scope != null) q.append("scope=").append(enc(scope));
        else q.setLength(q.length() - 1); // the '&' or '?' before the scope that is not there
        Map<String, String> headers = credentials == null ? Map.of() : Map.of("Authorization", credentials.basic());
        int status;
        byte[] answer;
        try (RegistryHttp.Answer r = http.get(URI.create(q.toString()), headers)) {
            status = r.status();
            answer = r.body().readNBytes(MANIFEST_LIMIT);
        }
        if (status == 401 || status == 403) throw denied();
        if (status == 429 || status >= 500) throw new Transient("token server answered HTTP " + status);
        if (status != 200) {
            throw new EnviroError(ErrorCode.DENIED, "registry " + ref.registry() + ": token server " + realm + " answered HTTP " + status + ": check the registry's auth configuration");
        }
        JsonNode body = Json.parse(answer, "token from " + realm);
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) throw new EnviroError(ErrorCode.DENIED, "registry " + ref.registry() + ": token server " + realm + " answered no token");
        return token;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
