package dev.enviro.cli;

import dev.enviro.grpc.EnviroException;
import java.io.PrintStream;

/** Docker's exit-code convention: 125 when the engine or the command line failed, 126/127 when the container's command could not run. */
public final class ExitCodes {

    public static final int ENGINE = 125;

    private ExitCodes() {}

    /** Prints the one line a failure deserves and answers the exit code. */
    static int report(Exception e, PrintStream err) {
        return switch (e) {
            case EnviroException api -> {
                err.println("Error: " + api.getMessage());
                yield api.exitCode();
            }
            case UsageException usage -> {
                err.println("Error: " + usage.getMessage());
                yield ENGINE;
            }
            default -> {
                err.println("Error: " + Main.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                yield ENGINE;
            }
        };
    }
}
