package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.PrintStream;

/** The one place a failed verb becomes a line on stderr and an exit code: the error's own ({@link ErrorCode#exitCode()}). */
public final class ExitCodes {

    private ExitCodes() {}

    /** Prints the one line a failure deserves and answers the exit code. */
    static int report(Exception e, PrintStream err) {
        if (e instanceof EnviroError error) {
            err.println("Error: " + error.getMessage());
            return error.exitCode();
        }
        err.println("Error: " + Main.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        return ErrorCode.ENGINE_FAILURE_EXIT;
    }
}
