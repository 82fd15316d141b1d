package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.images.registry.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bin/enviro runs ps, images and pull in the native client (client/, Go) and every other verb in the
 * Java CLI; ENVIRO_CLIENT=java sends those three to the Java CLI too. The two must print the same
 * lines and end with the same exit codes, against one real engine and registry; and the credentials
 * `enviro login` stores (Java) must be the ones the native pull sends.
 */
class NativeClientIT extends WithBusyboxEngine {
    static LocalRegistry registry;
    static TokenServer tokens;
    static LocalRegistry secured;

    @BeforeAll
    static void registries() throws Exception {
        registry = LocalRegistry.start(engine.dir);
        for (String name : List.of("native", "java")) registry.push(BusyboxImage.archive(), "parity/" + name + ":1.0");
        Path dir = Files.createDirectory(engine.dir.resolve("secured"));
        tokens = new TokenServer(dir);
        secured = LocalRegistry.start(dir, "127.0.0.1", tokens.registryAuthYaml());
        secured.push(BusyboxImage.archive(), "private/busybox:1.0", TokenServer.USER + ":" + TokenServer.PASSWORD);
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        try {
            if (registry != null) registry.close();
            if (secured != null) secured.close();
        } finally {
            if (tokens != null) tokens.close();
        }
    }

    static Cli.Result cli(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(engine.env());
        env.putAll(extraEnv);
        return Cli.run(List.of(), env, 120, args);
    }

    static Cli.Result java(String... args) throws Exception {
        return cli(Map.of("ENVIRO_CLIENT", "java"), args);
    }

    static Cli.Result nativeClient(String... args) throws Exception {
        return cli(Map.of(), args);
    }

    /**
     * The columns' alignment is unit-tested on both sides; what is compared here is the text. Ages
     * ("3 seconds ago", "Up 4 seconds") may tick between the two calls, and with them a column's width.
     */
    static String comparable(String listing) {
        return listing.replaceAll("(Less than a second|About a minute|\\d+ seconds?|\\d+ minutes)", "AGE").replaceAll(" {2,}", "\t");
    }

    @Test
    void psAndImagesPrintWhatTheJavaCliPrints() throws Exception {
        assertEquals(0, engine.cli("run", "-d", "--name", "parity-up", "localhost/busybox", "sleep", "300").exitCode());
        assertEquals(3, engine.cli("run", "--name", "parity-exited", "localhost/busybox", "sh", "-c", "exit 3").exitCode());
        for (List<String> line : List.of(List.of("ps"), List.of("ps", "-a"), List.of("ps", "-aq"), List.of("ps", "--all=true", "--quiet"),
                List.of("images"))) {
            String[] args = line.toArray(String[]::new);
            Cli.Result n = nativeClient(args), j = java(args);
            assertEquals(0, n.exitCode(), n::toString);
            assertEquals(comparable(j.stdout()), comparable(n.stdout()), String.join(" ", line));
            assertEquals(j.stderr(), n.stderr(), String.join(" ", line));
        }
        assertTrue(nativeClient("ps").stdout().contains("parity-up"));
        assertTrue(nativeClient("ps", "-a").stdout().contains("Exited (3)"));
        assertTrue(nativeClient("images").stdout().contains("localhost/busybox"));
        assertEquals(0, engine.cli("rm", "-f", "parity-up", "parity-exited").exitCode());
    }

    @Test
    void badCommandLinesAreRefusedWithTheSameLine() throws Exception {
        for (List<String> line : List.of(List.of("ps", "-x"), List.of("ps", "extra"), List.of("images", "--bogus"), List.of("pull"),
                List.of("pull", "--platform"), List.of("pull", "Bad!"), List.of("pull", "a", "b"),
                List.of("pull", registry.host() + "/parity/none:1.0"),
                List.of("--host", "tcp://127.0.0.1:1", "ps"), List.of("--host", "unix://" + engine.dir.resolve("none.sock"), "images"))) {
            String[] args = line.toArray(String[]::new);
            Cli.Result n = nativeClient(args), j = java(args);
            assertEquals(125, n.exitCode(), n::toString);
            assertEquals(j.exitCode(), n.exitCode(), String.join(" ", line));
            assertEquals(j.stderr(), n.stderr(), String.join(" ", line));
            assertEquals(1, n.stderr().lines().count(), n::toString);
            assertEquals("", n.stdout(), n::toString);
        }
    }

