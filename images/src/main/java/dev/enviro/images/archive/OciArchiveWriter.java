package dev.enviro.images.archive;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.ImageManifest;
import dev.enviro.images.oci.Json;
import dev.enviro.images.oci.MediaTypes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes images as one OCI image layout in a tar ({@code save -o}): {@code oci-layout},
 * {@code index.json} with one manifest entry per name ({@code org.opencontainers.image.ref.name} and
 * containerd's {@code io.containerd.image.name} carry the full name; an untagged image gets an entry
 * without a name) and every blob once under {@code blobs/sha256/}. Blobs are copied as stored, so
 * digests hold. The archive is written beside its target, fsynced and renamed: it appears whole or not at all.
 */
public final class OciArchiveWriter {
    /** One image to save: its manifest (as stored) and the names to give it in the index. */
    public record Image(Digest manifestDigest, ImageManifest manifest, List<String> names) {
        public Image {
            names = List.copyOf(names);
        }
    }

    private OciArchiveWriter() {}

    public static void write(ContentStore content, List<Image> images, Path archive) throws EnviroError {
        Path target = archive.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                file(tar, "oci-layout", Json.write(Json.MAPPER.createObjectNode().put("imageLayoutVersion", "1.0.0")));
                file(tar, "index.json", index(content, images));
                directory(tar, "blobs/");
                directory(tar, "blobs/sha256/");
                Set<Digest> blobs = new LinkedHashSet<>();
                for (Image image : images) {
                    blobs.add(image.manifestDigest());
                    blobs.add(image.manifest().config().digest());
                    for (Descriptor layer : image.manifest().layers()) blobs.add(layer.digest());
                }
                for (Digest blob : blobs) {
                    TarArchiveEntry entry = new TarArchiveEntry("blobs/sha256/" + blob.hex());
                    entry.setSize(content.size(blob));
                    entry.setMode(0444);
                    tar.putArchiveEntry(entry);
                    try (InputStream in = content.read(blob)) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
                tar.finish();
                out.flush();
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new EnviroError(ErrorCode.INTERNAL, "cannot save images to " + target + ": " + e.getMessage()
                    + ": check that its directory exists and is writable", e);
        } catch (EnviroError e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static byte[] index(ContentStore content, List<Image> images) throws EnviroError {
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Image image : images) {
            byte[] bytes = content.readSmall(image.manifestDigest(), 4 << 20);
            // A pulled Docker schema 2 manifest keeps its media type: the bytes, and so the digest, are the registry's.
            String mediaType = Json.parse(bytes, "manifest " + image.manifestDigest()).path("mediaType").textValue();
            List<String> names = image.names().isEmpty() ? java.util.Collections.singletonList(null) : image.names();
            for (String name : names) {
                ObjectNode d = manifests.addObject();
                d.put("mediaType", mediaType != null ? mediaType : MediaTypes.OCI_MANIFEST);
                d.put("digest", image.manifestDigest().toString());
                d.put("size", bytes.length);
                if (name != null) {
                    d.putObject("annotations").put(Descriptor.REF_NAME, name).put(Descriptor.CONTAINERD_NAME, name);
                }
            }
        }
        return Json.write(index);
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }
}
