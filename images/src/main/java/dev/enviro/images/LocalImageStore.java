package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.archive.ImageLoader;
import dev.enviro.images.archive.LoadedImage;
import dev.enviro.images.archive.OciArchiveWriter;
import dev.enviro.images.content.ContentStore;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.ConfigFile;
import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.oci.ImageManifest;
import dev.enviro.images.oci.ImageName;
import dev.enviro.images.registry.Credentials;
import dev.enviro.images.registry.Platform;
import dev.enviro.images.registry.Puller;
import dev.enviro.images.registry.Reference;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.nio.file.Files;
import java.util.regex.Pattern;

/**
 * The image store of one state directory: blobs in {@code content/}, names in {@code images/refs.json}.
 * Blobs are committed before names are recorded, so a name never points at a missing blob.
 */
final class LocalImageStore implements ImageStore {
    private static final int JSON_LIMIT = 4 << 20;
    private static final Pattern SHORT_ID = Pattern.compile("[0-9a-f]{12,64}");

    private final ContentStore content;
    private final ImageRefs refs;
    /** Manifests and configs are immutable (content-addressed), so they can be cached forever. */
    private final Map<String, Image> images = new ConcurrentHashMap<>();

    private record Image(Digest manifestDigest, ImageManifest manifest, ConfigFile config) {}

    private final Set<String> insecureRegistries;
    private volatile Puller puller;
    private final Path stateDir;
    /**
     * Pulls, loads and snapshot prepares hold the read lock; garbage collection the write lock, so a
     * blob committed by a pull whose name is not recorded yet never looks like garbage.
     */
    private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
    /** {@code images/pulls/}: a marker per pull in flight; one left by a dead engine means its blobs may be orphans. */
    private final Path pullMarkers;

    private LocalImageStore(Path stateDir, ContentStore content, ImageRefs refs, Set<String> insecureRegistries) {
        this.stateDir = stateDir;
        this.content = content;
        this.refs = refs;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.pullMarkers = stateDir.resolve("images").resolve("pulls");
    }

    static Path contentDirectory(Path stateDir) {
        return stateDir.resolve("content");
    }

    static LocalImageStore open(Path stateDir, Set<String> insecureRegistries) throws EnviroError {
        ContentStore content = ContentStore.open(contentDirectory(stateDir));
        LocalImageStore store;
        try {
            store = new LocalImageStore(stateDir, content, ImageRefs.open(stateDir.resolve("images")), insecureRegistries);
            Files.createDirectories(store.pullMarkers);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image store " + stateDir + ": cannot open: " + e.getMessage(), e);
        }
        store.collectInterruptedPulls();
        return store;
    }

    /**
     * A pull cut short by a dead engine committed layers no name reaches: collect them now (the
     * containers' plans still protect what they use), so an interrupted pull leaves nothing behind.
     */
    private void collectInterruptedPulls() throws EnviroError {
        List<Path> left;
        try (var s = Files.list(pullMarkers)) {
            left = s.toList();
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image store " + stateDir + ": cannot read " + pullMarkers + ": " + e.getMessage(), e);
        }
        if (left.isEmpty()) return;
        collectGarbage(Set.of());
        try {
            for (Path marker : left) Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image store " + stateDir + ": cannot clear " + pullMarkers + ": " + e.getMessage(), e);
        }
    }

    /** The lock that excludes garbage collection: prepares hold its read side while they create snapshots. */
    java.util.concurrent.locks.ReadWriteLock gcLock() {
        return gcLock;
    }

    ContentStore content() {
        return content;
    }

    @Override
    public List<ImageSummary> load(Path archive) throws EnviroError {
        gcLock.readLock().lock();
        try {
            return loadLocked(archive);
        } finally {
            gcLock.readLock().unlock();
        }
    }

    private List<ImageSummary> loadLocked(Path archive) throws EnviroError {
        Set<String> recorded = Set.copyOf(refs.read().images());
        // Checked while staged: a refused archive commits no blob, records no name.
        List<LoadedImage> loaded = ImageLoader.load(content, archive, (image, staged) -> {
            if (recorded.contains(image.manifestDigest().toString())) return; // checked when it was recorded
            String name = image.names().isEmpty() ? image.manifestDigest().toString() : image.names().getFirst();
            ImageCheck.check(name, image.manifest().layers(), image.config().diffIds(), staged::open, content.ingestDir());
        });
        refs.update(current -> {
            Set<String> all = new LinkedHashSet<>(current.images());
            Map<String, String> names = new HashMap<>(current.names());
            for (LoadedImage image : loaded) {
                all.add(image.manifestDigest().toString());
                for (String name : image.names()) names.put(name, image.manifestDigest().toString());
            }
            return new ImageRefs.Refs(new ArrayList<>(all), names);
        });
        ImageRefs.Refs now = refs.read();
        List<ImageSummary> out = new ArrayList<>();
        for (LoadedImage image : loaded) {
            images.putIfAbsent(image.manifestDigest().toString(), new Image(image.manifestDigest(), image.manifest(), image.config()));
            out.add(summary(image(image.manifestDigest().toString()), now));
        }
        return out;
    }

