package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import dev.enviro.persistence.Resources;
import java.util.concurrent.CompletionStage;

/**
 * One container's cgroup, on every hierarchy the engine may use: on cgroup v1 a directory per
 * controller hierarchy, on v2 one directory. Created below the engine's own cgroup
 * ({@code <own>/<parent>/<container id>}), never at a hierarchy's root unless the engine itself lives there.
 *
 * <p>Order at start (the container waits for MAPPED meanwhile, so nothing runs unlimited):
 * {@link #create}, {@link #apply}, {@link #join}.
 */
public sealed interface Cgroup permits CgroupV1, CgroupV2 {

    /** Creates the directories (and the shared parent); idempotent. */
    void create() throws SyscallException;

    /** Writes every limit {@code resources} sets; unset values are left as they are. */
    void apply(Resources resources) throws SyscallException;

    /** Moves {@code pid} (and its threads) into the cgroup. */
    void join(int pid) throws SyscallException;

    /**
     * The files a single-threaded process writes "0" to, to join this cgroup itself: the one move that
     * skips the kernel's global migration lock (whose first writer after a quiet spell waits out an RCU
     * grace period). v1's {@code tasks} files; none on v2, where a domain cgroup takes whole processes only
     * (its self-join would be {@code CLONE_INTO_CGROUP}).
     */
    java.util.List<java.nio.file.Path> selfJoinFiles();

    /** Freezes (or thaws) every task, and returns once the kernel says it is done. */
    void freeze(boolean frozen) throws SyscallException;

    /** How many tasks the kernel's OOM killer has killed in this cgroup. */
    long oomKills() throws SyscallException;

    /** The counters now, read without blocking the caller. */
    CompletionStage<CgroupUsage> usage();

    /** The processes in the cgroup now (empty when its directories are gone). */
    java.util.List<Integer> processes() throws SyscallException;

    /** Removes the directories (they must hold no task), and the shared parent when it is left empty. */
    void remove() throws SyscallException;

    /**
     * Removes the cgroup of a container that is not running. Right after a start that failed, or a
     * container's end, its last processes may still be exiting, and the kernel refuses the rmdir (EBUSY)
     * until they have left: retried with back-off; what is still there after a few tries is killed with
     * {@code kill} (it is the container's, and the container is not running), until the cgroup is empty
     * or {@code timeoutNanos} have passed (then the kernel's EBUSY is thrown).
     */
    default void removeWhenEmpty(long timeoutNanos, java.util.function.IntConsumer kill) throws SyscallException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        long pause = 5;
        for (int attempt = 0; ; attempt++) {
            try {
                remove();
                return;
            } catch (SyscallException e) {
                if (e.errno() != dev.enviro.ffm.Errno.EBUSY || System.nanoTime() > deadline) throw e;
            }
            if (attempt >= 3) processes().forEach(kill::accept);
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 200);
        }
    }
}
