package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shape of an image's root file system, built in memory from its layers' checked entries
 * ({@link LayerScan}) the way {@link LayerApplier} builds it on disk flattened: directories, symbolic
 * links with their targets, and everything else as leaves; whiteouts and opaque directories delete.
 * Every parent path and hard-link target is resolved by {@link RootedPath} as unpacking resolves it,
 * so an image whose layers would climb out of the root through a link, or name what is not there, is
 * refused before anything of it is stored. It holds no data, only names (a few tens of bytes each).
 */
public final class ImageModel implements RootedPath.Tree {
    /** One name of the tree. */
    private static final class Node {
        final RootedPath.Node what;
        /** Children of a directory; null for anything else. */
        final Map<String, Node> children;
        /** The layer that made this name (an entry, or a parent made for one) or last listed the directory. */
        int written;
        /** The file this name is of: hard links share it. */
        final Object inode;

        Node(RootedPath.Node what, int written) {
            this(what, written, new Object());
        }

        Node(RootedPath.Node what, int written, Object inode) {
            this.what = what;
            this.children = what.kind() == RootedPath.Kind.DIRECTORY ? new HashMap<>() : null;
            this.written = written;
            this.inode = inode;
        }
    }

    private final Node root = new Node(RootedPath.Node.DIRECTORY, -1);
    private int layer = -1;

    @Override
    public RootedPath.Node lookup(List<String> dir, String name) {
        Node n = directory(dir).children.get(name);
        return n == null ? RootedPath.Node.MISSING : n.what;
    }

    /**
     * Applies the next layer; refusals come as the applier's would, in the same words and order: its
     * entries' (a link climbing out), then the scan's (an entry breaking a rule, a truncated tar).
     */
    public void apply(LayerScan.Scanned layer) throws IOException {
        apply(layer.entries());
        if (layer.refusal() != null) throw layer.refusal();
    }

    private void apply(List<LayerEntry> entries) throws IOException {
        layer++;
        for (LayerEntry e : entries) {
            if (e.kind() == LayerEntry.Kind.ROOT) continue;
            List<String> parentPath = parent(e);
            Node parent = directory(parentPath);
            switch (e.kind()) {
                case OPAQUE -> {
                    if (parent != root) pruneLower(parent); // at the root, nothing goes (as overlay)
                }
                case WHITEOUT -> parent.children.remove(e.base());
                case DIRECTORY -> {
                    Node existing = parent.children.get(e.base());
                    if (existing != null && existing.children != null) existing.written = layer;
                    else parent.children.put(e.base(), new Node(RootedPath.Node.DIRECTORY, layer));
                }
                case HARDLINK -> hardLink(e, parentPath, parent);
                case SYMLINK -> parent.children.put(e.base(), new Node(RootedPath.Node.link(e.target()), layer));
                case FILE, FIFO, CHARACTER_DEVICE, BLOCK_DEVICE -> parent.children.put(e.base(), new Node(RootedPath.Node.OTHER, layer));
                case ROOT -> throw new AssertionError("skipped above");
            }
        }
    }

    /** An opaque directory: what the layers below put under {@code dir} goes, this layer's stays (as the applier); true when anything stays. */
    private boolean pruneLower(Node dir) {
        boolean kept = false;
        for (Iterator<Node> i = dir.children.values().iterator(); i.hasNext(); ) {
            Node child = i.next();
            boolean keep = child.children != null ? pruneLower(child) | child.written == layer : child.written == layer;
            if (keep) kept = true;
            else i.remove();
        }
        return kept;
    }

    /** The real directory of an entry's parent, made as the applier makes missing parents. */
    private List<String> parent(LayerEntry e) throws IOException {
        try {
            return RootedPath.resolve(this, e.parent(), dir -> directory(dir.subList(0, dir.size() - 1)).children.put(dir.getLast(), new Node(RootedPath.Node.DIRECTORY, layer)));
        } catch (RootedPath.EscapeException escape) {
            throw LayerRules.escaped(e.name(), escape);
        } catch (NotDirectoryException notDirectory) {
            throw LayerRules.notUnderDirectory(e.name(), notDirectory);
        }
    }

    /** A hard link is the same inode: to the model, a second name of the same file (a link stays a link). */
    private void hardLink(LayerEntry e, List<String> parentPath, Node parent) throws IOException {
        List<String> link = e.link();
        String linkName = e.target();
        Node source;
        List<String> sourcePath = null;
        try {
            List<String> dir = RootedPath.resolve(this, link.subList(0, link.size() - 1), null);
            source = directory(dir).children.get(link.getLast());
            sourcePath = new java.util.ArrayList<>(dir);
            sourcePath.add(link.getLast());
        } catch (NoSuchFileException | NotDirectoryException missing) {
            source = null;
        } catch (RootedPath.EscapeException escape) {
            throw LayerRules.linkEscapes(e.name(), linkName, escape);
        }
        if (source == null) throw LayerRules.linkMissing(e.name(), linkName);
        if (source.children != null) throw LayerRules.linkToDirectory(e.name(), linkName);
        List<String> targetPath = new java.util.ArrayList<>(parentPath);
        targetPath.add(e.base());
        if (sourcePath.size() > targetPath.size() && sourcePath.subList(0, targetPath.size()).equals(targetPath)) {
            throw LayerRules.linkIntoItself(e.name(), linkName);
        }
        Node existing = parent.children.get(e.base());
        if (existing != null && existing.inode == source.inode) { // already that file: nothing changes but the count
            existing.written = layer;
            return;
        }
        parent.children.put(e.base(), new Node(source.what, layer, source.inode));
    }

    /** The directory node of real components {@code dir} (every one a directory: {@link RootedPath} resolved them). */
    private Node directory(List<String> dir) {
        Node n = root;
        for (String c : dir) n = n.children.get(c);
        return n;
    }
}
