package dev.enviro.persistence;

/** The one error type of the persistence boundary: the journal cannot be opened or set up. */
public final class JournalException extends Exception {

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
