package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.google.protobuf.ByteString;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.AttachInput;
import dev.enviro.grpc.v1.ExecRequest;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.grpc.v1.WindowSize;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The CLI's side of a terminal on a container ({@code run -it}, {@code attach}, {@code exec -it}): the local
 * terminal raw when the command has a pty, keys and window sizes (on SIGWINCH) to the engine through an
 * {@code Attach} call, output to stdout, and the command's exit code at the end.
 */
final class TerminalSession {
    private TerminalSession() {}

    /**
     * A container's terminal: output and exit come on the Attach call itself.
     *
     * @param logs  send what the container logged before this call first (a fresh {@code run -it})
     * @param tty   the container has a pty: raw local terminal, window sizes sent
     * @param input forward this process's stdin (the container was started with {@code -i})
     * @param detachable Ctrl-P Ctrl-Q on a pty ends the session (exit 0) and leaves the container running
     */
    static int attach(EnviroClient client, Caller caller, String ref, boolean logs, boolean tty, boolean input, boolean detachable) {
        PrintStream out = caller.out();
        PrintStream err = caller.err();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        StreamObserver<AttachInput> requests = client.attach(new StreamObserver<>() {
            @Override
            public void onNext(RunEvent event) {
                switch (event.getEventCase()) {
                    case OUTPUT -> RunCommand.write(event.getOutput(), out, err);
                    case EXIT -> exit.complete(event.getExit().getCode());
                    case STARTED, EVENT_NOT_SET -> { }
                }
            }

            @Override
            public void onError(Throwable t) { exit.completeExceptionally(t); }

            @Override
            public void onCompleted() {
                exit.completeExceptionally(new EnviroError(ErrorCode.INTERNAL, "the engine ended the attach to " + ref + " without the container's exit status; see 'enviro ps -a'"));
            }
        });
        Runnable detach = detachable && tty ? () -> exit.complete(0) : null;
        try (Keyboard keys = Keyboard.open(caller, requests, AttachInput.newBuilder().setRef(ref).setLogs(logs), tty, input, detach)) {
            return exit.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        } finally {
            out.flush();
        }
    }

    /** {@code exec -it}: output and exit come on the Exec call; the Attach call carries only input. */
    static int exec(EnviroClient client, Caller caller, ExecRequest request) {
        PrintStream out = caller.out();
        PrintStream err = caller.err();
        // detaching cancels this call (the engine leaves the exec'd process running, as docker does)
        io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
        java.util.concurrent.atomic.AtomicBoolean detached = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable detach = request.getTty() ? () -> {
            detached.set(true);
            call.cancel(null);
        } : null;
        Iterator<RunEvent> events;
        try {
            events = call.call(() -> client.exec(request));
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        Keyboard keys = null;
        try {
            while (events.hasNext()) {
                RunEvent event = events.next();
                switch (event.getEventCase()) {
                    case STARTED -> {
                        StreamObserver<AttachInput> requests = client.attach(new StreamObserver<>() {
                            @Override
                            public void onNext(RunEvent ignored) { }

                            @Override
                            public void onError(Throwable t) { }

                            @Override
                            public void onCompleted() { }
                        });
                        keys = Keyboard.open(caller, requests, AttachInput.newBuilder().setRef(request.getRef()).setExecId(event.getExecId()),
                                request.getTty(), request.getInteractive(), detach);
                    }
                    case OUTPUT -> RunCommand.write(event.getOutput(), out, err);
                    case EXIT -> {
                        return event.getExit().getCode();
                    }
                    case EVENT_NOT_SET -> { }
                }
            }
        } catch (RuntimeException e) {
            if (detached.get()) return 0;
            throw e;
        } finally {
            if (keys != null) keys.close();
            call.cancel(null);
            out.flush();
        }
        if (detached.get()) return 0;
        throw new EnviroError(ErrorCode.INTERNAL, "the engine ended the exec without its exit status");
    }

    /** This terminal's keys and size, sent on an Attach call; closing restores the terminal and ends the call's input. */
    private static final class Keyboard implements AutoCloseable {
        private final StreamObserver<AttachInput> requests;
        /** Restores the terminal; null when it was not made raw. */
        private final Caller.Registration raw;
        private Caller.Registration resizes;

        private Keyboard(StreamObserver<AttachInput> requests, Caller.Registration raw) {
            this.requests = requests;
            this.raw = raw;
        }

        /** {@code detach}: run when the user types the detach sequence (null: no sequence is looked for). */
        static Keyboard open(Caller caller, StreamObserver<AttachInput> requests, AttachInput.Builder first, boolean tty, boolean input,
                             Runnable detach) {
            boolean terminal = tty && caller.inIsTerminal();
            Keyboard k = new Keyboard(requests, terminal ? caller.rawTerminal() : null);
            if (terminal) caller.windowSize().ifPresent(s -> first.setResize(size(s)));
            k.send(first.build());
            if (terminal) k.resizes = caller.onResize(s -> k.send(AttachInput.newBuilder().setResize(size(s)).build()));
            if (input) {
                Thread pump = new Thread(() -> k.pumpInput(caller.in(), tty, detach), "enviro-stdin");
                pump.setDaemon(true); // a read of stdin cannot be interrupted; the exit must not wait for it
                pump.start();
            }
            return k;
        }

        private static WindowSize size(Caller.WindowSize s) {
            return WindowSize.newBuilder().setRows(s.rows()).setCols(s.cols()).build();
        }

        /** gRPC's request stream is not thread-safe: the stdin pump and the SIGWINCH handler take turns. */
        private void send(AttachInput message) {
            synchronized (requests) {
                requests.onNext(message);
            }
        }

        private void pumpInput(InputStream in, boolean tty, Runnable detach) {
            byte[] buf = new byte[8192];
            DetachKeys keys = detach == null ? null : new DetachKeys();
            java.io.ByteArrayOutputStream typed = new java.io.ByteArrayOutputStream();
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (keys == null) {
                        send(AttachInput.newBuilder().setStdin(ByteString.copyFrom(buf, 0, n)).build());
                        continue;
                    }
                    typed.reset();
                    boolean detached = keys.scan(buf, n, typed);
                    if (typed.size() > 0) send(AttachInput.newBuilder().setStdin(ByteString.copyFrom(typed.toByteArray())).build());
                    if (detached) {
                        detach.run();
                        return;
                    }
                }
                // without a pty, the end of our input is the end of the command's; with one, ^D says it
                if (!tty) send(AttachInput.newBuilder().setCloseStdin(true).build());
            } catch (IOException | RuntimeException e) {
                // the call ended or stdin failed: the exit (or its error) comes through the call
            }
        }

        @Override
        public void close() {
            if (resizes != null) resizes.close();
            if (raw != null) raw.close();
            synchronized (requests) {
                try {
                    requests.onCompleted();
                } catch (RuntimeException e) {
                    // the call has ended already
                }
            }
        }
    }
}
