package dev.enviro.cli;

/** A value on the command line that cannot be used; the message names it and says what is expected. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
