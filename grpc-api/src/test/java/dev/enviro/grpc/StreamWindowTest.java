package dev.enviro.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.v1.EnviroGrpc;
import dev.enviro.grpc.v1.Event;
import dev.enviro.grpc.v1.EventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's read-ahead window: every message in order, the engine held back by flow control, failures as errors. */
class StreamWindowTest {

    private final AtomicInteger sent = new AtomicInteger();
    private volatile int toSend;
    private volatile boolean failAtEnd;
    private Server server;
    private ManagedChannel channel;

    private EnviroClient client() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new EnviroGrpc.EnviroImplBase() {
            @Override
            public void events(EventsRequest request, StreamObserver<Event> out) {
                ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) out;
                AtomicInteger next = new AtomicInteger();
                // sends only while the client has room, as the engine's streams do
                call.setOnReadyHandler(() -> {
                    while (call.isReady() && next.get() < toSend) {
                        out.onNext(Event.newBuilder().setTopic("t" + next.getAndIncrement()).build());
                        sent.incrementAndGet();
                    }
                    if (next.get() == toSend) {
                        if (failAtEnd) out.onError(ApiErrors.toStatus(new EnviroError(ErrorCode.UNAVAILABLE, "journal gone")));
                        else out.onCompleted();
                        next.incrementAndGet();
                    }
                });
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        return EnviroClient.over(channel, EngineAddress.parse("unix:///run/enviro/test.sock"));
    }

    @AfterEach
    void stop() {
        if (channel != null) channel.shutdownNow();
        if (server != null) server.shutdownNow();
    }

    @Test
    void everyMessageArrivesInOrderAcrossManyWindows() throws Exception {
        toSend = StreamWindow.WINDOW * 10 + 3;
        Iterator<Event> events = client().events(EventsRequest.getDefaultInstance());
        for (int i = 0; i < toSend; i++) {
            assertTrue(events.hasNext());
            assertEquals("t" + i, events.next().getTopic());
        }
        assertFalse(events.hasNext());
    }

    @Test
    void aReaderThatStopsHoldsTheEngineBackAtOneWindow() throws Exception {
        toSend = StreamWindow.WINDOW * 10;
        Iterator<Event> events = client().events(EventsRequest.getDefaultInstance());
        events.next();
        Thread.sleep(300);
        assertEquals(StreamWindow.WINDOW, sent.get(), "no more than the window asked for");
        for (int i = 1; i < StreamWindow.WINDOW / 2; i++) events.next();
        Thread.sleep(300);
        assertEquals(StreamWindow.WINDOW * 3 / 2, sent.get(), "half a window more once half is read");
    }

    @Test
    void aFailureAfterTheMessagesIsTheEnginesError() throws Exception {
        toSend = 5;
        failAtEnd = true;
        Iterator<Event> events = client().events(EventsRequest.getDefaultInstance());
        for (int i = 0; i < 5; i++) events.next();
        EnviroError e = assertThrows(EnviroError.class, events::hasNext);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("journal gone"), e.getMessage());
    }
}
