package dev.enviro.daemon;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Flow control for one server stream: the writer waits until the client can take more
 * ({@code isReady}) instead of buffering a fast container's output in the engine's heap, and stops
 * when the client goes away. gRPC only lets the handlers be set during the service method's own call,
 * so a gate is created there, before any asynchronous work.
 */
final class StreamGate {

    private final ServerCallStreamObserver<?> call;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean cancelled;
    private volatile Runnable onCancel = () -> {};

    private StreamGate(ServerCallStreamObserver<?> call) {
        this.call = call;
    }

    static StreamGate install(StreamObserver<?> observer) {
        StreamGate gate = new StreamGate((ServerCallStreamObserver<?>) observer);
        gate.call.setOnReadyHandler(gate::signal);
        gate.call.setOnCancelHandler(() -> {
            gate.cancelled = true;
            gate.signal();
            gate.onCancel.run();
        });
        return gate;
    }

    /** Blocks (a virtual thread) until the client can take a message; false once the call is cancelled. */
    boolean awaitReady() throws InterruptedException {
        lock.lock();
        try {
            while (!cancelled && !call.isReady()) {
                changed.await();
            }
            return !cancelled;
        } finally {
            lock.unlock();
        }
    }

    boolean cancelled() {
        return cancelled || call.isCancelled();
    }

    /** Runs {@code action} when the client cancels (at once if it already has). */
    void onCancel(Runnable action) {
        onCancel = action;
        if (cancelled) {
            action.run();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
