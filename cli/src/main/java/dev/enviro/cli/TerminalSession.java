package dev.enviro.cli;

import com.google.protobuf.ByteString;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.AttachInput;
import dev.enviro.grpc.v1.RunEvent;
import dev.enviro.grpc.v1.WindowSize;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One {@code Attach} call from the CLI ({@code run -it}, {@code attach}): the local terminal raw when the
 * container has a pty, keys and window sizes (on SIGWINCH) to the engine, output to stdout, and the
 * container's exit code at the end.
 */
final class TerminalSession {
    private TerminalSession() {}

    /**
     * @param logs  send what the container logged before this call first (a fresh {@code run -it})
     * @param tty   the container has a pty: raw local terminal, window sizes sent
     * @param input forward this process's stdin (the container was started with {@code -i})
     */
    static int attach(EnviroClient client, String ref, boolean logs, boolean tty, boolean input, InputStream in,
                      PrintStream out, PrintStream err) {
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
                exit.completeExceptionally(new UsageException("the engine ended the attach to " + ref + " without the container's exit status; see 'enviro ps -a'"));
            }
        });
        Optional<RawTerminal> raw = tty ? RawTerminal.enter() : Optional.empty();
        SignalHandler previousWinch = null;
        Signal winch = new Signal("WINCH");
        try {
            AttachInput.Builder first = AttachInput.newBuilder().setRef(ref).setLogs(logs);
            if (raw.isPresent()) RawTerminal.size().ifPresent(s -> first.setResize(size(s)));
            send(requests, first.build());
            if (raw.isPresent()) {
                previousWinch = Signal.handle(winch, s -> RawTerminal.size().ifPresent(size ->
                        send(requests, AttachInput.newBuilder().setResize(size(size)).build())));
            }
            if (input) {
                Thread pump = new Thread(() -> pumpInput(in, requests, tty), "enviro-stdin");
                pump.setDaemon(true); // a read of stdin cannot be interrupted; the exit must not wait for it
                pump.start();
            }
            return exit.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        } finally {
            if (previousWinch != null) Signal.handle(winch, previousWinch);
            raw.ifPresent(RawTerminal::close);
            out.flush();
            synchronized (requests) {
                try {
                    requests.onCompleted();
                } catch (RuntimeException e) {
                    // the call has ended already
                }
            }
        }
    }

    private static WindowSize size(int[] rowsCols) {
        return WindowSize.newBuilder().setRows(rowsCols[0]).setCols(rowsCols[1]).build();
    }

    /** gRPC's request stream is not thread-safe: the stdin pump and the SIGWINCH handler take turns. */
    private static void send(StreamObserver<AttachInput> requests, AttachInput message) {
        synchronized (requests) {
            requests.onNext(message);
        }
    }

    private static void pumpInput(InputStream in, StreamObserver<AttachInput> requests, boolean tty) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                send(requests, AttachInput.newBuilder().setStdin(ByteString.copyFrom(buf, 0, n)).build());
            }
            // without a pty, the end of our input is the end of the container's; with one, ^D says it
            if (!tty) send(requests, AttachInput.newBuilder().setCloseStdin(true).build());
        } catch (IOException | RuntimeException e) {
            // the call ended or stdin failed: the exit (or its error) comes through the call
        }
    }
}
