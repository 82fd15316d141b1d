package dev.enviro.actors;

import dev.enviro.actors.EngineException.Reason;
import dev.enviro.runtime.ExecutorException;

/** How a failed start reads to the user: which gRPC status and which one-line message. */
final class StartFailures {

    private StartFailures() {}

    static EngineException toEngineException(String containerName, Throwable cause, int exitCode) {
        String prefix = "cannot start container " + containerName + ": ";
        if (!(cause instanceof ExecutorException e)) {
            return new EngineException(Reason.INTERNAL, prefix + cause);
        }
        return switch (e.kind()) {
            // Docker's wording, which scripts and users grep for; kept even if the executor words it otherwise.
            case EXECUTABLE_NOT_FOUND -> new EngineException(Reason.FAILED_PRECONDITION,
                    prefix + (e.getMessage().contains("executable file not found")
                            ? e.getMessage() : "executable file not found: " + e.getMessage()), exitCode);
            case EXECUTABLE_NOT_RUNNABLE -> new EngineException(Reason.FAILED_PRECONDITION, prefix + e.getMessage(), exitCode);
            case IMAGE_NOT_FOUND -> new EngineException(Reason.NOT_FOUND, prefix + e.getMessage());
            case INVALID_SPEC -> new EngineException(Reason.INVALID_ARGUMENT, prefix + e.getMessage());
            case NO_SUCH_PROCESS -> new EngineException(Reason.FAILED_PRECONDITION, prefix + e.getMessage());
            case SETUP_FAILED -> new EngineException(Reason.INTERNAL, prefix + e.getMessage());
        };
    }
}
