package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolution of a path inside a root directory the way the container will see it, without ever
 * leaving the root: each component is looked at without following it; a symbolic link is expanded
 * by hand, an absolute target restarting at the root. A {@code ..} that would climb above the
 * root is refused (a layer has no business doing that), as is a link chain deeper than the
 * kernel's 40. Only the engine writes into the directory being unpacked, so what is checked here
 * cannot change before it is used.
 *
 * <p>The tree resolved in is a {@link Tree}: a directory on disk ({@link #directory}), an overlay
 * layer over the layers below it ({@link LayerUnion}), or the load-time model of an image
 * ({@link ImageModel}). One algorithm for all three is what makes the check at load refuse what
 * unpacking would.
 */
public final class RootedPath {
    private static final int MAX_LINKS = 40;

    private RootedPath() {}

    /** Thrown when a path would leave the root: the layer is hostile or broken. */
    public static final class EscapeException extends UnsafeEntryException {
        private final boolean loop;

        EscapeException(String message, boolean loop) {
            super(message);
            this.loop = loop;
        }

        /** True for a chain of links too deep to follow, false for a path climbing above the root. */
        boolean loop() {
            return loop;
        }
    }

    /** Called for each directory that had to be created on the way. */
    public interface DirectoryMaker {
        void make(Path dir) throws IOException;
    }

    /** What a name in a directory is, as far as resolving through it goes. */
    public enum Kind { MISSING, DIRECTORY, SYMLINK, OTHER }

    /** An entry of a tree: its kind and, for a symbolic link, its target. */
    public record Node(Kind kind, String target) {
        static final Node MISSING = new Node(Kind.MISSING, null);
        static final Node DIRECTORY = new Node(Kind.DIRECTORY, null);
        static final Node OTHER = new Node(Kind.OTHER, null);

        static Node link(String target) {
            return new Node(Kind.SYMLINK, target);
        }
    }

    /** A tree paths are resolved in. */
    public interface Tree {
        /** The entry {@code name} of directory {@code dir}, whose components are real directories (no links). */
        Node lookup(List<String> dir, String name) throws IOException;
    }

    /** Creates the missing directory {@code dir} (components) of a tree. */
    public interface Maker {
        void make(List<String> dir) throws IOException;
    }

    /**
     * The real directory that {@code components} names inside {@code root}, following symbolic
     * links inside the root. Missing directories are created with {@code maker} when it is given.
     */
    public static Path directory(Path root, List<String> components, DirectoryMaker maker) throws IOException {
        return join(root, resolve(disk(root), components, maker == null ? null : dir -> maker.make(join(root, dir))));
    }

    /**
     * The components of the real directory that {@code components} names in {@code tree}, following
     * symbolic links inside it. Missing directories are created with {@code maker} when it is given,
     * else NoSuchFileException; a component that is neither is NotDirectoryException.
     */
    public static List<String> resolve(Tree tree, List<String> components, Maker maker) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components);
        List<String> at = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (at.isEmpty()) throw new EscapeException("path /" + String.join("/", components) + " climbs above the root", false);
                at.removeLast();
                continue;
            }
            Node node = tree.lookup(at, c);
            switch (node.kind()) {
                case SYMLINK -> {
                    if (++links > MAX_LINKS) throw new EscapeException("path /" + String.join("/", components) + ": too many levels of symbolic links", true);
                    String target = node.target();
                    if (target.startsWith("/")) at.clear();
                    String[] parts = target.split("/");
                    for (int i = parts.length - 1; i >= 0; i--) todo.addFirst(parts[i]);
                }
                case DIRECTORY -> at.add(c);
                case OTHER -> throw new NotDirectoryException("/" + String.join("/", at) + (at.isEmpty() ? "" : "/") + c);
                case MISSING -> {
                    if (maker == null) throw new NoSuchFileException("/" + String.join("/", components));
                    List<String> made = new ArrayList<>(at);
                    made.add(c);
                    maker.make(made);
                    at.add(c);
                }
            }
        }
        return at;
    }

    /** The directory {@code root} on disk as a tree: one lstat per component (and a readlink per link). */
    static Tree disk(Path root) {
        return (dir, name) -> lstat(join(root, dir).resolve(name));
    }

    /** What {@code p} is, not following it. */
    static Node lstat(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException missing) {
            return Node.MISSING;
        }
        if (a.isSymbolicLink()) return Node.link(Files.readSymbolicLink(p).toString());
        return a.isDirectory() ? Node.DIRECTORY : Node.OTHER;
    }

    static Path join(Path root, List<String> at) {
        Path p = root;
        for (String c : at) p = p.resolve(c);
        return p;
    }
}
