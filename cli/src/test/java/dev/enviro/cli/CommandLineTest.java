package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.grpc.v1.ContainerSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing and validation, before any engine is called. */
class CommandLineTest {

    @TempDir Path dir;

    static ContainerSpec spec(Map<String, String> env, String... args) {
        EnviroCommand root = new EnviroCommand(new LocalCaller(System.out, System.err, java.io.InputStream.nullInputStream(), env), null);
        CommandLine.ParseResult parsed = Main.commandLine(root, args).parseArgs(args);
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return run.spec();
    }

    @Test
    void optionsAfterTheImageBelongToTheCommand() {
        ContainerSpec spec = spec(Map.of("HOME", "/root"), "run", "--rm", "--name", "web.1", "-e", "A=1", "-e", "HOME",
                "-e", "UNSET", "-w", "/srv", "-u", "1000:1000", "--hostname", "box", "localhost/busybox", "ls", "-la", "--rm", "-e", "X");
        assertEquals("localhost/busybox", spec.getImage());
        assertEquals(List.of("ls", "-la", "--rm", "-e", "X"), spec.getCommandList());
        assertTrue(spec.getAutoRemove());
        assertEquals("web.1", spec.getName());
        assertEquals(List.of("A=1", "HOME=/root"), spec.getEnvList(), "KEY alone takes the shell's value; unset ones are skipped");
        assertEquals("/srv", spec.getWorkdir());
        assertEquals("1000:1000", spec.getUser());
        assertEquals("box", spec.getHostname());
        assertFalse(spec.getOverrideEntrypoint());
    }

    @Test
    void entrypointOverridesAndEmptyClears() {
        ContainerSpec set = spec(Map.of(), "run", "--entrypoint", "/bin/sh", "img", "-c", "true");
        assertTrue(set.getOverrideEntrypoint());
        assertEquals(List.of("/bin/sh"), set.getEntrypointList());
        assertEquals(List.of("-c", "true"), set.getCommandList());
        ContainerSpec cleared = spec(Map.of(), "run", "--entrypoint", "", "img");
        assertTrue(cleared.getOverrideEntrypoint());
        assertEquals(List.of(), cleared.getEntrypointList());
    }

    /** No engine at this address: a line about it would mean the CLI called one before validating. */
    Map<String, String> noEngine() {
        return Map.of("ENVIRO_HOST", "unix://" + dir.resolve("none.sock"));
    }

    @Test
    void invalidValuesAreOneLineAndExit125() {
        assertError("Error: invalid container name 'bad name': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                "run", "--name", "bad name", "img");
        assertError("Error: invalid container name '-x': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                "run", "--name=-x", "img");
        assertError("Error: invalid environment variable '=x': expected KEY=VALUE or KEY", "run", "-e", "=x", "img");
        assertError("Error: invalid working directory 'srv': it must be an absolute path", "run", "-w", "srv", "img");
        assertError("Error: invalid signal 'BOGUS': expected a name such as TERM or KILL, or a number from 1 to 64",
                "kill", "-s", "BOGUS", "c1");
        assertError("Error: invalid stop timeout -1: it must not be negative", "stop", "-t", "-1", "c1");
        assertError("Error: invalid host tcp://h:1: TCP is not supported yet, use unix:///path/to/enviro.sock",
                "--host", "tcp://h:1", "ps");
    }

    @Test
    void usageErrorsNameTheHelp() {
        CliRun unknown = CliRun.of(noEngine(), "run", "-x", "img");
        assertEquals(125, unknown.exit());
        assertEquals("Error: Unknown option: '-x'. See 'enviro run --help'.\n", unknown.err());
        CliRun missing = CliRun.of(noEngine(), "run");
        assertEquals(125, missing.exit());
        assertEquals("Error: Missing required parameter: 'IMAGE'. See 'enviro run --help'.\n", missing.err());
        CliRun verb = CliRun.of(noEngine(), "frobnicate");
        assertEquals(125, verb.exit());
        assertTrue(verb.err().startsWith("Error: Unmatched argument at index 0: 'frobnicate'"), verb.err());
        assertEquals(1, verb.err().lines().count());
        assertEquals(125, CliRun.of(noEngine(), "load").exit());
    }

    @Test
    void noEngineListening() {
        CliRun ps = CliRun.of(noEngine(), "ps");
        assertEquals(125, ps.exit());
        assertEquals("Error: cannot reach the Enviro engine at unix://" + dir.resolve("none.sock")
                + " (connect: No such file or directory). Start one with 'enviro daemon' (or set ENVIRO_HOST).\n", ps.err());
        assertEquals("", ps.out());
    }

    @Test
    void theHostFlagWinsOverTheEnvironment() {
        CliRun ps = CliRun.of(noEngine(), "ps", "--host", "unix://" + dir.resolve("flag.sock"));
        assertTrue(ps.err().contains("unix://" + dir.resolve("flag.sock")), ps.err());
    }

    @Test
    void signalNamesAndNumbers() {
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(10, Signals.parse("USR1"));
        assertEquals(2, Signals.parse("2"));
        assertEquals(37, Signals.parse("RTMIN+3"));
        assertEquals(64, Signals.parse("RTMAX"));
        assertThrows(EnviroError.class, () -> Signals.parse("0"));
        assertThrows(EnviroError.class, () -> Signals.parse("65"));
        assertThrows(EnviroError.class, () -> Signals.parse("RTMIN+31"));
    }

    private void assertError(String line, String... args) {
        CliRun run = CliRun.of(noEngine(), args);
        assertEquals(125, run.exit(), run.err());
        assertEquals(line + "\n", run.err());
    }
}
