package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.google.protobuf.ByteString;
import dev.enviro.actors.Engine;
import dev.enviro.grpc.v1.LoadImageRequest;
import dev.enviro.grpc.v1.LoadImageResponse;
import dev.enviro.grpc.v1.SaveImageChunk;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code load} and {@code save}: the archive travels in the call, spooled through a file the engine
 * owns in the content store's ingest directory (emptied at every start, so a crash leaves nothing). The
 * engine opens no path a client names: a client loads only what it can read and saves only where it
 * can write.
 */
final class ArchiveCalls {

    private static final int CHUNK = 1 << 20;

    private final Engine engine;
    private final Path spool;

    ArchiveCalls(Engine engine, Path spool) {
        this.engine = engine;
        this.spool = spool;
    }

    /**
     * The archive is spooled under the name the client gave it (in a directory of its own), so that
     * what the loader says names the client's file, not the spool's.
     */
    StreamObserver<LoadImageRequest> load(StreamObserver<LoadImageResponse> out) {
        return new StreamObserver<>() {
            private Path file;
            private FileChannel channel;
            private boolean failed;

            @Override
            public void onNext(LoadImageRequest chunk) {
                if (failed) return;
                try {
                    if (channel == null) open(chunk.getName());
                    ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
                    while (data.hasRemaining()) channel.write(data);
                } catch (IOException e) {
                    fail(e);
                }
            }

            private void open(String name) throws IOException {
                file = spoolFile("load", name);
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            }

            private void fail(IOException e) {
                failed = true;
                discard(channel, file);
                out.onError(ApiStatus.of(spoolFailure(e), "LoadImage"));
            }

            @Override
            public void onError(Throwable t) {
                discard(channel, file);
            }

            @Override
            public void onCompleted() {
                if (failed) return;
                try {
                    if (channel == null) open("");
                    channel.close();
                } catch (IOException e) {
                    fail(e);
                    return;
                }
                engine.loadImage(file).whenComplete((images, failure) -> {
                    discard(channel, file);
                    if (failure != null) {
                        out.onError(ApiStatus.of(failure, "LoadImage"));
                        return;
                    }
                    LoadImageResponse.Builder b = LoadImageResponse.newBuilder();
                    images.forEach(i -> b.addImages(ApiMessages.image(i)));
                    out.onNext(b.build());
                    out.onCompleted();
                });
            }
        };
    }

    /** Writes the archive to a spool file, then streams it; the client's flow control paces the reads. */
    void save(List<String> refs, StreamObserver<SaveImageChunk> out) {
        // (only while the call's handler runs may its readiness be watched)
        StreamGate gate = StreamGate.install(out);
        Path file;
        try {
            file = spoolFile("save", "images.tar");
        } catch (IOException e) {
            out.onError(ApiStatus.of(spoolFailure(e), "SaveImage"));
            return;
        }
        engine.saveImages(refs, file).whenComplete((done, failure) -> {
            if (failure != null) {
                delete(file);
                out.onError(ApiStatus.of(failure, "SaveImage"));
                return;
            }
            Thread.ofVirtual().name("enviro-save").start(() -> stream(file, out, gate));
        });
    }

    private static void stream(Path file, StreamObserver<SaveImageChunk> call, StreamGate gate) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[CHUNK];
            for (int n; (n = in.readNBytes(buf, 0, CHUNK)) > 0; ) {
                if (!gate.awaitReady()) return; // cancelled
                call.onNext(SaveImageChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
            }
            call.onCompleted();
        } catch (IOException e) {
            call.onError(ApiStatus.of(spoolFailure(e), "SaveImage"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the call ended under us (cancelled): nothing to tell anyone
        } finally {
            delete(file);
        }
    }

    /** {@code spool/<what>-<random>/<name>}: {@code name} is a file name only, whatever the client sent. */
    private Path spoolFile(String what, String name) throws IOException {
        Files.createDirectories(spool);
        Path dir = Files.createTempDirectory(spool, what + "-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String base = name.substring(name.lastIndexOf('/') + 1);
        if (base.isEmpty() || base.equals(".") || base.equals("..") || base.indexOf('\0') >= 0) base = "archive.tar";
        return Files.createFile(dir.resolve(base), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static EnviroError spoolFailure(IOException e) {
        // the spool is written before the engine's own free-space check (which would say the same)
        if (e.getMessage() != null && e.getMessage().contains("No space left on device")) {
            return new EnviroError(ErrorCode.EXHAUSTED, "no space left in the engine's state directory to spool the image"
                    + " archive: remove containers or images, or free space on its filesystem");
        }
        return new EnviroError(ErrorCode.UNAVAILABLE, "cannot spool the image archive in the engine's state directory: "
                + e.getMessage() + ": free some space and retry");
    }

    private static void discard(FileChannel channel, Path file) {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // the file goes anyway
        }
        delete(file);
    }

    private static void delete(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException ignored) {
            // ingest/ is emptied at the next start
        }
    }
}
