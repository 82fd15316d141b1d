package dev.enviro.ffm.uring;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One platform thread owning one ring. Other threads enqueue requests on a lock-free MPSC queue and
 * ring the doorbell (an eventfd whose 8-byte read is always in flight on the ring), so the thread
 * sleeps in {@code io_uring_enter} until a completion or new work arrives, never in a poll loop.
 *
 * <p>Completions are delivered on the {@code completions} executor, not on the ring thread: a slow
 * callback must not delay every other container's syscalls served by this ring.
 */
final class RingWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger(RingWorker.class.getName());
    private static final long DOORBELL = 0, CANCEL = 1, FIRST_OP = 2;

    private sealed interface Request permits Submit, Cancel {}
    private record Submit(PendingSyscall op) implements Request {}
    private record Cancel(PendingSyscall op) implements Request {}

    private final String name;
    private final IoUring ring;
    private final EventFd doorbell;
    private final Executor completions;
    private final ConcurrentLinkedQueue<Request> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean doorbellRung = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile boolean terminated;
    /** Guards the doorbell's close against a last ring from another thread (a stop racing the ring thread's exit). */
    private final Object doorbellLock = new Object();
    private boolean doorbellClosed;

    // Ring-thread state.
    private final ArrayDeque<Request> backlog = new ArrayDeque<>();
    private final Map<Long, PendingSyscall> inflight = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment doorbellBuffer = arena.allocate(8, 8);
    private boolean doorbellArmed;
    private long nextUserData = FIRST_OP;

    RingWorker(String name, int entries, Executor completions) throws SyscallException {
        this.name = name;
        this.completions = completions;
        this.ring = IoUring.open(entries);
        try {
            this.doorbell = EventFd.open();
        } catch (SyscallException e) {
            try { ring.close(); } catch (SyscallException s) { e.addSuppressed(s); }
            throw e;
        }
    }

    String name() { return name; }

    void submit(PendingSyscall op) {
        enqueue(new Submit(op));
    }

    void cancel(PendingSyscall op) {
        enqueue(new Cancel(op));
    }

    void stop() {
        stopping = true;
        ring();
    }

    /** Releases a worker whose thread never started (a later ring failed to set up). */
    void closeUnstarted() {
        stopping = true;
        shutDown(null);
    }

    private void enqueue(Request request) {
        incoming.offer(request);
        // The worker has exited (or exits now): whatever it can no longer see is failed here.
        if (terminated) failQueued();
        else ring();
    }

    /** One doorbell write per wake-up, however many submitters race: the flag is cleared by the ring thread. */
    private void ring() {
        if (doorbellRung.get() || !doorbellRung.compareAndSet(false, true)) return;
        try {
            synchronized (doorbellLock) {
                // the ring thread has ended and closed it: nobody is left to wake
                if (doorbellClosed) return;
                doorbell.signal();
            }
        } catch (SyscallException e) {
            doorbellRung.set(false);
            throw new IllegalStateException("syscall dispatcher " + name + ": cannot wake its ring", e);
        }
    }

    @Override
    public void run() {
        Throwable crash = null;
        try {
            while (!stopping) {
                if (!doorbellArmed && ring.sqSpace() > 0) {
                    ring.prepareRead(doorbell.fd(), doorbellBuffer, -1, DOORBELL);
                    doorbellArmed = true;
                }
                // Queue is drained after the doorbell flag was cleared by reap(): no request is left unseen.
                prepareQueued();
                boolean moreWork = !backlog.isEmpty() || !incoming.isEmpty();
                try {
                    ring.submitAndWait(moreWork ? 0 : 1);
                } catch (SyscallException e) {
                    // EBUSY/EAGAIN: the completion queue must be drained before the kernel takes more.
                    if (e.errno() != Errno.EBUSY && e.errno() != Errno.EAGAIN) throw e;
                }
                ring.reap(this::completed);
            }
        } catch (Throwable t) {
            crash = t;
            LOG.log(System.Logger.Level.ERROR, "syscall dispatcher " + name + " stopped", t);
        } finally {
            shutDown(crash);
        }
    }

    private void prepareQueued() {
        while (ring.sqSpace() > 0) {
            Request r = backlog.isEmpty() ? incoming.poll() : backlog.poll();
            if (r == null) return;
            switch (r) {
                case Submit(PendingSyscall op) -> {
                    if (op.isDone()) continue;   // cancelled before it reached the kernel
                    op.userData = nextUserData++;
                    inflight.put(op.userData, op);
                    switch (op.kind) {
                        case NOP -> ring.prepareNop(op.userData);
                        case POLL_IN -> ring.preparePollAdd(op.fd, IoUring.POLLIN, op.userData);
                        case READ -> ring.prepareRead(op.fd, op.buffer, op.offset, op.userData);
                        case WRITE -> ring.prepareWrite(op.fd, op.buffer, op.offset, op.userData);
                    }
                }
                case Cancel(PendingSyscall op) -> {
                    if (op.userData != 0 && inflight.containsKey(op.userData)) ring.prepareCancel(op.userData, CANCEL);
                }
            }
        }
        // Out of submission slots: keep the rest in order for the next round.
        for (Request r; (r = incoming.poll()) != null; ) backlog.add(r);
    }

    private void completed(long userData, int res, int flags) {
        if (userData == DOORBELL) {
            doorbellArmed = false;
            doorbellRung.set(false);
            return;
        }
        if (userData == CANCEL) return;   // the cancelled request reports itself with -ECANCELED
        PendingSyscall op = inflight.remove(userData);
        if (op == null) return;
        deliver(op, res);
    }

    private void deliver(PendingSyscall op, int res) {
        try {
            completions.execute(() -> op.settle(res));
        } catch (RejectedExecutionException e) {
            op.settle(res);   // the executor is shutting down: better late on this thread than never
        }
    }

    /** Cancels what the kernel still holds, waits for it to let go of every buffer, fails the rest, closes. */
    private void shutDown(Throwable crash) {
        terminated = true;
        try {
            if (crash == null && (!inflight.isEmpty() || doorbellArmed)) {
                while (ring.sqSpace() == 0) ring.submit();
                ring.prepareCancelAll(CANCEL);
                while (!inflight.isEmpty() || doorbellArmed) {
                    ring.submitAndWait(1);
                    ring.reap(this::completed);
                }
            }
        } catch (Throwable t) {
            crash = t;
            LOG.log(System.Logger.Level.ERROR, "syscall dispatcher " + name + ": cancelling in-flight work failed", t);
        }
        for (PendingSyscall op : inflight.values()) deliver(op, -Errno.ECANCELED);
        inflight.clear();
        for (Request r : backlog) if (r instanceof Submit(PendingSyscall op)) deliver(op, -Errno.ECANCELED);
        backlog.clear();
        failQueued();
        try { ring.close(); } catch (SyscallException e) { LOG.log(System.Logger.Level.WARNING, "closing ring " + name, e); }
        synchronized (doorbellLock) {
            doorbell.close();
            doorbellClosed = true;
        }
        // With a crash the kernel may still own buffers; leaking 8 bytes beats freeing memory it writes to.
        if (crash == null) arena.close();
    }

    private void failQueued() {
        for (Request r; (r = incoming.poll()) != null; ) {
            if (r instanceof Submit(PendingSyscall op)) deliver(op, -Errno.ECANCELED);
        }
    }
}
