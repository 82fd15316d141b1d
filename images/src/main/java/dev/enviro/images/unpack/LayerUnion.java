package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An overlay layer being unpacked, seen with the layers below it as the container will see them:
 * the layer's own entries first, then the lower layers' (top first) wherever the layer does not hide
 * them (a whiteout, an opaque directory, a non-directory above). Parent paths of the layer's entries
 * are resolved in it ({@link RootedPath}), so a later layer's {@code a/b} under a symbolic link
 * {@code a} of an earlier layer goes where the link leads, inside the root, as it does when the layers
 * are applied flattened.
 *
 * <p>Without the lower layers (null: a layer unpacked on its own while pulling), a name the layer does
 * not hold cannot be looked up: {@link LayerApplier.LowerLayersNeeded} says the layer must wait for them.
 */
final class LayerUnion implements RootedPath.Tree {
    private final Path self;
    /** The lower layers' directories, top first; null when not known. */
    private final List<Path> lowers;
    /** Per directory (components), the lower layers whose directory of that path shows in the union, top first. */
    private final Map<List<String>, List<Path>> stacks = new HashMap<>();

    LayerUnion(Path self, List<Path> lowers) {
        this.self = self;
        this.lowers = lowers;
    }

    @Override
    public RootedPath.Node lookup(List<String> dir, String name) throws IOException {
        Located at = locate(dir, name);
        return at == null ? RootedPath.Node.MISSING : at.node();
    }

    /** Where {@code dir/name} shows in the union: this layer or the lower layer that has it; null when nothing does. */
    Located locate(List<String> dir, String name) throws IOException {
        Path own = RootedPath.join(self, dir).resolve(name);
        RootedPath.Node node = RootedPath.lstat(own);
        if (node.kind() == RootedPath.Kind.OTHER && OverlayMarkers.isWhiteout(own)) return null;
        if (node.kind() != RootedPath.Kind.MISSING) return new Located(self, node);
        return hiddenBySelf(dir) ? null : inLowers(dir, name);
    }

    /** A name found in a lower layer: which layer, and what it is there. */
    record Located(Path layer, RootedPath.Node node) {}

    /** Where {@code dir/name} comes from in the layers below, or null when they do not show it. */
    private Located inLowers(List<String> dir, String name) throws IOException {
        if (lowers == null) {
            throw new LayerApplier.LowerLayersNeeded("/" + String.join("/", dir) + (dir.isEmpty() ? "" : "/") + name + " is not in the layer: it may be in the layers below");
        }
        for (Path layer : stack(dir)) {
            Path p = RootedPath.join(layer, dir).resolve(name);
            RootedPath.Node node = RootedPath.lstat(p);
            if (node.kind() == RootedPath.Kind.MISSING) continue;
            if (node.kind() == RootedPath.Kind.OTHER && OverlayMarkers.isWhiteout(p)) return null;
            return new Located(layer, node);
        }
        return null;
    }

    /** Whether the layer itself hides the layers below at {@code dir}: an opaque directory on the way. */
    private boolean hiddenBySelf(List<String> dir) throws IOException {
        Path p = self;
        for (String c : dir) {
            p = p.resolve(c);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && OverlayMarkers.isOpaque(p)) return true;
        }
        return false;
    }

    /** The lower layers whose {@code dir} is part of the union's directory, top first (overlayfs's lookup). */
    private List<Path> stack(List<String> dir) throws IOException {
        List<Path> known = stacks.get(dir);
        if (known != null) return known;
        List<Path> out = new ArrayList<>();
        if (dir.isEmpty()) {
            out.addAll(lowers);
        } else {
            List<String> up = dir.subList(0, dir.size() - 1);
            for (Path layer : stack(up)) {
                Path p = RootedPath.join(layer, dir);
                RootedPath.Node node = RootedPath.lstat(p);
                if (node.kind() == RootedPath.Kind.MISSING) continue;
                if (node.kind() != RootedPath.Kind.DIRECTORY) break; // a whiteout, file or link hides the directories below
                out.add(layer);
                if (OverlayMarkers.isOpaque(p)) break;
            }
        }
        stacks.put(List.copyOf(dir), out);
        return out;
    }

    /** The topmost lower layer's directory {@code dir}, whose owner and mode a directory made for the layer copies; null if none. */
    Path lowerDirectory(List<String> dir) throws IOException {
        if (lowers == null || dir.isEmpty()) return null;
        List<Path> s = stack(dir);
        return s.isEmpty() ? null : RootedPath.join(s.getFirst(), dir);
    }
}
