package dev.enviro.images.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** The files of an image archive, by clean relative path: an OCI layout directory, or a tar of one or of {@code docker save}. */
interface ArchiveSource extends Closeable {

    boolean exists(String path);

    /** Opens a regular file member; IOException when it is absent or not a regular file. */
    InputStream open(String path) throws IOException;

    /** Reads a member whole; larger than {@code limit} is an IOException (JSON documents are small). */
    default byte[] readSmall(String path, int limit) throws IOException {
        try (InputStream in = open(path)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) throw new IOException(path + " is larger than " + limit + " bytes");
            return bytes;
        }
    }
}
