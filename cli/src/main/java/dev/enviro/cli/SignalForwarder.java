package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.grpc.EnviroClient;

/**
 * Forwards the signals a user sends to a foreground {@code enviro run} (Ctrl-C, {@code kill}) to the
 * container instead of ending the CLI, which keeps streaming until the container exits.
 */
final class SignalForwarder {

    private SignalForwarder() {}

    /** Until the answer is closed, the caller's SIGINT, SIGTERM and SIGHUP go to the container. */
    static Caller.Registration install(Caller caller, EnviroClient client, String containerId) {
        return caller.onSignal(signal -> forward(client, containerId, signal));
    }

    static void forward(EnviroClient client, String containerId, int signal) {
        try {
            client.kill(containerId, signal);
        } catch (EnviroError e) {
            // The container may have exited meanwhile; the run's end says what happened.
        }
    }
}
