package dev.enviro.images.archive;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Ingest;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.ImageIndex;
import dev.enviro.images.oci.ImageManifest;
import dev.enviro.images.oci.ImageName;
import dev.enviro.images.oci.Json;
import dev.enviro.images.oci.MediaTypes;
import dev.enviro.images.unpack.LayerFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads an image archive into the content store. Every blob is staged in {@code ingest/} and
 * verified (size and digest) first; only when the whole archive has been read, and every image has
 * passed the caller's {@link Check} (its layers can be unpacked safely), are the blobs committed, so a
 * malformed, truncated or hostile archive leaves nothing behind. Recording names is the caller's step,
 * after this one.
 */
public final class ImageLoader {
    private static final int JSON_LIMIT = 4 << 20;
    private static final Pattern BLOB = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
    private static final Pattern DOCKER_CONFIG = Pattern.compile("([0-9a-f]{64})\\.json");
    private static final String HOST_ARCH = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> "amd64";
        case "aarch64" -> "arm64";
        default -> System.getProperty("os.arch");
    };

    private final ContentStore content;
    private final Map<Digest, Ingest> staged = new LinkedHashMap<>();
    private final Map<Digest, Long> sizes = new LinkedHashMap<>();

    private ImageLoader(ContentStore content) {
        this.content = content;
    }

    /** Checks an image read from an archive before any of its blobs is committed. */
    public interface Check {
        /** {@code staged} reads the image's blobs as staged; a refusal (EnviroError) is the load's error as it is. */
        void image(LoadedImage image, Staged staged) throws EnviroError;
    }

    /** The blobs an archive staged, readable before they are committed. */
    public interface Staged {
        InputStream open(Digest digest) throws IOException;
    }

    /** Loads {@code archive}: an OCI layout directory or tar, a gzip'd tar, or a {@code docker save} tar. */
    public static List<LoadedImage> load(ContentStore content, Path archive) throws EnviroError {
        return load(content, archive, (image, staged) -> {});
    }

    /** {@link #load(ContentStore, Path)}, each image passing {@code check} before anything is committed. */
    public static List<LoadedImage> load(ContentStore content, Path archive, Check check) throws EnviroError {
        return new ImageLoader(content).run(archive, check);
    }

    private List<LoadedImage> run(Path archive, Check check) throws EnviroError {
        Path scratch = null;
        try {
            ArchiveSource source;
            if (Files.isDirectory(archive)) {
                source = new DirectorySource(archive);
            } else if (Files.isRegularFile(archive)) {
                Path tar = archive;
                if (isGzip(archive)) {
                    scratch = content.scratchFile();
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
                        Files.copy(in, scratch, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    tar = scratch;
                }
                source = openTar(tar);
            } else {
                throw new EnviroError(ErrorCode.NOT_FOUND, archive + ": no such file or directory: give the path of an image archive");
            }
            List<LoadedImage> images;
            try (source) {
                if (source.exists("index.json")) images = readOciLayout(source);
                else if (source.exists("manifest.json")) images = readDockerArchive(source);
                else throw new IOException("it has neither index.json nor manifest.json");
            }
            try {
                for (LoadedImage image : images) check.image(image, this::openStaged);
            } catch (EnviroError refused) {
                throw new Refused(refused);
            }
            for (Map.Entry<Digest, Ingest> e : staged.entrySet()) e.getValue().commit(e.getKey(), sizes.get(e.getKey()));
            return images;
        } catch (Refused r) {
            throw r.error; // the check's own words: it names the image, not the archive's format
        } catch (EnviroError e) {
            throw switch (e.code()) {
                case INVALID_ARGUMENT -> malformed(archive, e.getMessage(), e);
                case CORRUPT -> new EnviroError(e.code(), archive.getFileName() + ": " + e.getMessage() + ": the archive is corrupt, produce it again", e);
                default -> e;
            };
        } catch (IOException | IllegalArgumentException e) {
            throw malformed(archive, e.getMessage(), e);
        } finally {
            for (Ingest i : staged.values()) i.close();
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // Removed with ingest/ when the store is next opened.
                }
            }
        }
    }

    /** Carries a check's refusal past the archive's own error handling. */
    private static final class Refused extends RuntimeException {
        final EnviroError error;

        Refused(EnviroError error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }

    private InputStream openStaged(Digest digest) throws IOException {
        Ingest ingest = staged.get(digest);
        if (ingest == null) throw new IOException("blob " + digest + " was not staged");
        return ingest.open();
    }

    private static EnviroError malformed(Path archive, String why, Throwable cause) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, archive.getFileName() + ": not an OCI layout or docker archive: " + why, cause);
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] magic = in.readNBytes(2);
            return magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        }
    }

    private static ArchiveSource openTar(Path tar) throws IOException {
        try {
            return new TarSource(tar);
        } catch (IOException | RuntimeException e) {
            throw new IOException("not a readable tar archive (" + e.getMessage() + ")", e);
        }
    }

    // ---- OCI image layout ----

    private List<LoadedImage> readOciLayout(ArchiveSource source) throws IOException, EnviroError {
        if (!source.exists("oci-layout")) throw new IOException("index.json without an oci-layout file");
        JsonNode layout = Json.parse(source.readSmall("oci-layout", JSON_LIMIT), "oci-layout");
        if (!layout.path("imageLayoutVersion").isTextual()) throw new IOException("oci-layout has no imageLayoutVersion");
        ImageIndex index = ImageIndex.parse(source.readSmall("index.json", JSON_LIMIT), "index.json");
        List<LoadedImage> images = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (!matchesHost(d)) continue;
            LoadedImage image = readOciImage(source, d, names(d), 0);
            if (image != null) images.add(image);
        }
        if (images.isEmpty()) throw new IOException("index.json lists no linux/" + HOST_ARCH + " image");
        return images;
    }

    private static boolean matchesHost(Descriptor d) {
        return (d.os() == null || d.os().equals("linux")) && (d.architecture() == null || d.architecture().equals(HOST_ARCH));
    }

    /** A full name in ref.name wins; a bare tag there defers to containerd's full-name annotation. */
    private static List<String> names(Descriptor d) {
        String ref = d.annotations().get(Descriptor.REF_NAME);
        String containerd = d.annotations().get(Descriptor.CONTAINERD_NAME);
        String name = ref != null && !ImageName.isTagOnly(ref) ? ref : containerd;
        return name == null ? List.of() : List.of(ImageName.normalize(name));
    }

    private LoadedImage readOciImage(ArchiveSource source, Descriptor d, List<String> names, int depth) throws IOException, EnviroError {
        if (MediaTypes.isIndex(d.mediaType())) {
            if (depth > 1) throw new IOException("index " + d.digest() + " nests indexes too deep");
            ImageIndex nested = ImageIndex.parse(stageSmall(source, d), "index " + d.digest());
            for (Descriptor m : nested.manifests()) {
                if (m.os() != null && matchesHost(m)) return readOciImage(source, m, names, depth + 1);
            }
            if (nested.manifests().size() == 1) return readOciImage(source, nested.manifests().getFirst(), names, depth + 1);
            return null;
        }
        ImageManifest manifest = ImageManifest.parse(stageSmall(source, d), "manifest " + d.digest());
        ConfigFile config = ConfigFile.parse(stageSmall(source, manifest.config()), "config " + manifest.config().digest());
        checkLayerCount(manifest, config);
        for (Descriptor layer : manifest.layers()) stageBlob(source, layer);
        return new LoadedImage(d.digest(), manifest, config, names);
    }

    private static void checkLayerCount(ImageManifest manifest, ConfigFile config) throws IOException {
        if (manifest.layers().size() != config.diffIds().size()) {
            throw new IOException("manifest lists " + manifest.layers().size() + " layers, its config " + config.diffIds().size() + " diff_ids");
        }
    }

    private byte[] stageSmall(ArchiveSource source, Descriptor d) throws IOException, EnviroError {
        if (d.size() > JSON_LIMIT) throw new IOException("document " + d.digest() + " is larger than " + JSON_LIMIT + " bytes");
        stageBlob(source, d);
        return source.readSmall(blobPath(d.digest()), JSON_LIMIT);
    }

    private void stageBlob(ArchiveSource source, Descriptor d) throws IOException, EnviroError {
        if (staged.containsKey(d.digest())) return;
        Ingest ingest = stage(source, blobPath(d.digest()));
        ingest.verify(d.digest(), d.size());
        staged.put(d.digest(), ingest);
        sizes.put(d.digest(), d.size());
    }

    private static String blobPath(Digest digest) {
        return "blobs/sha256/" + digest.hex();
    }

    /** Copies a member into a new ingest; reading errors are the archive's (IOException), writing errors the store's. */
    private Ingest stage(ArchiveSource source, String path) throws IOException, EnviroError {
        if (!source.exists(path)) throw new IOException(path + " is missing");
        Ingest ingest = content.ingest();
        try (InputStream in = source.open(path)) {
            byte[] buffer = new byte[128 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                try {
                    ingest.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new EnviroError(ErrorCode.INTERNAL, "content store: cannot write: " + e.getMessage() + ": check free space", e);
                }
            }
            ingest.finish();
            return ingest;
        } catch (IOException | RuntimeException e) {
            ingest.close();
            throw e;
        }
    }

    // ---- docker save ----

    private List<LoadedImage> readDockerArchive(ArchiveSource source) throws IOException, EnviroError {
        JsonNode entries;
        try {
            entries = Json.MAPPER.readTree(source.readSmall("manifest.json", JSON_LIMIT));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("manifest.json is not valid JSON: " + e.getOriginalMessage());
        }
        if (entries == null || !entries.isArray() || entries.isEmpty()) throw new IOException("manifest.json is not a non-empty array");
        List<LoadedImage> images = new ArrayList<>();
        for (JsonNode entry : entries) {
            String configPath = entry.path("Config").asText(null);
            if (configPath == null) throw new IOException("manifest.json entry has no Config");
            Descriptor configDesc = stageDocker(source, configPath, MediaTypes.OCI_CONFIG);
            ConfigFile config = ConfigFile.parse(source.readSmall(configPath, JSON_LIMIT), "config " + configPath);
            List<Descriptor> layers = new ArrayList<>();
            JsonNode layerPaths = entry.path("Layers");
            if (!layerPaths.isArray()) throw new IOException("manifest.json entry has no Layers array");
            for (int i = 0; i < layerPaths.size(); i++) {
                String layerPath = layerPaths.get(i).asText();
                Descriptor layer = stageDocker(source, layerPath, null);
                // An uncompressed layer's digest is its diff_id: check it, the archive carries no other.
                if (layer.mediaType().equals(MediaTypes.OCI_LAYER) && i < config.diffIds().size() && !layer.digest().equals(config.diffIds().get(i))) {
                    throw new EnviroError(ErrorCode.CORRUPT, "layer " + layerPath + " has digest " + layer.digest() + ", its config says " + config.diffIds().get(i));
                }
                layers.add(layer);
            }
            ImageManifest manifest = new ImageManifest(configDesc, layers);
            checkLayerCount(manifest, config);
            byte[] json = manifest.toOciJson();
            Digest manifestDigest = Digest.of(json);
            if (!staged.containsKey(manifestDigest)) {
                Ingest ingest = content.ingest();
                try {
                    ingest.write(json, 0, json.length);
                } catch (IOException e) {
                    ingest.close();
                    throw new EnviroError(ErrorCode.INTERNAL, "content store: cannot write: " + e.getMessage(), e);
                }
                staged.put(manifestDigest, ingest);
                sizes.put(manifestDigest, (long) json.length);
            }
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode tag : entry.path("RepoTags")) names.add(ImageName.normalize(tag.asText()));
            images.add(new LoadedImage(manifestDigest, manifest, config, List.copyOf(names)));
        }
        return images;
    }

    /**
     * Stages a member of a docker archive, whose digest is computed here; a name that carries the
     * digest ({@code blobs/sha256/<hex>}, {@code <hex>.json}) is checked against it. A layer's media
     * type comes from its first bytes.
     */
    private Descriptor stageDocker(ArchiveSource source, String path, String mediaType) throws IOException, EnviroError {
        Ingest ingest = stage(source, path);
        Digest digest = ingest.finish();
        Matcher blob = BLOB.matcher(path);
        Matcher cfg = DOCKER_CONFIG.matcher(path);
        String named = blob.matches() ? blob.group(1) : cfg.matches() ? cfg.group(1) : null;
        if (named != null && !named.equals(digest.hex())) {
            ingest.close();
            throw new EnviroError(ErrorCode.CORRUPT, "member " + path + " has digest " + digest);
        }
        long size = ingest.size();
        if (staged.containsKey(digest)) ingest.close();
        else {
            staged.put(digest, ingest);
            sizes.put(digest, size);
        }
        if (mediaType == null) {
            try (InputStream in = new BufferedInputStream(source.open(path))) {
                mediaType = LayerFormat.detect(in).mediaType();
            }
        }
        return new Descriptor(mediaType, digest, size);
    }

}
