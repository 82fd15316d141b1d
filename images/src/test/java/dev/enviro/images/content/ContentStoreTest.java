package dev.enviro.images.content;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir Path dir;

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
    private static final Digest HELLO_DIGEST = Digest.parse("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");

    @Test
    void commitVerifiesThenRenamesIntoBlobs() throws Exception {
        ContentStore store = ContentStore.open(dir);
        try (Ingest ingest = store.ingest()) {
            ingest.write(HELLO, 0, HELLO.length);
            assertFalse(store.contains(HELLO_DIGEST), "nothing is visible before commit");
            ingest.commit(HELLO_DIGEST, HELLO.length);
        }
        assertTrue(Files.isRegularFile(dir.resolve("blobs/sha256/" + HELLO_DIGEST.hex())));
        assertArrayEquals(HELLO, store.readSmall(HELLO_DIGEST, 100));
        assertEquals(HELLO.length, store.size(HELLO_DIGEST));
        assertEquals(0, Files.list(dir.resolve("ingest")).count());
    }

    @Test
    void aLargeBlobStartsItsWritebackEarlyAndKeepsNoDescriptorOpen() throws Exception {
        ContentStore store = ContentStore.open(dir);
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(chunk);
        java.security.MessageDigest sha = Digest.sha256();
        try (Ingest committed = store.ingest(); Ingest aborted = store.ingest()) {
            for (int i = 0; i < 20; i++) { // 20 MiB: two writeback starts at 8 and 16 MiB
                committed.write(chunk, 0, chunk.length);
                aborted.write(chunk, 0, chunk.length);
                sha.update(chunk);
            }
            Digest digest = Digest.of(sha);
            committed.commit(digest, 20L << 20);
            assertTrue(store.contains(digest));
            assertEquals(20L << 20, store.size(digest));
        }
        assertEquals(java.util.List.of(), openUnder(dir), "the writeback descriptors of committed and aborted ingests are closed");
        assertEquals(0, Files.list(dir.resolve("ingest")).count());
    }

    /** This JVM's open descriptors on files below {@code root} (others come and go with the JVM's own threads). */
    private static java.util.List<String> openUnder(Path root) throws java.io.IOException {
        java.util.List<String> open = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(root.toString())) open.add(fd.getFileName() + " -> " + target);
                } catch (java.io.IOException closedMeanwhile) {
                    // gone between the listing and the read
                }
            }
        }
        return open;
    }

    @Test
    void wrongDigestOrSizeIsRefusedAndLeavesNothing() throws Exception {
        ContentStore store = ContentStore.open(dir);
        Digest other = Digest.of("other".getBytes(StandardCharsets.UTF_8));
        try (Ingest ingest = store.ingest()) {
            ingest.write(HELLO, 0, HELLO.length);
            EnviroError e = assertThrows(EnviroError.class, () -> ingest.commit(other, HELLO.length));
            assertEquals(ErrorCode.CORRUPT, e.code());
            assertTrue(e.getMessage().contains(HELLO_DIGEST.toString()), e.getMessage());
        }
        try (Ingest ingest = store.ingest()) {
            ingest.write(HELLO, 0, HELLO.length);
            EnviroError e = assertThrows(EnviroError.class, () -> ingest.commit(HELLO_DIGEST, HELLO.length + 1));
            assertEquals(ErrorCode.CORRUPT, e.code());
        }
        assertFalse(store.contains(other));
        assertFalse(store.contains(HELLO_DIGEST));
        assertEquals(0, Files.list(dir.resolve("ingest")).count(), "aborted ingests are deleted");
        assertEquals(0, Files.list(dir.resolve("blobs/sha256")).count());
    }

    @Test
    void committingAnExistingBlobIsNotAnError() throws Exception {
        ContentStore store = ContentStore.open(dir);
        for (int i = 0; i < 2; i++) {
            try (Ingest ingest = store.ingest()) {
                ingest.write(HELLO, 0, HELLO.length);
                ingest.commit(HELLO_DIGEST, -1);
            }
        }
        assertArrayEquals(HELLO, store.readSmall(HELLO_DIGEST, 100));
    }

    @Test
    void openEmptiesIngestOfACrashedWriter() throws Exception {
        ContentStore.open(dir);
        Files.writeString(dir.resolve("ingest/ingest-crashed"), "partial");
        ContentStore store = ContentStore.open(dir);
        assertEquals(0, Files.list(dir.resolve("ingest")).count());
        EnviroError e = assertThrows(EnviroError.class, () -> store.read(HELLO_DIGEST));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    @Test
    void digestsAreSha256Only() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha512:" + "a".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
        assertEquals(HELLO_DIGEST, Digest.of(HELLO));
    }
}
