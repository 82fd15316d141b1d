package dev.enviro.images;

/** The one error type of the images boundary; the message names the image or file and what to do. */
public final class ImageException extends Exception {
    /**
     * {@code DENIED}: a registry refused the credentials (or wants some); {@code UNAVAILABLE}: a
     * registry could not be reached or kept failing; {@code IN_USE}: the image is used by a container.
     */
    public enum Kind { NOT_FOUND, MALFORMED, DIGEST_MISMATCH, IO, DENIED, UNAVAILABLE, IN_USE }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
