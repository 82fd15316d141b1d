package dev.enviro.runtime.security;

/** A security flag the engine cannot honour; the message is the one line a user sees, naming the flag. */
public final class InvalidSecurityOption extends RuntimeException {
    public InvalidSecurityOption(String message) {
        super(message);
    }

    public InvalidSecurityOption(String message, Throwable cause) {
        super(message, cause);
    }
}
