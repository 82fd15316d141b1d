package dev.enviro.daemon.relay;

import dev.enviro.cli.Caller.WindowSize;
import dev.enviro.cli.Main;
import dev.enviro.daemon.Launcher;
import dev.enviro.grpc.EnviroClient;
import io.grpc.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command line a relay brought: the verb runs on a virtual thread of its own, inside a cancellable
 * gRPC context, while this thread reads what the relay sends (replies, signals, window sizes). When the
 * relay goes away (killed, its terminal closed) the verb is cancelled: its calls to the engine end and
 * nothing keeps running on its behalf.
 */
final class RelaySession {

    private static final Logger log = LoggerFactory.getLogger(RelaySession.class);
    private static final int MAX_ARGS = 1 << 16;
    /** What a command line may bring before RUN, arguments and environment together (Linux allows ~2 MiB of both). */
    private static final long MAX_START_BYTES = 8 << 20;

    private final SocketChannel channel;
    private final String peer;
    private final Supplier<EnviroClient> engine;

    RelaySession(SocketChannel channel, String peer, Supplier<EnviroClient> engine) {
        this.channel = channel;
        this.peer = peer;
        this.engine = engine;
    }

    /** What the relay sends before the command runs. */
    private record Start(List<String> args, Map<String, String> env, int ttys, WindowSize size) {}

    void run() throws InterruptedException {
        RelayConnection relay = new RelayConnection(channel);
        Start start;
        try {
            start = readStart();
        } catch (IOException | RuntimeException e) {
            log.debug("a relay from {} sent no command: {}", peer, e.getMessage());
            relay.close();
            return;
        }
        log.debug("{} runs enviro {}", peer, start.args());
        RelayCaller caller = new RelayCaller(relay, start.env(), start.ttys(), start.size());
        Context.CancellableContext context = Context.current().withCancellation();
        AtomicInteger endedBy = new AtomicInteger();
        String[] args = start.args().toArray(String[]::new);
        Thread verb = Thread.ofVirtual().name("enviro-cli").start(() -> {
            int code;
            try {
                code = context.call(() -> Main.execute(args, caller, engine, Launcher.VERBS));
            } catch (Exception | Error e) {
                log.warn("enviro {} failed in the engine", start.args(), e);
                caller.err().println("Error: the engine failed running this command: " + e);
                code = dev.enviro.errors.ErrorCode.ENGINE_FAILURE_EXIT;
            }
            int signal = endedBy.get();
            Thread.interrupted(); // (a verb may leave its thread interrupted: the exit code must still go out)
            caller.finish();
            relay.send(RelayFrames.EXIT, RelayFrames.ints(signal != 0 ? 128 + signal : code));
            relay.close();
        });
        try {
            for (;;) {
                RelayFrames.Frame frame = RelayFrames.read(channel);
                ByteBuffer p = frame.payload();
                try {
                    switch (frame.type()) {
                        case RelayFrames.REPLY -> relay.complete(p);
                        case RelayFrames.WINCH -> caller.resized(size(p));
                        case RelayFrames.SIGNAL -> {
                            int signo = p.get() & 0xff;
                            // no verb takes it: the command ends as a JVM's would, 128 + the signal. Not by
                            // interrupting the verb: an interrupt during its write would close the socket
                            // (NIO's rule) before the exit code is sent.
                            if (!caller.signalled(signo) && endedBy.compareAndSet(0, signo)) {
                                context.cancel(null);
                                relay.abandonRequests();
                            }
                        }
                        default -> { } // a later relay's frame this engine does not know
                    }
                } catch (java.nio.BufferUnderflowException malformed) {
                    throw new IOException("a malformed " + (char) frame.type() + " frame from the relay", malformed);
                } catch (RuntimeException e) {
                    // a verb's callback failed (a resize sent on a call that just ended): the session goes on
                    log.debug("enviro {}: the {} frame's handler failed: {}", start.args(), (char) frame.type(), e.toString());
                }
            }
        } catch (IOException gone) {
            // the relay went away, or the verb ended and closed the connection
        } finally {
            relay.closed();
            if (verb.isAlive()) {
                log.debug("the relay of enviro {} went away: cancelling it", start.args());
                context.cancel(null);
                verb.interrupt();
            }
            verb.join();
            context.cancel(null);
        }
    }

    private Start readStart() throws IOException {
        List<String> args = new ArrayList<>();
        Map<String, String> env = new HashMap<>();
        int ttys = 0;
        WindowSize size = new WindowSize(0, 0);
        RelayFrames.Frame hello = RelayFrames.read(channel);
        if (hello.type() != RelayFrames.HELLO || hello.payload().remaining() < 4 || hello.payload().getInt() != RelayFrames.PROTOCOL_VERSION) {
            throw new IOException("not a relay of protocol version " + RelayFrames.PROTOCOL_VERSION);
        }
        long bytes = 0;
        for (int frames = 0; frames < MAX_ARGS; frames++) {
            RelayFrames.Frame f = RelayFrames.read(channel);
            ByteBuffer p = f.payload();
            bytes += p.remaining();
            if (bytes > MAX_START_BYTES) throw new IOException("more than " + MAX_START_BYTES + " bytes of arguments and environment");
            switch (f.type()) {
                case RelayFrames.ARG -> args.add(text(p));
                case RelayFrames.ENV -> {
                    String variable = text(p);
                    int eq = variable.indexOf('=');
                    if (eq > 0) env.putIfAbsent(variable.substring(0, eq), variable.substring(eq + 1));
                }
                case RelayFrames.TTY -> {
                    ttys = p.get() & 0xff;
                    size = size(p);
                }
                case RelayFrames.RUN -> {
                    return new Start(args, env, ttys, size);
                }
                default -> throw new IOException("unexpected frame " + (char) f.type() + " before the command");
            }
        }
        throw new IOException("more than " + MAX_ARGS + " arguments and variables");
    }

    private static WindowSize size(ByteBuffer p) {
        return new WindowSize(p.getShort() & 0xffff, p.getShort() & 0xffff);
    }

    private static String text(ByteBuffer p) {
        return new String(RelayFrames.bytes(p), StandardCharsets.UTF_8);
    }
}
