package dev.enviro.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A variant that is one fresh process per call: {@code crun run}, {@code runc run}, or the
 * {@code enviro} CLI. Standard input is /dev/null and standard output is discarded for all of them
 * alike; standard error goes to a file that is read only when a call fails.
 */
public final class CommandRun implements Variant {

    private static final long CALL_TIMEOUT_SECONDS = 60;
    private static final File NULL_DEVICE = new File("/dev/null");

    private final VariantKind kind;
    private final IntFunction<List<String>> argv;
    private final IntFunction<List<String>> cleanup;
    private final Path stderr;

    private CommandRun(VariantKind kind, IntFunction<List<String>> argv, IntFunction<List<String>> cleanup, Path stderr) {
        this.kind = kind;
        this.argv = argv;
        this.cleanup = cleanup;
        this.stderr = stderr;
    }

    /**
     * {@code RUNTIME --root STATE run -b BUNDLE ID}: create, start, wait and delete in one command.
     * A private state root keeps the harness's containers apart from anyone else's, so that clean-up
     * can never touch a container it did not create.
     */
    public static CommandRun ociRuntime(VariantKind kind, String runtime, Path stateRoot, Path bundle, String idPrefix, Path workDir) {
        IntFunction<String> id = round -> idPrefix + "-" + kind.key() + "-" + round;
        return new CommandRun(kind,
                round -> List.of(runtime, "--root", stateRoot.toString(), "run", "--bundle", bundle.toString(), id.apply(round)),
                round -> List.of(runtime, "--root", stateRoot.toString(), "delete", "--force", id.apply(round)),
                workDir.resolve(kind.key() + ".stderr"));
    }

    /** {@code enviro --host unix://SOCKET run --rm IMAGE COMMAND...}: a JVM start plus one Run RPC. */
    public static CommandRun cli(Path enviro, Path socket, String image, List<String> command, Path workDir) {
        List<String> args = new ArrayList<>(List.of(enviro.toString(), "--host", "unix://" + socket, "run", "--rm", image));
        args.addAll(command);
        List<String> fixed = List.copyOf(args);
        return new CommandRun(VariantKind.CLI, round -> fixed, null, workDir.resolve(VariantKind.CLI.key() + ".stderr"));
    }

    @Override
    public VariantKind kind() {
        return kind;
    }

    @Override
    public void runOnce(int round) throws VariantFailure {
        List<String> command = argv.apply(round);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(NULL_DEVICE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException e) {
            throw new VariantFailure(kind, round, "cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        int code;
        try {
            if (!process.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw fail(round, "still running after " + CALL_TIMEOUT_SECONDS + " s; killed pid " + process.pid());
            }
            code = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw fail(round, "interrupted; killed pid " + process.pid());
        }
        if (code != 0) throw fail(round, String.join(" ", command) + " exited with " + code + lastErrorLine());
    }

    // A failed run may leave a created or stopped container behind; remove it before reporting, and
    // keep the clean-up's own failure in the message rather than hiding either.
    private VariantFailure fail(int round, String what) {
        if (cleanup == null) return new VariantFailure(kind, round, what);
        List<String> delete = cleanup.apply(round);
        try {
            Process p = new ProcessBuilder(delete)
                    .redirectInput(NULL_DEVICE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new VariantFailure(kind, round, what + " (and " + String.join(" ", delete) + " hung)");
            }
            // delete --force of a container that run already removed fails harmlessly; nothing to add.
            return new VariantFailure(kind, round, what);
        } catch (IOException e) {
            return new VariantFailure(kind, round, what + " (and " + String.join(" ", delete) + " failed: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new VariantFailure(kind, round, what);
        }
    }

    private String lastErrorLine() {
        try {
            // Decoded leniently: a runtime's error output is not always valid UTF-8.
            List<String> lines = new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8).lines().toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).strip();
                if (!line.isEmpty()) return ": " + (line.length() > 300 ? line.substring(0, 300) + "..." : line);
            }
            return "";
        } catch (IOException e) {
            return " (its standard error is unreadable: " + e.getMessage() + ")";
        }
    }
}