    @Override
    public ImageSummary pull(String reference, String platform, Credentials credentials, Consumer<PullEvent> events) throws EnviroError {
        Reference ref = Reference.parse(reference);
        PullStep whole = PullStep.begin(ref.toString(), "pull");
        Path marker;
        try {
            marker = Files.createTempFile(pullMarkers, "pull-", "");
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "image store " + stateDir + ": cannot start a pull in " + pullMarkers + ": " + e.getMessage(), e);
        }
        Refused refused = null;
        gcLock.readLock().lock();
        try {
            return pullLocked(ref, platform, credentials, events);
        } catch (Refused r) {
            refused = r;
            throw r.error;
        } finally {
            gcLock.readLock().unlock();
            whole.commit();
            if (refused != null) forget(refused, marker);
            else deleteMarker(marker);
        }
    }

    private static void deleteMarker(Path marker) {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException ignored) {
            // A marker left behind costs one collection at the next start, nothing more.
        }
    }

    /** A pulled image the check refused, with what the pull stored of it. */
    private static final class Refused extends RuntimeException {
        final EnviroError error;
        final Set<String> blobs;
        final Set<String> diffIds;

        Refused(EnviroError error, Set<String> blobs, Set<String> diffIds) {
            super(error.getMessage(), error, false, false);
            this.error = error;
            this.blobs = blobs;
            this.diffIds = diffIds;
        }
    }

    /**
     * Removes what a refused pull stored (blobs, layers unpacked while pulling) that no recorded image
     * or container uses, under the write lock so that no pull in flight loses a blob it shares. Done now
     * when no pull, load or prepare runs; else by a thread that waits for them, the pull's marker kept
     * until it is done (an engine dying first collects at its next start).
     */
    private void forget(Refused refused, Path marker) {
        Runnable sweep = () -> {
            try {
                forgetLocked(refused);
            } finally {
                gcLock.writeLock().unlock();
                deleteMarker(marker);
            }
        };
        if (gcLock.writeLock().tryLock()) {
            sweep.run();
        } else {
            Thread.ofVirtual().name("forget-refused-pull").start(() -> {
                gcLock.writeLock().lock();
                sweep.run();
            });
        }
    }

    private void forgetLocked(Refused refused) {
        try {
            ImageRefs.Refs now = refs.read();
            ImageGarbage.forget(stateDir, content, now.images(), pinned(now), recordedImages(), refused.blobs, refused.diffIds);
        } catch (EnviroError e) {
            System.getLogger(LocalImageStore.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot remove what a refused pull stored ({0}): ''enviro image prune'' removes it", e.getMessage());
        }
    }

    private ImageSummary pullLocked(Reference ref, String platform, Credentials credentials, Consumer<PullEvent> events) throws EnviroError {
        // a platform asked for must be the image's, also when the image has only one (as docker checks)
        boolean asked = platform != null && !platform.isBlank();
        Puller.Pulled pulled = puller().pull(ref, Platform.parse(platform), asked, credentials, events);
        String manifest = pulled.manifestDigest().toString();
        if (!refs.read().images().contains(manifest)) check(ref.toString(), pulled);
        PullStep record = PullStep.begin(ref.toString(), "record");
        // A digest pull records name@digest, so that resolving that name finds the image even when the digest is an index's.
        String name = ref.digest() != null ? ref.repositoryName() + "@" + ref.digest() : ref.taggedName();
        refs.update(current -> {
            Set<String> all = new LinkedHashSet<>(current.images());
            all.add(manifest);
            Map<String, String> names = new HashMap<>(current.names());
            names.put(name, manifest);
            if (ref.digest() != null && ref.tag() != null) names.put(ref.taggedName(), manifest);
            return new ImageRefs.Refs(new ArrayList<>(all), names);
        });
        images.putIfAbsent(manifest, new Image(pulled.manifestDigest(), pulled.manifest(), pulled.config()));
        record.commit();
        return summary(image(manifest), refs.read());
    }

    /** The check of a pulled image, from its committed blobs, before its name is recorded; {@link Refused} when it fails. */
    private void check(String image, Puller.Pulled pulled) {
        PullStep step = PullStep.begin(image, "check");
        try {
            ImageCheck.check(image, pulled.manifest().layers(), pulled.config().diffIds(), content::read, content.ingestDir());
        } catch (EnviroError e) {
            Set<String> blobs = new java.util.HashSet<>();
            blobs.add(pulled.manifestDigest().hex());
            blobs.add(pulled.manifest().config().digest().hex());
            if (pulled.indexDigest() != null) blobs.add(pulled.indexDigest().hex());
            for (Descriptor layer : pulled.manifest().layers()) blobs.add(layer.digest().hex());
            Set<String> diffIds = new java.util.HashSet<>();
            for (Digest d : pulled.config().diffIds()) diffIds.add(d.hex());
            throw new Refused(e, blobs, diffIds);
        } finally {
            step.commit();
        }
    }

    /** From now on a pull also unpacks the layers for {@code idMap} into {@code layers}, while downloading. */
    void unpackOnPull(LayerSnapshots layers, dev.enviro.ffm.IdMap idMap) {
        puller().unpackWith(new PullUnpacker(layers, idMap));
    }

    private Puller puller() {
        Puller p = puller;
        if (p == null) {
            synchronized (this) {
                if (puller == null) puller = new Puller(content, insecureRegistries, Duration.ofMillis(250));
                p = puller;
            }
        }
        return p;
    }

    @Override
    public List<ImageSummary> list() throws EnviroError {
        ImageRefs.Refs now = refs.read();
        List<ImageSummary> out = new ArrayList<>();
        for (String manifest : now.images()) out.add(summary(image(manifest), now));
        return out;
    }

    @Override
    public ResolvedImage resolve(String reference) throws EnviroError {
        String ref = reference == null ? "" : reference.strip();
        ImageRefs.Refs now = refs.read();
        // An id first, as docker does: a 12-hex-digit string is far likelier an id than a repository name.
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        if (SHORT_ID.matcher(hex).matches()) {
            List<Image> matches = new ArrayList<>();
            for (String m : now.images()) {
                Image image = image(m);
                if (image.manifestDigest().hex().equals(hex) || image.manifest().config().digest().hex().startsWith(hex)) matches.add(image);
            }
            if (matches.size() == 1) return resolved(ref, matches.getFirst());
            if (matches.size() > 1) {
                throw new EnviroError(ErrorCode.NOT_FOUND, "image id \"" + ref + "\" is ambiguous (" + matches.size() + " images): give more digits");
            }
        }
        String name;
        try {
            name = ImageName.normalize(ref);
        } catch (IllegalArgumentException e) {
            throw notFound(ref);
        }
        String manifest;
        int at = name.indexOf('@');
        if (at >= 0) {
            manifest = now.names().getOrDefault(name, name.substring(at + 1));
            if (!now.images().contains(manifest)) throw notFound(name);
        } else {
            manifest = now.names().get(name);
            if (manifest == null) throw notFound(name);
        }
        return resolved(name, image(manifest));
    }

    @Override
    public ImageSummary tag(String source, String target) throws EnviroError {
        ResolvedImage image = resolve(source);
        String name;
        try {
            name = ImageName.normalize(target == null ? "" : target.strip());
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot tag image " + source + " as \"" + target + "\": " + e.getMessage());
        }
        if (name.contains("@")) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot tag image " + source + " as " + target + ": a tag names no digest; give name:tag");
        }
        refs.update(current -> {
            Map<String, String> names = new HashMap<>(current.names());
            names.put(name, image.manifestDigest());
            return new ImageRefs.Refs(current.images(), names);
        });
        return summary(image(image.manifestDigest()), refs.read());
    }

    @Override
    public ImageRemoval remove(String reference, boolean force, Map<String, List<String>> usedBy) throws EnviroError {
        String ref = reference == null ? "" : reference.strip();
        ImageRefs.Refs now = refs.read();
        String name = null;
        try {
            String normalized = ImageName.normalize(ref);
            if (now.names().containsKey(normalized)) name = normalized;
        } catch (IllegalArgumentException notAName) {
            // an id, resolved below
        }
        String manifest = name != null ? now.names().get(name) : resolve(ref).manifestDigest();
        List<String> keys = now.names().entrySet().stream().filter(e -> e.getValue().equals(manifest)).map(Map.Entry::getKey).sorted().toList();
        List<String> users = usedBy.getOrDefault(manifest, List.of());
        String id = image(manifest).manifest().config().digest().toString();
        // By name: that name goes, the image only with its last name. By id: every name, and the image.
        List<String> untag = name != null ? List.of(name) : keys;
        boolean lastName = untag.containsAll(keys);
        if (name == null && !force && keys.stream().filter(k -> !k.contains("@")).count() > 1) {
            throw new EnviroError(ErrorCode.CONFLICT, "image " + ref + " has several names (" + String.join(", ", keys)
                    + "): remove them by name, or force with 'enviro rmi -f " + ref + "'");
        }
        if (lastName && !users.isEmpty() && !force) {
            throw new EnviroError(ErrorCode.CONFLICT, "image " + ref + " (" + shortId(id) + ") is used by container"
                    + (users.size() > 1 ? "s " : " ") + String.join(", ", users) + ": remove " + (users.size() > 1 ? "them" : "it")
                    + " first ('enviro rm'), or force with 'enviro rmi -f " + ref + "' (the image stays, untagged, while they exist)");
        }
        boolean delete = lastName && users.isEmpty();
        refs.update(current -> {
            Map<String, String> names = new HashMap<>(current.names());
            for (String k : untag) names.remove(k, manifest);
            List<String> all = new ArrayList<>(current.images());
            // a name re-pointed at it meanwhile keeps it
            if (delete && !names.containsValue(manifest)) all.remove(manifest);
            return new ImageRefs.Refs(all, names);
        });
        List<String> untagged = untag.stream().filter(k -> !k.contains("@")).toList();
        if (!delete) return new ImageRemoval(untagged, List.of());
        // Free the disk now, as docker does; with a pull in flight the sweep waits for 'image prune'.
        if (gcLock.writeLock().tryLock()) {
            try {
                collectGarbage(usedBy.keySet());
            } finally {
                gcLock.writeLock().unlock();
            }
        }
        return new ImageRemoval(untagged, List.of(id));
    }

    @Override
    public PruneReport prune(boolean all, Map<String, List<String>> usedBy) throws EnviroError {
        gcLock.writeLock().lock();
        try {
            List<String> deleted = new ArrayList<>();
            List<String> untagged = new ArrayList<>();
            ImageRefs.Refs before = refs.read();
            Set<String> doomed = new LinkedHashSet<>();
            for (String m : before.images()) {
                boolean named = before.names().containsValue(m);
                if (!usedBy.containsKey(m) && (all || !named)) doomed.add(m);
            }
            for (String m : doomed) deleted.add(image(m).manifest().config().digest().toString());
            refs.update(current -> {
                Map<String, String> names = new HashMap<>(current.names());
                names.entrySet().removeIf(e -> {
                    boolean gone = doomed.contains(e.getValue());
                    if (gone && !e.getKey().contains("@")) untagged.add(e.getKey());
                    return gone;
                });
                List<String> images = new ArrayList<>(current.images());
                images.removeAll(doomed);
                return new ImageRefs.Refs(images, names);
            });
            ImageGarbage.Swept swept = collectGarbage(usedBy.keySet());
            java.util.Collections.sort(untagged);
            return new PruneReport(deleted, untagged, swept.blobs(), swept.snapshots(), swept.bytes());
        } finally {
            gcLock.writeLock().unlock();
        }
    }

    /** Sweeps what no recorded image and no container reaches; the caller holds the write lock (or is alone, at open). */
    private ImageGarbage.Swept collectGarbage(Set<String> usedByContainers) throws EnviroError {
        ImageRefs.Refs now = refs.read();
        return ImageGarbage.collect(stateDir, content, now.images(), usedByContainers, pinned(now), recordedImages());
    }

    /** Index blobs named by {@code name@digest} keys. */
    private static List<String> pinned(ImageRefs.Refs now) {
        return now.names().keySet().stream().filter(k -> k.contains("@")).map(k -> k.substring(k.indexOf('@') + 1)).toList();
    }

    /** The recorded images' manifests and configs, for the collector. */
    private ImageGarbage.Images recordedImages() {
        return new ImageGarbage.Images() {
            @Override
            public ImageManifest manifest(String manifestDigest) throws EnviroError {
                return image(manifestDigest).manifest();
            }

            @Override
            public ConfigFile config(ImageManifest manifest) throws EnviroError {
                return ConfigFile.parse(content.readSmall(manifest.config().digest(), JSON_LIMIT), "config " + manifest.config().digest());
            }
        };
    }

    @Override
    public ImageDetails inspect(String reference) throws EnviroError {
        ResolvedImage resolved = resolve(reference);
        Image image = image(resolved.manifestDigest());
        ImageRefs.Refs now = refs.read();
        Set<String> digests = new java.util.TreeSet<>();
        for (Map.Entry<String, String> e : now.names().entrySet()) {
            if (!e.getValue().equals(resolved.manifestDigest())) continue;
            String key = e.getKey();
            int at = key.indexOf('@');
            if (at >= 0) {
                digests.add(key);
            } else {
                int colon = key.lastIndexOf(':');
                digests.add((colon > key.lastIndexOf('/') ? key.substring(0, colon) : key) + "@" + resolved.manifestDigest());
            }
        }
        String configJson = new String(content.readSmall(image.manifest().config().digest(), JSON_LIMIT), java.nio.charset.StandardCharsets.UTF_8);
        List<ImageDetails.Layer> layers = new ArrayList<>();
        for (int i = 0; i < image.manifest().layers().size(); i++) {
            Descriptor d = image.manifest().layers().get(i);
            String diff = i < image.config().diffIds().size() ? image.config().diffIds().get(i).toString() : "";
            layers.add(new ImageDetails.Layer(d.digest().toString(), diff, d.size(), d.mediaType() == null ? "" : d.mediaType()));
        }
        return new ImageDetails(summary(image, now), List.copyOf(digests), image.config().os(), image.config().architecture(), configJson, layers);
    }

    @Override
    public void save(List<String> references, Path archive) throws EnviroError {
        if (references.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "save: name at least one image");
        Map<String, OciArchiveWriter.Image> chosen = new java.util.LinkedHashMap<>();
        for (String reference : references) {
            ResolvedImage resolved = resolve(reference);
            Image image = image(resolved.manifestDigest());
            OciArchiveWriter.Image before = chosen.get(resolved.manifestDigest());
            List<String> names = new ArrayList<>(before == null ? List.of() : before.names());
            // a name saves that name; an id saves the image with all its names, as docker save does
            List<String> add = resolved.reference().equals(reference.strip()) && SHORT_ID.matcher(hexOf(reference)).matches()
                    ? summary(image, refs.read()).names() : resolved.reference().contains("@") ? List.of() : List.of(resolved.reference());
            for (String n : add) if (!names.contains(n)) names.add(n);
            chosen.put(resolved.manifestDigest(), new OciArchiveWriter.Image(image.manifestDigest(), image.manifest(), names));
        }
        gcLock.readLock().lock();
        try {
            OciArchiveWriter.write(content, List.copyOf(chosen.values()), archive);
        } finally {
            gcLock.readLock().unlock();
        }
    }

    private static String hexOf(String reference) {
        String r = reference.strip();
        return r.startsWith("sha256:") ? r.substring(7) : r;
    }

    private static String shortId(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    private static EnviroError notFound(String name) {
        return new EnviroError(ErrorCode.NOT_FOUND, "image \"" + name + "\" not found: pull it with 'enviro pull " + name + "' or load it with 'enviro load -i FILE'");
    }

    private static ResolvedImage resolved(String reference, Image image) {
        return new ResolvedImage(reference, image.manifestDigest().toString(), image.manifest().config().digest().toString(),
                image.config().config(), image.manifest().layers().stream().map(d -> d.digest().toString()).toList());
    }

    private ImageSummary summary(Image image, ImageRefs.Refs now) {
        String manifest = image.manifestDigest().toString();
        // name@digest entries (digest pulls) are lookup keys, not names to list: docker shows such an image untagged.
        List<String> names = now.names().entrySet().stream().filter(e -> e.getValue().equals(manifest) && !e.getKey().contains("@"))
                .map(Map.Entry::getKey).sorted().toList();
        long size = image.manifest().layers().stream().mapToLong(Descriptor::size).sum();
        return new ImageSummary(image.manifest().config().digest().toString(), manifest, names, size, image.config().created());
    }

    private Image image(String manifestDigest) throws EnviroError {
        Image cached = images.get(manifestDigest);
        if (cached != null) return cached;
        Digest digest = Digest.parse(manifestDigest);
        ImageManifest manifest = ImageManifest.parse(content.readSmall(digest, JSON_LIMIT), "manifest " + digest);
        ConfigFile config = ConfigFile.parse(content.readSmall(manifest.config().digest(), JSON_LIMIT), "config " + manifest.config().digest());
        Image image = new Image(digest, manifest, config);
        images.put(manifestDigest, image);
        return image;
    }

    @Override
    public void checkLogin(String registry, dev.enviro.images.registry.Credentials credentials) throws EnviroError {
        dev.enviro.images.registry.RegistryLogin.check(registry, credentials, insecureRegistries);
    }
}
