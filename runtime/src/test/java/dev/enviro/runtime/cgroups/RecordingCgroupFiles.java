package dev.enviro.runtime.cgroups;

import dev.enviro.ffm.SyscallException;
import dev.enviro.ffm.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * Cgroup files over a temporary directory tree, recording every write, with the few kernel rules the
 * drivers' decisions depend on: v2 children see their parent's {@code subtree_control} as their
 * {@code cgroup.controllers}, a v2 cgroup with processes refuses {@code subtree_control} (EBUSY),
 * a pid written to {@code cgroup.procs} leaves its previous cgroup, and v1 refuses a memory limit
 * above the memory+swap limit (EINVAL).
 */
final class RecordingCgroupFiles implements CgroupFiles {
    record Write(Path file, String value) {}

    final List<Write> writes = new ArrayList<>();
    private final Path root;
    private final boolean v2;

    RecordingCgroupFiles(Path root, boolean v2) {
        this.root = root;
        this.v2 = v2;
    }

    /** Writes as "relative/path=value", in order, for assertions that read like the kernel's view. */
    List<String> log() {
        return writes.stream().map(w -> root.relativize(w.file()) + "=" + w.value()).toList();
    }

    void put(Path file, String value) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void createDirectory(Path dir) throws SyscallException {
        if (Files.isDirectory(dir)) return;
        if (!Files.isDirectory(dir.getParent())) throw new SyscallException("mkdir " + dir, Errno.ENOENT);
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("cgroup.procs"), "");
            if (v2) {
                Path subtree = dir.getParent().resolve("cgroup.subtree_control");
                Files.writeString(dir.resolve("cgroup.controllers"), Files.exists(subtree) ? Files.readString(subtree) : "");
                Files.writeString(dir.resolve("cgroup.subtree_control"), "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void removeDirectory(Path dir) throws SyscallException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> all = children.toList();
            if (all.stream().anyMatch(Files::isDirectory)) throw new SyscallException("rmdir " + dir, Errno.ENOTEMPTY);
            if (!read(dir.resolve("cgroup.procs")).isBlank()) throw new SyscallException("rmdir " + dir, Errno.EBUSY);
            for (Path p : all) Files.delete(p);
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(Path file, String value) throws SyscallException {
        if (!Files.isDirectory(file.getParent())) throw new SyscallException("write " + file, Errno.ENOENT);
        String name = file.getFileName().toString();
        Path dir = file.getParent();
        if (v2 && name.equals("cgroup.subtree_control")) {
            if (!read(dir.resolve("cgroup.procs")).isBlank()) throw new SyscallException("write " + file, Errno.EBUSY);
            Set<String> enabled = words(exists(file) ? read(file) : "");
            for (String change : value.split("\\s+")) {
                if (change.startsWith("+")) enabled.add(change.substring(1));
                else if (change.startsWith("-")) enabled.remove(change.substring(1));
            }
            writes.add(new Write(file, value));
            put(file, String.join(" ", enabled));
            return;
        }
        if (!v2 && name.equals("memory.limit_in_bytes") && exists(dir.resolve("memory.memsw.limit_in_bytes"))
                && Long.parseLong(value) > Long.parseLong(read(dir.resolve("memory.memsw.limit_in_bytes")).strip())) {
            throw new SyscallException("write " + file, Errno.EINVAL);
        }
        writes.add(new Write(file, value));
        if (name.equals("cgroup.procs")) {
            movePid(v2 ? root : root.resolve(root.relativize(file).getName(0)), value);
            put(file, (read(file) + " " + value).strip());
            return;
        }
        put(file, value);
    }

    /** A pid lives in one cgroup of a hierarchy: v2 has one tree, each v1 hierarchy is a top-level directory here. */
    private void movePid(Path hierarchy, String pid) {
        try (Stream<Path> all = Files.walk(hierarchy)) {
            for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                Set<String> pids = words(Files.readString(procs));
                if (pids.remove(pid)) Files.writeString(procs, String.join(" ", pids));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> words(String text) {
        Set<String> set = new LinkedHashSet<>(Arrays.asList(text.strip().split("\\s+")));
        set.remove("");
        return set;
    }

    @Override
    public String read(Path file) throws SyscallException {
        if (!Files.isRegularFile(file)) throw new SyscallException("read " + file, Errno.ENOENT);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public CompletionStage<String> readAsync(Path file) {
        try {
            return CompletableFuture.completedFuture(read(file));
        } catch (SyscallException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }
}