    @Test
    void pullPrintsWhatTheJavaCliPrints() throws Exception {
        Cli.Result n = nativeClient("pull", registry.host() + "/parity/native:1.0");
        Cli.Result j = java("pull", registry.host() + "/parity/java:1.0");
        assertEquals(0, n.exitCode(), n::toString);
        assertEquals(0, j.exitCode(), j::toString);
        assertEquals(j.stdout().replace("/parity/java", "/parity/X"), n.stdout().replace("/parity/native", "/parity/X"));
        assertTrue(n.stdout().contains("Status: Downloaded image " + registry.host() + "/parity/native:1.0 (sha256:"), n::toString);
        // pulled again: every layer is already there
        Cli.Result again = nativeClient("pull", "-q", registry.host() + "/parity/native:1.0");
        assertEquals(registry.host() + "/parity/native:1.0\n", again.stdout(), again::toString);
        Cli.Result run = engine.cli("run", "--rm", registry.host() + "/parity/native:1.0", "echo", "pulled-natively");
        assertEquals("pulled-natively\n", run.stdout(), run::toString);
    }

    /** `enviro login` (Java) writes ~/.docker/config.json; the native pull reads it and sends the credentials. */
    @Test
    void theNativePullSendsTheCredentialsLoginStored() throws Exception {
        Path config = Files.createDirectory(engine.dir.resolve("docker-config"));
        Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString());
        String ref = secured.host() + "/private/busybox:1.0";

        Cli.Result anonymous = cli(env, "pull", ref);
        assertEquals(125, anonymous.exitCode(), anonymous::toString);
        assertTrue(anonymous.stderr().contains("needs a login ('enviro login " + secured.host() + "')"), anonymous::toString);

        assertEquals(0, cli(env, "login", "-u", TokenServer.USER, "-p", "wrong", secured.host()).exitCode());
        Cli.Result wrong = cli(env, "pull", ref);
        assertEquals(125, wrong.exitCode(), wrong::toString);
        assertEquals("Error: registry " + secured.host() + " denied access to private/busybox for user alice: wrong user name or password,"
                + " or no pull permission; run 'enviro login " + secured.host() + "' again\n", wrong.stderr());

        assertEquals(0, cli(env, "login", "-u", TokenServer.USER, "-p", TokenServer.PASSWORD, secured.host()).exitCode());
        Cli.Result pulled = cli(env, "pull", ref);
        assertEquals(0, pulled.exitCode(), pulled::toString);
        assertTrue(pulled.stdout().contains("Status: Downloaded image " + ref), pulled::toString);

        // a credential file that cannot be read is named, in one line, by both clients
        Files.writeString(config.resolve("config.json"), "{\"auths\": {\"" + secured.host() + "\": {\"auth\": \"%%%\"}}}");
        Cli.Result broken = cli(env, "pull", ref);
        assertEquals(125, broken.exitCode(), broken::toString);
        assertEquals("Error: " + config.resolve("config.json") + ": the auth of " + secured.host() + " is not base64: run 'enviro login "
                + secured.host() + "' again\n", broken.stderr());
        Map<String, String> javaEnv = new HashMap<>(env);
        javaEnv.put("ENVIRO_CLIENT", "java");
        assertEquals(broken.stderr(), cli(javaEnv, "pull", ref).stderr());
        assertEquals(0, engine.cli("rmi", ref).exitCode());
    }
}
