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
 * bin/enviro runs ps, images, pull, run, exec, logs, stop, kill, rm and wait in the native client
 * (client/, Go) and every other verb in the Java CLI; ENVIRO_CLIENT=java sends those to the Java CLI too. The two must print the same
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

    /** Through the native client for sure: it is built, and no ENVIRO_CLIENT from the caller's environment turns it off. */
    static Cli.Result nativeClient(String... args) throws Exception {
        assertTrue(java.nio.file.Files.isExecutable(Cli.repo().resolve("client/target/enviro-client")), "the native client is built");
        Map<String, String> env = new HashMap<>(engine.env());
        env.put("ENVIRO_CLIENT", "native");
        return Cli.run(List.of(), env, 120, args);
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

    /** client/usage.go is generated from the Java CLI's help (client/gen-usage.sh): this fails when it is stale. */
    @Test
    void everyNativeVerbsHelpIsTheJavaClis() throws Exception {
        for (String verb : List.of("ps", "images", "pull", "run", "exec", "logs", "stop", "kill", "rm", "wait")) {
            Cli.Result n = nativeClient(verb, "--help"), j = java(verb, "--help");
            assertEquals(0, n.exitCode(), n::toString);
            assertEquals(j.stdout(), n.stdout(), verb + " --help: run client/gen-usage.sh");
        }
    }

    @Test
    void badCommandLinesAreRefusedWithTheSameLine() throws Exception {
        for (List<String> line : List.of(List.of("ps", "-x"), List.of("ps", "extra"), List.of("images", "--bogus"), List.of("pull"),
                List.of("pull", "--platform"), List.of("pull", "Bad!"), List.of("pull", "a", "b"),
                List.of("pull", registry.host() + "/parity/none:1.0"), List.of("pull", "--platform", "linux/arm64", registry.host() + "/parity/native:1.0"),
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

    @Test
    void runPrintsAndEndsAsTheJavaCliDoes() throws Exception {
        for (List<String> line : List.of(
                List.of("run", "--rm", "localhost/busybox", "sh", "-c", "echo out; echo err >&2; exit 3"),
                List.of("run", "--rm", "-e", "A=1", "-e", "HOME", "-w", "/tmp", "-u", "1000", "localhost/busybox", "sh", "-c", "echo $A $HOME; pwd; id -u"),
                List.of("run", "--rm", "--read-only", "--tmpfs", "/scratch", "--memory", "64m", "--pids-limit", "50", "--cap-drop", "ALL",
                        "localhost/busybox", "sh", "-c", "touch /scratch/x && ! touch /x 2>/dev/null && cat /proc/self/status | grep CapEff"),
                List.of("run", "--rm", "--entrypoint", "echo", "localhost/busybox", "-n", "no newline"),
                List.of("run", "--rm", "localhost/busybox", "echo", "--host", "x", "--state-dir", "y"), // the command's, not root options
                // refused before any call, with the same line
                List.of("run"), List.of("run", "-x", "img"), List.of("run", "--name", "bad@name", "img"), List.of("run", "-m", "12q", "img"),
                List.of("run", "--cpus", "1.5.2", "img"), List.of("run", "-v", "data:/data", "img"), List.of("run", "--rm", "--restart", "always", "img"),
                List.of("run", "--env-file", "/nonexistent/app.env", "img"), List.of("run", "--security-opt", "seccomp=/nonexistent/p.json", "img"),
                List.of("run", "-e", "=x", "img"), List.of("run", "--restart", "always:3", "img"),
                // refused by the engine
                List.of("run", "--rm", "--ulimit", "bogus=1", "localhost/busybox", "true"),
                List.of("run", "--rm", "--cap-add", "NOT_A_CAP", "localhost/busybox", "true"),
                // neither here nor pullable: one line
                List.of("run", "--rm", "127.0.0.1:1/nowhere/image:1", "true"))) {
            String[] args = line.toArray(String[]::new);
            Cli.Result n = nativeClient(args), j = java(args);
            assertEquals(j.exitCode(), n.exitCode(), () -> String.join(" ", line) + "\n" + j + "\n" + n);
            assertEquals(j.stdout(), n.stdout(), String.join(" ", line));
            // (a container without --name gets a generated one, adjective_surname, different each run)
            assertEquals(j.stderr().replaceAll("container [a-z]+_[a-z]+", "container NAME"),
                    n.stderr().replaceAll("container [a-z]+_[a-z]+", "container NAME"), String.join(" ", line));
        }
        Cli.Result exited = nativeClient("run", "--rm", "localhost/busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(new Cli.Result(3, "out\n", "err\n"), exited);
        Cli.Result refused = nativeClient("run", "-m", "12q", "img");
        assertEquals(125, refused.exitCode());
        assertEquals("Error: invalid size for --memory: '12q': expected a number with an optional unit b, k, m or g (e.g. 512m)\n", refused.stderr());
    }

    @Test
    void aCommandThatCannotRunEndsWith127InBoth() throws Exception {
        Cli.Result n = nativeClient("run", "--rm", "--name", "missing-native", "localhost/busybox", "nosuchcmd");
        Cli.Result j = java("run", "--rm", "--name", "missing-java", "localhost/busybox", "nosuchcmd");
        assertEquals(127, n.exitCode(), n::toString);
        assertEquals(127, j.exitCode(), j::toString);
        assertEquals(j.stderr().replace("missing-java", "X"), n.stderr().replace("missing-native", "X"));
        assertTrue(n.stderr().contains("the command is not in the image or not on its PATH"), n::toString);
    }

    @Test
    void aDetachedRunPrintsTheId() throws Exception {
        Cli.Result n = nativeClient("run", "-d", "--name", "detached-native", "localhost/busybox", "sleep", "300");
        assertEquals(0, n.exitCode(), n::toString);
        assertTrue(n.stdout().matches("[0-9a-f]{64}\n"), n::toString);
        assertTrue(nativeClient("ps").stdout().contains("detached-native"));
        assertEquals(0, engine.cli("rm", "-f", "detached-native").exitCode());
    }

    /** A foreground run passes SIGTERM, SIGINT and SIGHUP to the container (docker's sig-proxy), in both clients. */
    @Test
    void aForegroundRunForwardsSignalsToTheContainer() throws Exception {
        for (String client : List.of("native", "java")) {
            ProcessBuilder pb = new ProcessBuilder(Cli.launcher().toString(), "run", "--rm", "localhost/busybox", "sh", "-c",
                    "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(engine.env());
            pb.environment().put("ENVIRO_CLIENT", client);
            Process p = pb.start();
            try {
                java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
                assertEquals("ready", out.readLine(), client);
                new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor(); // the client, by its PID
                assertEquals("got-term", out.readLine(), client);
                assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), client);
                assertEquals(7, p.exitValue(), client);
            } finally {
                p.destroyForcibly().waitFor();
                // a failure above leaves the container looping: end it (the fixture would, at the class's end)
                for (String line : engine.cli("ps", "-q").stdout().lines().toList()) engine.cli("rm", "-f", line);
            }
        }
    }

    /** One container's life through logs, exec, kill, stop, wait, logs -f and rm, in each client: the same lines. */
    @Test
    void theContainerVerbsPrintWhatTheJavaCliPrints() throws Exception {
        Map<String, List<Cli.Result>> seen = new HashMap<>();
        for (String client : List.of("native", "java")) {
            String name = "life-" + client;
            java.util.function.Function<String[], Cli.Result> cli = args -> {
                try {
                    return client.equals("java") ? java(args) : nativeClient(args);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals(0, cli.apply(new String[] {"run", "-d", "--name", name, "localhost/busybox", "sh", "-c",
                    "echo started; echo warned >&2; trap 'exit 9' TERM; while true; do sleep 0.1; done"}).exitCode());
            Cli.Result logs = cli.apply(new String[] {"logs", name});
            for (int i = 0; i < 50 && !logs.stdout().contains("started"); i++) {
                Thread.sleep(100);
                logs = cli.apply(new String[] {"logs", name});
            }
            List<Cli.Result> results = new java.util.ArrayList<>(List.of(logs,
                    cli.apply(new String[] {"exec", name, "sh", "-c", "echo out; echo err >&2; exit 4"}),
                    cli.apply(new String[] {"exec", "-e", "A=1", "-w", "/tmp", "-u", "1000", name, "sh", "-c", "echo $A; pwd; id -u"}),
                    cli.apply(new String[] {"exec", name, "nosuchcmd"}),
                    cli.apply(new String[] {"kill", "-s", "BOGUS", name}),
                    cli.apply(new String[] {"stop", "-t", "5", name}),
                    cli.apply(new String[] {"wait", name}),
                    cli.apply(new String[] {"logs", "-f", name}),
                    cli.apply(new String[] {"kill", name}),
                    cli.apply(new String[] {"rm", name, "nosuch-" + client}),
                    cli.apply(new String[] {"wait", "nosuch-" + client})));
            seen.put(client, results.stream().map(r -> new Cli.Result(r.exitCode(),
                    r.stdout().replace(name, "NAME").replace("nosuch-" + client, "NOSUCH"),
                    r.stderr().replace(name, "NAME").replace("nosuch-" + client, "NOSUCH"))).toList());
        }
        assertEquals(seen.get("java"), seen.get("native"));
        List<Cli.Result> n = seen.get("native");
        assertEquals(new Cli.Result(0, "started\n", "warned\n"), n.get(0));
        assertEquals(new Cli.Result(4, "out\n", "err\n"), n.get(1));
        assertEquals(new Cli.Result(0, "1\n/tmp\n1000\n", ""), n.get(2));
        assertEquals(127, n.get(3).exitCode(), n.get(3)::toString);
        assertEquals(new Cli.Result(0, "NAME\n", ""), n.get(5), "stop prints the name");
        assertEquals(new Cli.Result(0, "9\n", ""), n.get(6), "wait prints the exit code (the TERM trap's)");
        assertEquals(125, n.get(8).exitCode(), "kill of an exited container fails");
        assertEquals(125, n.get(9).exitCode());
        assertEquals("NAME\n", n.get(9).stdout(), "rm removed the one that exists");
        assertEquals(1, n.get(9).stderr().lines().count(), n.get(9)::toString);
    }

    /** A relative path on the command line is the caller's, not bin/enviro's checkout's: both clients, and load (Java). */
    @Test
    void relativePathsAreTheCallersWorkingDirectorys() throws Exception {
        Path cwd = Files.createDirectory(engine.dir.resolve("caller"));
        Files.writeString(cwd.resolve("app.env"), "FROM_FILE=relative\n");
        Files.copy(BusyboxImage.archive(), cwd.resolve("box.tar"));
        for (String client : List.of("native", "java")) {
            ProcessBuilder pb = new ProcessBuilder(Cli.launcher().toString(), "run", "--rm", "--env-file", "app.env", "localhost/busybox",
                    "sh", "-c", "echo $FROM_FILE").directory(cwd.toFile()).redirectErrorStream(true);
            pb.environment().putAll(engine.env());
            pb.environment().put("ENVIRO_CLIENT", client);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("relative\n", out, client);
        }
        ProcessBuilder load = new ProcessBuilder(Cli.launcher().toString(), "load", "-i", "box.tar").directory(cwd.toFile()).redirectErrorStream(true);
        load.environment().putAll(engine.env());
        Process p = load.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
