package dev.enviro.images.unpack;

import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies image layers to a directory, in one of two forms:
 *
 * <ul>
 *   <li>{@linkplain #LayerApplier(Path, IdMap) flattened}: layers applied in order to one directory,
 *       the union as overlayfs would show it (the copy snapshotter's root filesystem). Whiteouts follow
 *       the OCI image spec: {@code .wh.NAME} deletes NAME from the layers below, {@code .wh..wh..opq}
 *       empties its directory of what the layers below put there.
 *   <li>{@linkplain #overlayLayer one layer per directory}, an overlay lower layer: nothing below is
 *       touched; {@code .wh.NAME} becomes a whiteout and {@code .wh..wh..opq} an opaque directory
 *       ({@link OverlayMarkers}). A hard link to a file of a lower layer is copied from
 *       {@code lowers} when they are given, else {@link LowerLinkException} says the layer needs them.
 * </ul>
 *
 * <p>Nothing is ever
 * written outside the root: entry names with {@code ..} or a leading {@code /} are refused, and
 * parent directories are resolved by {@link RootedPath}, which follows symbolic links only inside
 * the root. The last component of a name is never followed: an existing entry there is replaced.
 *
 * <p>Ownership is shifted through the id map: container uid {@code u} becomes {@code idMap.hostUid(u)}.
 * An id outside the map keeps the engine's own id (the file shows as {@code nobody} in the
 * container), and so does every id when an unprivileged engine may not chown (EPERM): a rootless
 * engine with a one-id map owns every file anyway. Device nodes and FIFOs are skipped: an
 * unprivileged container could not use them, and the runtime supplies {@code /dev}.
 */
public final class LayerApplier {
    private static final System.Logger LOG = System.getLogger(LayerApplier.class.getName());
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final Path root;
    private final IdMap idMap;
    private final boolean privileged;
    /** Overlay lower layer form: whiteouts become markers instead of deletions. */
    private final boolean overlay;
    /** The lower layers' directories, top first; null when not known (the layer is unpacked on its own). */
    private final List<Path> lowers;
    private boolean chownRefused;
    /**
     * Parent directories already resolved in this layer, by their components in the entry names: a tar
     * lists a directory's entries together, so most entries skip {@link RootedPath}'s lstat per component.
     * Emptied whenever an entry deletes or replaces something, which is the only way a resolution can change.
     */
    private final java.util.Map<List<String>, Path> parents = new java.util.HashMap<>();

    /** Applies layers flattened into {@code root}. */
    public LayerApplier(Path root, IdMap idMap) throws IOException {
        this(root, idMap, false, null);
    }

    private LayerApplier(Path root, IdMap idMap, boolean overlay, List<Path> lowers) throws IOException {
        this.root = root;
        this.idMap = idMap;
        this.overlay = overlay;
        this.lowers = lowers == null ? null : List.copyOf(lowers);
        this.privileged = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    /**
     * Applies one layer into {@code root} as an overlay lower layer. {@code lowers}: the directories of
     * the layers below, top first, or null when they are not unpacked yet.
     */
    public static LayerApplier overlayLayer(Path root, IdMap idMap, List<Path> lowers) throws IOException {
        return new LayerApplier(root, idMap, true, lowers);
    }

    /** A hard link names a file of a lower layer, and the lower layers were not given. */
    public static final class LowerLinkException extends IOException {
        LowerLinkException(String message) { super(message); }
    }

    private record DirTime(Path dir, FileTime mtime) {}

    /**
     * Applies one layer's uncompressed tar stream and returns its diff id (the sha256 of the tar),
     * for the caller to check against the image config.
     */
    /** One per applier (an applier unpacks one layer on one thread). */
    private final byte[] copyBuffer = new byte[256 * 1024];

    public Digest apply(InputStream layerTar) throws IOException {
        MessageDigest sha = Digest.sha256();
        DigestInputStream hashed = new DigestInputStream(layerTar, sha);
        Set<Path> written = new HashSet<>();
        List<DirTime> dirTimes = new ArrayList<>();
        TarWithXattrs tar = new TarWithXattrs(hashed);
        this.tar = tar;
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            applyEntry(tar, e, written, dirTimes);
        }
        long trailing = hashed.transferTo(OutputStream.nullOutputStream()); // the end-of-archive blocks are part of the diff id
        // The reader takes a short last block for the end of the archive: a header cut in the middle would pass.
        if ((tar.getBytesRead() + trailing) % 512 != 0) {
            throw new IOException("the layer's tar is truncated (" + (tar.getBytesRead() + trailing) + " bytes, not a whole number of 512-byte blocks)");
        }
        // A directory's mtime changes with every entry added to it: set them last, deepest first.
        for (int i = dirTimes.size() - 1; i >= 0; i--) setTimes(dirTimes.get(i).dir(), dirTimes.get(i).mtime());
        return new Digest(java.util.HexFormat.of().formatHex(sha.digest()));
    }

    private void applyEntry(TarArchiveInputStream tar, TarArchiveEntry e, Set<Path> written, List<DirTime> dirTimes) throws IOException {
        List<String> name = EntryPath.components(e.getName());
        if (name.isEmpty()) { // "./": the root's own metadata
            if (e.isDirectory()) {
                setOwnerAndMode(root, e, false);
                dirTimes.add(new DirTime(root, e.getLastModifiedTime()));
            }
            return;
        }
        String base = name.getLast();
        Path parent = parent(name.subList(0, name.size() - 1));
        if (base.equals(OPAQUE)) {
            if (overlay) {
                if (!parent.equals(root)) OverlayMarkers.makeOpaque(parent);
                return;
            }
            parents.clear();
            try (Stream<Path> children = Files.list(parent)) {
                for (Path child : children.toList()) if (!written.contains(child)) Tree.delete(child);
            }
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            String hidden = base.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..") || hidden.contains("/")) throw new IOException("entry " + e.getName() + " is a malformed whiteout");
            parents.clear();
            Tree.delete(parent.resolve(hidden));
            if (overlay) OverlayMarkers.whiteout(parent.resolve(hidden));
            return;
        }
        Path target = parent.resolve(base);
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) { // before isFile(), which is true for these too
            LOG.log(System.Logger.Level.INFO, "layer entry {0}: skipping a device node or FIFO (containers get /dev from the runtime)", e.getName());
            return;
        }
        // Entries are created first and an existing one handled on EEXIST: in a fresh layer directory
        // nothing exists, and an lstat per entry would be wasted.
        if (e.isDirectory()) {
            try {
                Files.createDirectory(target);
            } catch (FileAlreadyExistsException present) {
                // A directory replacing a whiteout of this layer is new: nothing of the layers below shows in it.
                boolean replacesWhiteout = overlay && OverlayMarkers.isWhiteout(target);
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    replace(target);
                    Files.createDirectory(target);
                }
                if (replacesWhiteout) OverlayMarkers.makeOpaque(target);
            }
            setOwnerAndMode(target, e, false);
            dirTimes.add(new DirTime(target, e.getLastModifiedTime()));
        } else if (e.isLink()) { // hard link: its target must already be inside the root
            boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            List<String> linkName = EntryPath.components(e.getLinkName());
            if (linkName.isEmpty()) throw new IOException("entry " + e.getName() + " hard-links to the root");
            Path source = existing(root, linkName);
            if (source == null && overlay) {
                if (lowers == null) throw new LowerLinkException("hard link " + e.getName() + " -> " + e.getLinkName() + " names a file of a lower layer");
                copyFromLower(e, linkName, target, exists);
                written.add(target);
                return;
            }
            if (source == null) throw new NoSuchFileException("hard link " + e.getName() + " -> " + e.getLinkName() + ": target not in the layers");
            if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) throw new IOException("hard link " + e.getName() + " -> " + e.getLinkName() + " is to a directory");
            if (exists) {
                if (Files.isSameFile(source, target)) { written.add(target); return; }
                replace(target);
            }
            Files.createLink(target, source);
        } else if (e.isSymbolicLink()) {
            // The target is the container's business: it is resolved inside the container's root at run time.
            Path linkTarget = Path.of(e.getLinkName());
            try {
                Files.createSymbolicLink(target, linkTarget);
            } catch (FileAlreadyExistsException present) {
                replace(target);
                Files.createSymbolicLink(target, linkTarget);
            }
            setOwnerAndMode(target, e, true);
            setTimes(target, e.getLastModifiedTime());
        } else if (e.isFile()) {
            try (OutputStream out = createNew(target)) {
                // transferTo's 16 KiB would mean a write(2) and an inflate call per 16 KiB of a large file
                for (int n; (n = tar.read(copyBuffer)) > 0; ) out.write(copyBuffer, 0, n);
            }
            setOwnerAndMode(target, e, false);
            setTimes(target, e.getLastModifiedTime());
        } else {
            LOG.log(System.Logger.Level.INFO, "layer entry {0}: skipping unsupported tar entry type {1}", e.getName(), (char) e.getLinkFlag());
            return;
        }
        written.add(target);
    }

    /** The real directory of {@code components} inside the root, made as needed. */
    private Path parent(List<String> components) throws IOException {
        Path known = parents.get(components);
        if (known != null) return known;
        Path resolved = RootedPath.directory(root, components, this::makeParent);
        parents.put(List.copyOf(components), resolved);
        return resolved;
    }

    /** A new regular file at {@code target}, replacing whatever is there (never following a link there). */
    private OutputStream createNew(Path target) throws IOException {
        try {
            return Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException present) {
            replace(target);
            return Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** Deletes what an entry replaces (a directory with all it holds): resolutions through it are void. */
    private void replace(Path target) throws IOException {
        parents.clear();
        Tree.delete(target);
    }

    /** The entry {@code name} names inside {@code dir} (parents resolved inside it), or null when there is none. */
    private static Path existing(Path dir, List<String> name) throws IOException {
        Path parent;
        try {
            parent = RootedPath.directory(dir, name.subList(0, name.size() - 1), null);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException missing) {
            return null;
        }
        Path p = parent.resolve(name.getLast());
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
    }

    /**
     * A hard link across layers cannot be a link between two overlay layers: the file is copied from
     * the topmost lower layer that has it (a whiteout there means the target was deleted).
     */
    private void copyFromLower(TarArchiveEntry e, List<String> linkName, Path target, boolean exists) throws IOException {
        for (Path lower : lowers) {
            Path source = existing(lower, linkName);
            if (source == null) continue;
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) break;
            if (exists) replace(target);
            Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            byte[] capability = capabilityOf(source);
            chown(target, (Integer) Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            Files.setAttribute(target, "unix:mode", (Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777, LinkOption.NOFOLLOW_LINKS);
            // chown cleared the file capability the copy carried over: the lower layer's value, already for this map, goes back
            if (capability != null) {
                try {
                    dev.enviro.ffm.Files.lsetxattr(target, "security.capability", capability);
                } catch (dev.enviro.ffm.SyscallException refused) {
                    note("security.capability", "layer entry {0}: cannot set xattr security.capability ({1}): not applied", e.getName(), refused.getMessage());
                }
            }
            return;
        }
        throw new NoSuchFileException("hard link " + e.getName() + " -> " + e.getLinkName() + ": target not in the layers");
    }

    /** A file's capability xattr, or null when it has none (or it cannot be read). */
    private static byte[] capabilityOf(Path file) {
        try {
            return dev.enviro.ffm.Files.lgetxattr(file, "security.capability");
        } catch (dev.enviro.ffm.SyscallException none) {
            return null;
        }
    }

    /** Parents a layer did not list are made as a tar extractor would: root-owned 0755. */
    private void makeParent(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException ignored) {
            return;
        }
        chown(dir, idMap.hostUid(0), idMap.hostGid(0));
        Files.setAttribute(dir, "unix:mode", 0755);
    }

    private void setOwnerAndMode(Path p, TarArchiveEntry e, boolean symlink) throws IOException {
        chown(p, idMap.hostUid((int) e.getLongUserId()), idMap.hostGid((int) e.getLongGroupId()));
        // chmod after chown: chown clears the set-id bits. Linux has no modes on symbolic links.
        if (!symlink) Files.setAttribute(p, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
        // xattrs last: chown clears security.capability. None on links (user.* is refused there).
        if (!symlink) applyXattrs(p, e);
    }

    /** The reader of the layer being applied, with the raw xattrs of its current entry. */
    private TarWithXattrs tar;
    /** xattr names already reported as not applied in this layer (one log line each, not one per file). */
    private final Set<String> xattrNotes = new HashSet<>();

    /**
     * The entry's extended attributes (PAX {@code SCHILY.xattr.NAME}, as docker and tar write them):
     * {@code user.*} as they are; {@code security.capability} rewritten for the container's root
     * ({@link FileCapability}); others ({@code trusted.*}, {@code security.selinux}, ACLs) are the host's
     * business and are not applied. Values are the PAX records' bytes ({@link TarWithXattrs}). One that cannot be set (an unprivileged engine may not set file
     * capabilities; a file system without xattrs) is reported once per layer and skipped: the layer
     * still unpacks, as podman does.
     */
    private void applyXattrs(Path p, TarArchiveEntry e) throws IOException {
        for (java.util.Map.Entry<String, byte[]> x : tar.xattrs().entrySet()) {
            String name = x.getKey();
            boolean capability = name.equals("security.capability");
            if (!name.startsWith("user.") && !capability) {
                note(name, "layer entry {0}: xattr {1} is not applied (only user.* and security.capability are)", e.getName(), name);
                continue;
            }
            byte[] value = x.getValue();
            try {
                if (capability) {
                    // a container root the map does not name would make the capability the host root's: never
                    if (idMap.hostUid(0) < 0) {
                        note(name, "layer entry {0}: xattr {1} not applied: the id map has no container root", e.getName(), name);
                        continue;
                    }
                    value = FileCapability.forRoot(value, idMap.hostUid(0));
                }
                dev.enviro.ffm.Files.lsetxattr(p, name, value);
            } catch (IllegalArgumentException malformed) {
                throw new IOException("entry " + e.getName() + ": " + malformed.getMessage());
            } catch (dev.enviro.ffm.SyscallException refused) {
                note(name, "layer entry {0}: cannot set xattr {1} ({2}): not applied", e.getName(), name, refused.getMessage());
            }
        }
    }

    private void note(String name, String format, Object... args) {
        if (xattrNotes.add(name)) LOG.log(System.Logger.Level.WARNING, format, args);
    }

    private void chown(Path p, int uid, int gid) throws IOException {
        if (chownRefused || (uid < 0 && gid < 0)) return;
        try {
            dev.enviro.ffm.Files.lchown(p, uid, gid);
        } catch (dev.enviro.ffm.SyscallException ex) {
            if (privileged) throw new FileSystemException(p.toString(), null, ex.getMessage());
            chownRefused = true;
            LOG.log(System.Logger.Level.WARNING, "cannot chown in {0} as an unprivileged user ({1}): the files keep the engine''s own ids", root, ex.getMessage());
        }
    }

    private static void setTimes(Path p, FileTime mtime) throws IOException {
        if (mtime == null) return;
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, mtime, null);
    }
}
