package dev.enviro.images;

import dev.enviro.images.archive.ImageLoader;
import dev.enviro.images.archive.LoadedImage;
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

    private LocalImageStore(ContentStore content, ImageRefs refs, Set<String> insecureRegistries) {
        this.content = content;
        this.refs = refs;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
    }

    static LocalImageStore open(Path stateDir, Set<String> insecureRegistries) throws ImageException {
        ContentStore content = ContentStore.open(stateDir.resolve("content"));
        try {
            return new LocalImageStore(content, ImageRefs.open(stateDir.resolve("images")), insecureRegistries);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.IO, "image store " + stateDir + ": cannot open: " + e.getMessage(), e);
        }
    }

    ContentStore content() {
        return content;
    }

    @Override
    public List<ImageSummary> load(Path archive) throws ImageException {
        List<LoadedImage> loaded = ImageLoader.load(content, archive);
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
    public ImageSummary pull(String reference, String platform, Credentials credentials, Consumer<PullEvent> events) throws ImageException {
        Reference ref = Reference.parse(reference);
        Puller.Pulled pulled = puller().pull(ref, Platform.parse(platform), credentials, events);
        String manifest = pulled.manifestDigest().toString();
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
        return summary(image(manifest), refs.read());
    }

    /** From now on a pull also unpacks the layers for {@code idMap} into {@code layers}, while downloading. */
    void unpackOnPull(LayerSnapshots layers, dev.enviro.ffm.IdMap idMap) {
        puller().unpackWith(new PullUnpacker(layers, idMap));
    }

    private Puller puller() {
        Puller p = puller;
        if (p == null) {
            synchronized (this) {
                if (puller == null) puller = new Puller(content, Puller.defaultHttpClient(), insecureRegistries, Duration.ofMillis(250));
                p = puller;
            }
        }
        return p;
    }

    @Override
    public List<ImageSummary> list() throws ImageException {
        ImageRefs.Refs now = refs.read();
        List<ImageSummary> out = new ArrayList<>();
        for (String manifest : now.images()) out.add(summary(image(manifest), now));
        return out;
    }

    @Override
    public ResolvedImage resolve(String reference) throws ImageException {
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
                throw new ImageException(ImageException.Kind.NOT_FOUND, "image id \"" + ref + "\" is ambiguous (" + matches.size() + " images): give more digits");
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

    private static ImageException notFound(String name) {
        return new ImageException(ImageException.Kind.NOT_FOUND, "image \"" + name + "\" not found: pull it with 'enviro pull " + name + "' or load it with 'enviro load -i FILE'");
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

    private Image image(String manifestDigest) throws ImageException {
        Image cached = images.get(manifestDigest);
        if (cached != null) return cached;
        Digest digest = Digest.parse(manifestDigest);
        ImageManifest manifest = ImageManifest.parse(content.readSmall(digest, JSON_LIMIT), "manifest " + digest);
        ConfigFile config = ConfigFile.parse(content.readSmall(manifest.config().digest(), JSON_LIMIT), "config " + manifest.config().digest());
        Image image = new Image(digest, manifest, config);
        images.put(manifestDigest, image);
        return image;
    }
}
