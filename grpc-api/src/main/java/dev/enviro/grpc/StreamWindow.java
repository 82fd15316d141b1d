package dev.enviro.grpc;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A server stream read as a blocking iterator with a window of {@link #WINDOW} messages asked for ahead.
 * gRPC's blocking iterator asks for one message at a time, so a stream of small messages (an audit log,
 * log lines) paid one thread hand-off per message; here the engine sends up to a window while the
 * reader prints, and the reader wakes once per batch. At most {@code WINDOW} messages wait: flow control
 * still holds a fast engine back from a slow reader.
 *
 * <p>Failures are {@link EnviroError}s as for every call of {@link EnviroClient}; an interrupted reader
 * cancels the call.
 */
final class StreamWindow<Q, T> implements ClientResponseObserver<Q, T>, Iterator<T> {
    static final int WINDOW = 64;

    private static final Object END = new Object();

    private record Failure(Throwable cause) {}

    private final EngineAddress address;
    private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<Q> call;
    private Object head;
    private int taken;

    StreamWindow(EngineAddress address) {
        this.address = address;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> call) {
        this.call = call;
        call.disableAutoRequestWithInitial(WINDOW);
    }

    @Override
    public void onNext(T message) {
        arrived.add(message);
    }

    @Override
    public void onError(Throwable t) {
        arrived.add(new Failure(t));
    }

    @Override
    public void onCompleted() {
        arrived.add(END);
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = arrived.take();
            } catch (InterruptedException e) {
                call.cancel("the reader was interrupted", e);
                Thread.currentThread().interrupt();
                throw new EnviroError(ErrorCode.CANCELLED, "the call to the engine at " + address + " was interrupted", e);
            }
        }
        if (head instanceof Failure(Throwable cause)) {
            throw cause instanceof StatusRuntimeException e ? ApiErrors.fromStatus(e, address)
                    : new EnviroError(ErrorCode.INTERNAL, "the call to the engine at " + address + " failed: " + cause, cause);
        }
        return head != END;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) throw new NoSuchElementException();
        T message = (T) head;
        head = null;
        // ask for the next half window once half is read: the engine never waits on an empty window
        if (++taken == WINDOW / 2) {
            call.request(taken);
            taken = 0;
        }
        return message;
    }
}
