package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.actors.ContainerView;
import dev.enviro.actors.Engine;
import dev.enviro.grpc.v1.AttachInput;
import dev.enviro.grpc.v1.Exit;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.runtime.terminal.AttachConnection;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One {@code Attach} call: input from the client goes to the container monitor's attach socket
 * ({@link AttachConnection}), output comes from the container's log as for an attached {@code run}, and
 * the call ends with the exit code after the last byte. Input is handled in order on one virtual thread
 * (connecting and writing block); output on another ({@link LogPump}).
 */
final class AttachSession implements StreamObserver<AttachInput> {

    /** Marks the end of the client's input in the queue. */
    private static final AttachInput END = AttachInput.newBuilder().setCloseStdin(true).setRef("\0end").build();

    private final Engine engine;
    private final LogSource logs;
    private final StreamObserver<RunEvent> out;
    private final StreamGate gate;
    /**
     * The client's messages, one at a time: the call asks gRPC for the next only once the one before
     * has been written to the container (manual flow control), so a client typing faster than the
     * container reads is held back by HTTP/2's window, not buffered here without bound. Besides that
     * one message, only END markers (the call's end, the output's end) ever wait in it.
     */
    private final BlockingQueue<AttachInput> inputs = new LinkedBlockingQueue<>();
    private final ServerCallStreamObserver<RunEvent> call;

    AttachSession(Engine engine, LogSource logs, StreamObserver<RunEvent> out) {
        this.engine = engine;
        this.logs = logs;
        this.out = out;
        this.call = (ServerCallStreamObserver<RunEvent>) out;
        call.disableAutoRequest();
        this.gate = StreamGate.install(out);
        Thread.ofVirtual().name("attach-input").start(this::forward);
        call.request(1);
    }

    /** The next message of the client's, once the one before is done with. */
    private AttachInput next() throws InterruptedException {
        call.request(1);
        return inputs.take();
    }

    @Override
    public void onNext(AttachInput input) {
        inputs.add(input);
    }

    @Override
    public void onError(Throwable t) {
        inputs.add(END);
    }

    @Override
    public void onCompleted() {
        inputs.add(END);
    }

    private void forward() {
        AttachConnection connection = null;
        boolean inputOnly = false;
        try {
            AttachInput first = inputs.take();
            if (first == END) return;
            String ref = first.getRef();
            if (ref.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "attach: the first message must name a container");
            ContainerView view = engine.inspect(ref).toCompletableFuture().join();
            if (view.state() != ContainerView.State.RUNNING) {
                throw new EnviroError(ErrorCode.CONFLICT,
                        "container " + ref + " is not running: start it first, or read its output with 'enviro logs'");
            }
            Path log = Path.of(view.logPath());
            String execId = first.getExecId();
            if (!execId.isEmpty()) {
                if (!execId.matches("[a-f0-9]{1,64}")) {
                    throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "attach: exec id " + execId + " is not hex");
                }
                // input only: the Exec call carries the exec's output and exit
                inputOnly = true;
                Path socket = engine.attachSocket(view.id(), execId).orElseThrow(() -> new EnviroError(ErrorCode.NOT_FOUND,
                        "exec " + execId + " of container " + ref + " has no terminal: it was started without -i or -t, or has exited"));
                connection = AttachConnection.open(socket);
            } else {
                // without -i or -t there is no socket: the client still gets the output, its input goes nowhere
                java.util.Optional<Path> socket = engine.attachSocket(view.id(), null);
                if (socket.isPresent()) connection = AttachConnection.open(socket.get());
                startOutput(view, log, first.getLogs() ? Instant.MIN : Instant.now());
            }
            for (AttachInput input = first; input != END; input = next()) {
                if (connection == null) continue;
                if (!input.getStdin().isEmpty()) {
                    byte[] bytes = input.getStdin().toByteArray();
                    connection.stdin(bytes, 0, bytes.length);
                }
                if (input.hasResize() && input.getResize().getRows() > 0 && input.getResize().getCols() > 0) {
                    connection.resize(input.getResize().getRows(), input.getResize().getCols());
                }
                if (input.getCloseStdin()) connection.closeStdin();
            }
            if (inputOnly && !gate.cancelled()) out.onCompleted();
        } catch (IOException e) {
            // the monitor went away (the command exited): the output side (or the Exec call) reports the exit
            if (inputOnly && !gate.cancelled()) out.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!gate.cancelled()) out.onError(ApiStatus.of(cause, "Attach"));
        } finally {
            if (connection != null) {
                try {
                    connection.close();
                } catch (IOException e) {
                    // nothing left to tell the monitor
                }
            }
        }
    }

    private void startOutput(ContainerView view, Path log, Instant since) {
        CompletableFuture<ContainerView> exited = engine.awaitExit(view.id()).toCompletableFuture();
        Thread.ofVirtual().name("attach-" + view.id()).start(() -> {
            try {
                out.onNext(RunEvent.newBuilder().setStarted(ApiMessages.container(view)).build());
                LogCursor cursor = since == Instant.MIN ? logs.open(log, exited) : new Since(logs.open(log, exited), since);
                LogPump<RunEvent> pump = new LogPump<>(cursor, out, gate, r -> RunEvent.newBuilder().setOutput(ApiMessages.chunk(r)).build());
                if (pump.drain(exited)) {
                    ContainerView done = exited.join();
                    if (done.exitCode() == null) {
                        throw new EnviroError(ErrorCode.INTERNAL, "container " + done.id() + " is reported exited without an exit code");
                    }
                    out.onNext(RunEvent.newBuilder().setExit(Exit.newBuilder().setCode(done.exitCode())
                            .setContainer(ApiMessages.container(done))).build());
                    out.onCompleted();
                }
            } catch (Throwable t) {
                if (t instanceof InterruptedException) Thread.currentThread().interrupt();
                if (!gate.cancelled()) out.onError(ApiStatus.of(t, "Attach"));
            } finally {
                inputs.add(END);
            }
        });
    }

    /** A cursor that skips what was logged before the client attached (Docker's attach shows only new output). */
    private record Since(LogCursor cursor, Instant since) implements LogCursor {
        @Override
        public Optional<LogRecord> next(Duration patience) throws IOException, InterruptedException {
            for (;;) {
                Optional<LogRecord> r = cursor.next(patience);
                if (r.isEmpty() || !r.get().time().isBefore(since)) return r;
            }
        }

        @Override
        public Optional<LogRecord> ready() throws IOException, InterruptedException {
            for (;;) {
                Optional<LogRecord> r = cursor.ready();
                if (r.isEmpty() || !r.get().time().isBefore(since)) return r;
            }
        }

        @Override
        public void close() throws IOException {
            cursor.close();
        }
    }
}
