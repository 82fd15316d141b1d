package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * {@code images/refs.json}: the images the store holds (manifest digests) and the names that point
 * at them. Written to a temporary file, fsynced and renamed, under a lock (a JVM lock plus a file
 * lock, for a CLI acting on the state directory beside the engine).
 *
 * <pre>{"schemaVersion":1,"images":["sha256:…"],"names":{"localhost/busybox:latest":"sha256:…"}}</pre>
 */
final class ImageRefs {
    /** The file's content: every image, and full name → manifest digest. A name always points at a listed image. */
    record Refs(List<String> images, Map<String, String> names) {
        Refs {
            images = List.copyOf(images);
            names = Map.copyOf(names);
        }
    }

    private final Path file;
    private final Path lockFile;
    private final ReentrantLock lock = new ReentrantLock();

    private ImageRefs(Path dir) {
        this.file = dir.resolve("refs.json");
        this.lockFile = dir.resolve("refs.lock");
    }

    static ImageRefs open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new ImageRefs(dir);
    }

    Refs read() throws EnviroError {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Refs(List.of(), Map.of());
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            JsonNode root = Json.parse(bytes, file.toString());
            List<String> images = new ArrayList<>();
            for (JsonNode d : root.path("images")) images.add(Digest.parse(d.asText()).toString());
            Map<String, String> names = new TreeMap<>();
            root.path("names").properties().forEach(e -> names.put(e.getKey(), Digest.parse(e.getValue().asText()).toString()));
            return new Refs(images, names);
        } catch (EnviroError | IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, file + " is corrupt (" + e.getMessage() + "): restore it or remove it and load the images again", e);
        }
    }

    /** Replaces the refs with {@code change(current)}, atomically. */
    @SuppressWarnings("try") // the FileLock is held for the body, not used in it
    Refs update(UnaryOperator<Refs> change) throws EnviroError {
        lock.lock();
        try (FileChannel lc = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lc.lock()) {
            Refs next = change.apply(read());
            write(next);
            return next;
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, file + ": cannot update: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void write(Refs refs) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", 1);
        refs.images().stream().sorted().forEach(root.putArray("images")::add);
        ObjectNode names = root.putObject("names");
        new TreeMap<>(refs.names()).forEach(names::put);
        Path tmp = file.resolveSibling("refs.json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Json.write(root)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
