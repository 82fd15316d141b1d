package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.Resources;
import dev.enviro.grpc.v1.SecurityOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11, items 2-4 and 9: a request a start would refuse is refused at create, through the API as
 * through the CLI, with one line that names what to change and never INTERNAL, and nothing is created
 * (no container, no journal entry); values within the kernel's own limits start.
 */
class AdmissionIT extends WithBusyboxEngine {

    private static EnviroClient api;

    @BeforeAll
    static void connect() {
        api = EnviroClient.connect(EngineAddress.parse("unix://" + engine.socket));
    }

    @AfterAll
    static void disconnect() {
        if (api != null) api.close();
    }

    private static ContainerSpec.Builder spec() {
        return ContainerSpec.newBuilder().setImage("localhost/busybox").addCommand("true");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                row("a negative memory limit", s -> s.setResources(Resources.newBuilder().setMemoryBytes(-5)), "--memory -5"),
                row("a cpuset beyond the host", s -> s.setResources(Resources.newBuilder().setCpusetCpus("0-999")), "--cpuset-cpus 0-999"),
                row("a negative tmpfs size", s -> s.addTmpfs("/x:size=-1"), "size=-1 is not valid"),
                row("an unknown tmpfs option", s -> s.addTmpfs("/x:colour=blue"), "unknown option 'colour=blue'"),
                row("a relative volume source", s -> s.addVolumes("data:/data"), "data:/data"),
                row("a missing volume source", s -> s.addVolumes("/no/such/dir:/data"), "/no/such/dir"),
                row("a user the image lacks", s -> s.setUser("nosuchuser"), "user 'nosuchuser' is not in the image's /etc/passwd"),
                row("a group the image lacks", s -> s.setUser("0:nosuchgroup"), "group 'nosuchgroup'"),
                row("a relative working directory", s -> s.setWorkdir("tmp"), "working directory 'tmp' is not absolute"),
                row("a hostname of 100 characters", s -> s.setHostname("h".repeat(100)), "is 100 bytes; the kernel takes at most 64"),
                row("a hostname with a space", s -> s.setHostname("my host"), "RFC 1123"),
                row("a NUL in an environment value", s -> s.addEnv("A=x\0y"), "contains a NUL byte"),
                row("a NUL in an argument", s -> s.clearCommand().addCommand("echo").addCommand("a\0b"), "contains a NUL byte"),
                row("an argument beyond MAX_ARG_STRLEN", s -> s.clearCommand().addCommand("echo").addCommand("y".repeat(200_000)), "MAX_ARG_STRLEN"),
                row("arguments beyond a quarter of the stack", s -> {
                    s.clearCommand().addCommand("echo");
                    for (int i = 0; i < 60; i++) s.addCommand("z".repeat(120_000));
                    return s;
                }, "the kernel's execve takes at most"),
                row("an unknown capability", s -> s.setSecurity(SecurityOptions.newBuilder().addCapAdd("NOT_A_CAP")), "NOT_A_CAP"),
                row("an unknown security option", s -> s.setSecurity(SecurityOptions.newBuilder().addSecurityOpt("colour=blue")), "unknown option"),
                row("a malformed ulimit", s -> s.setSecurity(SecurityOptions.newBuilder().addUlimit("nofile=lots")), "nofile=lots"),
                row("a bad log option", s -> s.addLogOpts("max-size=huge"), "max-size"),
                row("a bad restart policy", s -> s.setRestartPolicy("sometimes"), "sometimes"),
                row("--rm with a restart policy", s -> s.setAutoRemove(true).setRestartPolicy("always"), "conflict"),
                row("a name of 3 MB", s -> s.setName("n".repeat(3_000_000)), "invalid container name"));
    }

    private static Arguments row(String what, UnaryOperator<ContainerSpec.Builder> change, String mention) {
        return Arguments.of(what, change, mention);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedAtCreateWithOneLineAndNothingCreated(String what, UnaryOperator<ContainerSpec.Builder> change, String mention)
            throws Exception {
        String before = engine.cli("ps", "-a", "-q", "--no-trunc").stdout();
        String creates = engine.cli("events", "--filter", "type=Created").stdout();
        EnviroError e = assertThrows(EnviroError.class, () -> api.create(change.apply(spec()).build()), what);
        assertNotEquals(ErrorCode.INTERNAL, e.code(), e::getMessage);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e::getMessage);
        assertFalse(e.getMessage().contains("\n"), () -> "one line: " + e.getMessage());
        assertTrue(e.getMessage().length() < 400, () -> "short, not an echo of the input: " + e.getMessage().length());
        assertTrue(e.getMessage().contains(mention), () -> "should mention '" + mention + "': " + e.getMessage());
        assertEquals(before, engine.cli("ps", "-a", "-q", "--no-trunc").stdout(), "no container");
        assertEquals(creates, engine.cli("events", "--filter", "type=Created").stdout(), "no journal entry");
    }

    @Test
    void theCliRunIsRefusedTheSameWayAndLeavesNothing() throws Exception {
        String before = engine.cli("ps", "-a", "-q").stdout();
        for (List<String> run : List.of(
                List.of("run", "--tmpfs", "/x:size=-1", "localhost/busybox", "true"),
                List.of("run", "-u", "nosuchuser", "localhost/busybox", "true"),
                List.of("run", "--hostname", "h".repeat(100), "localhost/busybox", "true"),
                List.of("run", "--cpuset-cpus", "0-999", "localhost/busybox", "true"))) {
            Cli.Result r = engine.cli(run.toArray(String[]::new));
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().strip().lines().count(), () -> "one line: " + r);
        }
        assertEquals(before, engine.cli("ps", "-a", "-q").stdout(), "no Created container left by a refused run");
    }

    @Test
    void tenThousandVariablesAndAMegabyteOfArgumentsStart() throws Exception {
        ContainerSpec.Builder env = spec().clearCommand().addCommand("sh").addCommand("-c").addCommand("env | grep -c '^V[0-9]'")
                .setAutoRemove(false);
        for (int i = 0; i < 10_000; i++) env.addEnv("V" + i + "=value-" + i);
        Cli.Result counted = runToEnd(env.setName("many-env").build());
        assertEquals("10000\n", counted.stdout(), counted::toString);

        List<String> argv = new ArrayList<>(List.of("sh", "-c", "echo $#; for a; do echo ${#a}; done | sort -u"));
        argv.add("sh");
        for (int i = 0; i < 8; i++) argv.add("a".repeat(128 * 1024 - 1));
        Cli.Result sized = runToEnd(spec().clearCommand().addAllCommand(argv).setName("mb-args").build());
        assertEquals("8\n131071\n", sized.stdout(), sized::toString);
    }

    /** Creates and starts through the API, waits for the end, reads the log through the CLI, removes. */
    private static Cli.Result runToEnd(ContainerSpec spec) throws Exception {
        try {
            api.create(spec);
            api.start(spec.getName());
            Cli.Result waited = engine.cli("wait", spec.getName());
            assertEquals("0", waited.stdout().strip(), waited::toString);
            return engine.cli("logs", spec.getName());
        } finally {
            engine.cli("rm", "-f", spec.getName());
        }
    }
}
