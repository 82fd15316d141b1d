package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolution of a path inside a root directory the way the container will see it, without ever
 * leaving the root: each component is looked at with {@code lstat}; a symbolic link is expanded
 * by hand, an absolute target restarting at the root. A {@code ..} that would climb above the
 * root is refused (a layer has no business doing that), as is a link chain deeper than the
 * kernel's 40. Only the engine writes into the directory being unpacked, so what is checked here
 * cannot change before it is used.
 */
public final class RootedPath {
    private static final int MAX_LINKS = 40;

    private RootedPath() {}

    /** Thrown when a path would leave the root: the layer is hostile or broken. */
    public static final class EscapeException extends IOException {
        EscapeException(String message) { super(message); }
    }

    /** Called for each directory that had to be created on the way. */
    public interface DirectoryMaker {
        void make(Path dir) throws IOException;
    }

    /**
     * The real directory that {@code components} names inside {@code root}, following symbolic
     * links inside the root. Missing directories are created with {@code maker} when it is given.
     */
    public static Path directory(Path root, List<String> components, DirectoryMaker maker) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components);
        List<String> at = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (at.isEmpty()) throw new EscapeException("path /" + String.join("/", components) + " climbs above the root");
                at.removeLast();
                continue;
            }
            Path p = join(root, at).resolve(c);
            if (Files.isSymbolicLink(p)) {
                if (++links > MAX_LINKS) throw new EscapeException("path /" + String.join("/", components) + ": too many levels of symbolic links");
                String target = Files.readSymbolicLink(p).toString();
                if (target.startsWith("/")) at.clear();
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) todo.addFirst(parts[i]);
                continue;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                at.add(c);
            } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new NotDirectoryException("/" + String.join("/", at) + (at.isEmpty() ? "" : "/") + c);
            } else if (maker != null) {
                maker.make(p);
                at.add(c);
            } else {
                throw new NoSuchFileException("/" + String.join("/", components));
            }
        }
        return join(root, at);
    }

    private static Path join(Path root, List<String> at) {
        Path p = root;
        for (String c : at) p = p.resolve(c);
        return p;
    }
}
