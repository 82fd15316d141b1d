package dev.enviro.daemon;

/** The one error of starting or serving the daemon; the message is the line {@code enviro daemon} prints. */
public final class DaemonException extends Exception {

    public DaemonException(String message) {
        super(message);
    }

    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }
}
