package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.PrintStream;

/** The one place a failed verb becomes a line on stderr and an exit code: the error's own ({@link ErrorCode#exitCode()}). */
final class ExitCodes {

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

    /**
     * One failed object of a verb over several ({@code rm a b}, {@code inspect a b}): its line, and the
     * code the verb ends with once the others are done. No engine is the whole verb's failure: rethrown.
     */
    static int reportOne(EnviroError e, PrintStream err) {
        if (e.is(ErrorCode.UNREACHABLE)) throw e;
        err.println("Error: " + e.getMessage());
        return e.exitCode();
    }
}
