package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.EnviroException;
import java.util.HashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Forwards the signals a user sends to a foreground {@code enviro run} (Ctrl-C, {@code kill}) to the
 * container instead of ending the CLI, which keeps streaming until the container exits.
 */
final class SignalForwarder {

    private static final String[] FORWARDED = {"INT", "TERM", "HUP"};

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private SignalForwarder() {}

    static SignalForwarder install(EnviroClient client, String containerId) {
        SignalForwarder forwarder = new SignalForwarder();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            forwarder.previous.put(signal, Signal.handle(signal, s -> forward(client, containerId, s.getNumber())));
        }
        return forwarder;
    }

    static void forward(EnviroClient client, String containerId, int signal) {
        try {
            client.kill(containerId, signal);
        } catch (EnviroException e) {
            // The container may have exited meanwhile; the run's end says what happened.
        }
    }

    void uninstall() {
        previous.forEach(Signal::handle);
    }
}
