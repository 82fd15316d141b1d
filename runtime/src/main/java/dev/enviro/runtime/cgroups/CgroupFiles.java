package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * The file operations a cgroup driver performs, and nothing else: the kernel's ({@link KernelCgroupFiles})
 * in the engine, a recording over a temporary tree in the tests, so that which file gets which value on
 * v1 and on v2 is tested on any host (youki's {@code libcgroups} tests its decisions the same way).
 */
public interface CgroupFiles {

    /** mkdir; an existing directory is not an error. */
    void createDirectory(Path dir) throws SyscallException;

    /** rmdir (a cgroup's files cannot be deleted, only the empty directory); absent is not an error. */
    void removeDirectory(Path dir) throws SyscallException;

    /** One write(2) of {@code value}: cgroup files take one value per write. */
    void write(Path file, String value) throws SyscallException;

    /** The whole (small) file. */
    String read(Path file) throws SyscallException;

    /** {@link #read} off the caller's thread (through the engine's io_uring queue). */
    CompletionStage<String> readAsync(Path file);

    boolean exists(Path file);
}
