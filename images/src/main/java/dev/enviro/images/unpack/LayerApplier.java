package dev.enviro.images.unpack;

import static dev.enviro.images.unpack.UnsafeEntryException.quote;

import dev.enviro.ffm.Errno;
import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.SyscallException;
import dev.enviro.images.content.Digest;
import dev.enviro.images.content.Tree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

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
 *       ({@link OverlayMarkers}). Where the layer reaches into the layers below (a hard link to their
 *       file, a path under a directory or link only they hold) they are looked at through
 *       {@link LayerUnion} when {@code lowers} are given; else {@link LowerLayersNeeded} says the layer
 *       needs them.
 * </ul>
 *
 * <p>Each entry is checked by {@link LayerRules} first (the check at load runs the same rules), and
 * nothing is ever written outside the root: parent directories are resolved by {@link RootedPath},
 * which follows symbolic links only inside the root, in both forms alike: a later layer's {@code a/b}
 * under an earlier layer's link {@code a} lands where the link leads. The last component of a name is
 * never followed: an existing entry there is replaced.
 *
 * <p>Ownership is shifted through the id map: container uid {@code u} becomes {@code idMap.hostUid(u)}.
 * An id outside the map keeps the engine's own id (the file shows as {@code nobody} in the
 * container), and so does every id when an unprivileged engine may not chown (EPERM): a rootless
 * engine with a one-id map owns every file anyway. FIFOs are made as they are; device nodes too, where
 * the engine may (root: the load-time check refuses them elsewhere); a container cannot open them
 * (its root filesystem is mounted nodev) and gets {@code /dev} from the runtime. Files keep their
 * holes ({@link EntryData}).
 */
public final class LayerApplier {
    private static final System.Logger LOG = System.getLogger(LayerApplier.class.getName());

    private final Path root;
    private final IdMap idMap;
    private final boolean privileged;
    /** Overlay lower layer form: whiteouts become markers instead of deletions. */
    private final boolean overlay;
    /** Overlay form: this layer over the layers below; null when flattened. */
    private final LayerUnion union;
    /** What paths are resolved in: the union (overlay) or the root on disk (flattened). */
    private final RootedPath.Tree tree;
    /** {@link #tree} for the parents of entries: in an overlay layer, a directory of the layers below is made in this one on the way. */
    private final RootedPath.Tree parentTree;
    private boolean chownRefused;
    /**
     * Parent directories already resolved in this layer, by their components in the entry names: a tar
     * lists a directory's entries together, so most entries skip {@link RootedPath}'s lstat per component.
     * Emptied whenever an entry deletes or replaces something, which is the only way a resolution can change.
     */
    private final java.util.Map<List<String>, Path> parents = new java.util.HashMap<>();
    /**
     * Overlay form: where the resolutions in {@link #parents} followed a symbolic link of a layer below.
     * An entry of this layer at such a name shadows the link without replacing anything on disk, and
     * changes where those resolutions lead: it empties {@link #parents} as a replacement does.
     */
    private final Set<Path> followedLowerLinks = new HashSet<>();
    /** What this layer made so far (its entries, and the parents it made for them), flattened form's opaque directories keep. */
    private final Set<Path> written = new HashSet<>();
    /** Directories whose times are set once the layer is applied (every entry added changes them). */
    private final List<DirTime> dirTimes = new ArrayList<>();
    /** One per applier (an applier unpacks one layer on one thread). */
    private final byte[] copyBuffer = new byte[256 * 1024];
    private final EntryData data = new EntryData(copyBuffer);

    /** Applies layers flattened into {@code root}. */
    public LayerApplier(Path root, IdMap idMap) throws IOException {
        this(root, idMap, false, null);
    }

    private LayerApplier(Path root, IdMap idMap, boolean overlay, List<Path> lowers) throws IOException {
        this.root = root;
        this.idMap = idMap;
        this.overlay = overlay;
        this.union = overlay ? new LayerUnion(root, lowers == null ? null : List.copyOf(lowers)) : null;
        this.tree = overlay ? union : RootedPath.disk(root);
        this.parentTree = overlay ? this::lookupCopyingUp : tree;
        this.privileged = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    /**
     * Applies one layer into {@code root} as an overlay lower layer. {@code lowers}: the directories of
     * the layers below, top first (empty for a base layer), or null when they are not unpacked yet.
     */
    public static LayerApplier overlayLayer(Path root, IdMap idMap, List<Path> lowers) throws IOException {
        return new LayerApplier(root, idMap, true, lowers);
    }

    /**
     * The layer reaches into the layers below it (a hard link to their file, an entry under a directory
     * or symbolic link the layer does not hold), and they were not given: unpack it again with them.
     */
    public static final class LowerLayersNeeded extends IOException {
        LowerLayersNeeded(String message) { super(message); }
    }

    private record DirTime(Path dir, FileTime mtime) {}

    /**
     * Applies one layer's uncompressed tar stream and returns its diff id (the sha256 of the tar),
     * for the caller to check against the image config.
     */
    public Digest apply(InputStream layerTar) throws IOException {
        LayerReader reader = new LayerReader(layerTar, new LayerRules(true)); // a device this engine may not make fails at mknod
        this.tar = reader.tar();
        written.clear();
        dirTimes.clear();
        for (LayerEntry e; (e = reader.next()) != null; ) {
            applyEntry(reader.current(), e);
        }
        Digest diffId = reader.finish();
        // A directory's mtime changes with every entry added to it: set them last, deepest first. A directory
        // listed twice takes its last entry's time; one a later entry replaced or deleted takes none.
        Set<Path> timed = new HashSet<>();
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            DirTime t = dirTimes.get(i);
            if (timed.add(t.dir()) && Files.isDirectory(t.dir(), LinkOption.NOFOLLOW_LINKS)) setTimes(t.dir(), t.mtime());
        }
        return diffId;
    }

    private void applyEntry(TarArchiveEntry e, LayerEntry entry) throws IOException {
        if (entry.kind() == LayerEntry.Kind.ROOT) {
            setOwnerAndMode(root, e, false);
            dirTimes.add(new DirTime(root, e.getLastModifiedTime()));
            return;
        }
        Path parent = parent(entry.parent(), entry.name());
        Path target = parent.resolve(entry.base());
        if (!followedLowerLinks.isEmpty() && followedLowerLinks.contains(target)) forgetResolutions();
        switch (entry.kind()) {
            case OPAQUE -> {
                // At the root it hides nothing: overlayfs merges the layers' roots whatever they say, and the
                // flattened form shows what overlay would.
                if (parent.equals(root)) return;
                if (overlay) {
                    OverlayMarkers.makeOpaque(parent);
                    return;
                }
                forgetResolutions();
                pruneLower(parent);
                return;
            }
            case WHITEOUT -> {
                forgetResolutions();
                Tree.delete(target);
                if (overlay) OverlayMarkers.whiteout(target);
                return;
            }
            case DIRECTORY -> directory(e, target);
            case HARDLINK -> hardLink(e, entry, target);
            case SYMLINK -> {
                // The target is the container's business: it is resolved inside the container's root at run time.
                Path linkTarget = Path.of(entry.target());
                try {
                    Files.createSymbolicLink(target, linkTarget);
                } catch (FileAlreadyExistsException present) {
                    replace(target);
                    Files.createSymbolicLink(target, linkTarget);
                }
                setOwnerAndMode(target, e, true);
                setTimes(target, e.getLastModifiedTime());
            }
            case FILE -> {
                try (FileChannel out = createNew(target)) {
                    data.copy(tar, e, out);
                }
                setOwnerAndMode(target, e, false);
                setTimes(target, e.getLastModifiedTime());
            }
            case FIFO, CHARACTER_DEVICE, BLOCK_DEVICE -> {
                special(entry, target);
                setOwnerAndMode(target, e, false);
                setTimes(target, e.getLastModifiedTime());
            }
            case ROOT -> throw new AssertionError("handled above");
        }
        written.add(target);
    }

    /**
     * An opaque directory, flattened: what the layers below put under {@code dir} goes, what this layer
     * made stays (an overlay layer's opaque directory shows just that); true when anything stays.
     */
    private boolean pruneLower(Path dir) throws IOException {
        boolean kept = false;
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.toList();
        }
        for (Path child : children) {
            boolean keep = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) ? pruneLower(child) | written.contains(child) : written.contains(child);
            if (keep) kept = true;
            else Tree.delete(child);
        }
        return kept;
    }

    // Entries are created first and an existing one handled on EEXIST: in a fresh layer directory
    // nothing exists, and an lstat per entry would be wasted.
    private void directory(TarArchiveEntry e, Path target) throws IOException {
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
    }

    /** A hard link: to a file of this layer (or of the flattened root), or a copy of a lower layer's file. */
    private void hardLink(TarArchiveEntry e, LayerEntry entry, Path target) throws IOException {
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        List<String> link = entry.link();
        Path source;
        Path layer;
        try {
            List<String> dir = RootedPath.resolve(tree, link.subList(0, link.size() - 1), null);
            RootedPath.Node node;
            if (overlay) {
                LayerUnion.Located at = union.locate(dir, link.getLast());
                layer = at == null ? null : at.layer();
                node = at == null ? RootedPath.Node.MISSING : at.node();
            } else {
                layer = root;
                node = tree.lookup(dir, link.getLast());
            }
            source = node.kind() == RootedPath.Kind.MISSING ? null : RootedPath.join(layer, dir).resolve(link.getLast());
            if (node.kind() == RootedPath.Kind.DIRECTORY) throw LayerRules.linkToDirectory(entry.name(), entry.target());
        } catch (NoSuchFileException | NotDirectoryException missing) {
            source = null;
            layer = null;
        } catch (RootedPath.EscapeException escape) {
            throw LayerRules.linkEscapes(entry.name(), entry.target(), escape);
        }
        if (source == null) throw LayerRules.linkMissing(entry.name(), entry.target());
        Path named = root.resolve(layer.relativize(source)); // where the source shows in the union
        if (named.equals(target)) return; // a link to itself: nothing changes
        if (named.startsWith(target)) throw LayerRules.linkIntoItself(entry.name(), entry.target());
        if (!layer.equals(root)) {
            copyFromLower(e, source, target, exists);
            return;
        }
        if (exists) {
            if (sameInode(source, target)) return;
            replace(target);
        }
        Files.createLink(target, source);
    }

    /** Whether two names are one inode, links not followed (NIO's isSameFile follows them). */
    private static boolean sameInode(Path a, Path b) throws IOException {
        java.util.Map<String, Object> x = Files.readAttributes(a, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        java.util.Map<String, Object> y = Files.readAttributes(b, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        return x.equals(y);
    }

    /** A FIFO or device node; one the engine may not make is refused with the reason. */
    private void special(LayerEntry entry, Path target) throws IOException {
        int type = switch (entry.kind()) {
            case FIFO -> SpecialFiles.S_IFIFO;
            case CHARACTER_DEVICE -> SpecialFiles.S_IFCHR;
            default -> SpecialFiles.S_IFBLK;
        };
        try {
            try {
                SpecialFiles.mknod(target, type, 0600, entry.major(), entry.minor());
            } catch (SyscallException ex) {
                if (ex.errno() != Errno.EEXIST) throw ex;
                replace(target);
                SpecialFiles.mknod(target, type, 0600, entry.major(), entry.minor());
            }
        } catch (SyscallException ex) {
            String what = entry.kind() == LayerEntry.Kind.FIFO ? "a FIFO" : (entry.kind() == LayerEntry.Kind.CHARACTER_DEVICE ? "character" : "block")
                    + " device " + entry.major() + ":" + entry.minor();
            throw new IOException("entry " + quote(entry.name()) + " is " + what + ", which this engine cannot create (" + ex.getMessage() + ")", ex);
        }
    }

    /** The real directory of {@code components} inside the root, made as needed. */
    private Path parent(List<String> components, String entryName) throws IOException {
        Path known = parents.get(components);
        if (known != null) return known;
        Path resolved;
        try {
            resolved = RootedPath.join(root, RootedPath.resolve(parentTree, components, this::makeParent));
        } catch (RootedPath.EscapeException escape) {
            throw LayerRules.escaped(entryName, escape);
        } catch (NotDirectoryException notDirectory) {
            throw LayerRules.notUnderDirectory(entryName, notDirectory);
        }
        parents.put(List.copyOf(components), resolved);
        return resolved;
    }

    /**
     * The union's entry, as {@link LayerUnion#lookup}; a directory only the layers below have is made in
     * this layer first (with their owner and mode): the entry about to be written goes into it.
     */
    private RootedPath.Node lookupCopyingUp(List<String> dir, String name) throws IOException {
        LayerUnion.Located at = union.locate(dir, name);
        if (at == null) return RootedPath.Node.MISSING;
        if (at.node().kind() == RootedPath.Kind.SYMLINK && !at.layer().equals(root)) {
            followedLowerLinks.add(RootedPath.join(root, dir).resolve(name));
        }
        if (at.node().kind() == RootedPath.Kind.DIRECTORY && !at.layer().equals(root)) {
            List<String> path = new ArrayList<>(dir);
            path.add(name);
            makeParent(path);
        }
        return at.node();
    }

    /** A new regular file at {@code target}, replacing whatever is there (never following a link there). */
    private FileChannel createNew(Path target) throws IOException {
        try {
            return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException present) {
            replace(target);
            return FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** Deletes what an entry replaces (a directory with all it holds): resolutions through it are void. */
    private void replace(Path target) throws IOException {
        forgetResolutions();
        Tree.delete(target);
    }

    private void forgetResolutions() {
        parents.clear();
        followedLowerLinks.clear();
    }

    /**
     * A hard link across layers cannot be a link between two overlay layers: what the topmost lower layer
     * shows there is copied, owner, mode, times, user xattrs and capability kept. Not with NIO's copy: it
     * writes a sparse file's holes out as zeros and opens a FIFO (blocking) or a device to read it.
     */
    private void copyFromLower(TarArchiveEntry e, Path source, Path target, boolean exists) throws IOException {
        if (exists) replace(target);
        java.util.Map<String, Object> a = Files.readAttributes(source, "unix:mode,rdev,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        if (type == 0120000) { // a symbolic link: the same target
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            chown(target, (Integer) a.get("uid"), (Integer) a.get("gid"));
            setTimes(target, (FileTime) a.get("lastModifiedTime"));
            return;
        }
        if (type == 0100000) {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS); FileChannel out = createNew(target)) {
                data.copy(java.nio.channels.Channels.newInputStream(in), e.getName(), (Long) a.get("size"), out);
            }
            copyUserXattrs(e, source, target);
        } else {
            long rdev = (Long) a.get("rdev");
            try {
                SpecialFiles.mknod(target, type, mode, SpecialFiles.major(rdev), SpecialFiles.minor(rdev));
            } catch (SyscallException ex) {
                throw new IOException("entry " + quote(e.getName()) + ": cannot copy " + source + " from the layer below (" + ex.getMessage() + ")", ex);
            }
        }
        byte[] capability = type == 0100000 ? capabilityOf(source) : null;
        chown(target, (Integer) a.get("uid"), (Integer) a.get("gid"));
        chmod(target, mode);
        // chown cleared the file capability: the lower layer's value, already for this map, goes back
        if (capability != null) {
            try {
                dev.enviro.ffm.Files.lsetxattr(target, "security.capability", capability);
            } catch (SyscallException refused) {
                note("security.capability", "layer entry {0}: cannot set xattr security.capability ({1}): not applied", e.getName(), refused.getMessage());
            }
        }
        setTimes(target, (FileTime) a.get("lastModifiedTime"));
    }

    /** The {@code user.*} xattrs of a regular file (NIO's view opens it: regular files only). */
    private void copyUserXattrs(TarArchiveEntry e, Path source, Path target) throws IOException {
        var from = Files.getFileAttributeView(source, java.nio.file.attribute.UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        var to = Files.getFileAttributeView(target, java.nio.file.attribute.UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        for (String name : from.list()) {
            java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(from.size(name));
            from.read(name, value);
            value.flip();
            try {
                to.write(name, value);
            } catch (IOException refused) {
                note("user." + name, "layer entry {0}: cannot set xattr user.{1} ({2}): not applied", e.getName(), name, refused.getMessage());
            }
        }
    }

    /** A file's capability xattr, or null when it has none (or it cannot be read). */
    private static byte[] capabilityOf(Path file) {
        try {
            return dev.enviro.ffm.Files.lgetxattr(file, "security.capability");
        } catch (SyscallException none) {
            return null;
        }
    }

    /**
     * Parents a layer did not list are made as a tar extractor would: root-owned 0755; in an overlay
     * layer, a directory the layers below have keeps their owner, mode and time (the upper directory's
     * are the ones the container sees), and one made where this layer put a whiteout is opaque.
     */
    private void makeParent(List<String> components) throws IOException {
        Path dir = RootedPath.join(root, components);
        boolean overWhiteout = overlay && OverlayMarkers.isWhiteout(dir);
        if (overWhiteout) replace(dir);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException ignored) {
            return;
        }
        written.add(dir);
        Path lower = overlay && !overWhiteout ? union.lowerDirectory(components) : null;
        if (lower != null) {
            chown(dir, (Integer) Files.getAttribute(lower, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(lower, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            chmod(dir, (Integer) Files.getAttribute(lower, "unix:mode", LinkOption.NOFOLLOW_LINKS));
            dirTimes.add(new DirTime(dir, Files.getLastModifiedTime(lower, LinkOption.NOFOLLOW_LINKS)));
            return;
        }
        chown(dir, idMap.hostUid(0), idMap.hostGid(0));
        Files.setAttribute(dir, "unix:mode", 0755);
        if (overWhiteout) OverlayMarkers.makeOpaque(dir);
    }

    private void setOwnerAndMode(Path p, TarArchiveEntry e, boolean symlink) throws IOException {
        chown(p, idMap.hostUid((int) e.getLongUserId()), idMap.hostGid((int) e.getLongGroupId()));
        // chmod after chown: chown clears the set-id bits. Linux has no modes on symbolic links.
        if (!symlink) chmod(p, e.getMode());
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
     * capabilities; a file system without xattrs; {@code user.*} on a FIFO) is reported once per layer
     * and skipped: the layer still unpacks, as podman does. A malformed capability was refused by {@link LayerRules}.
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
                throw new IOException("entry " + quote(e.getName()) + ": " + malformed.getMessage());
            } catch (SyscallException refused) {
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
        } catch (SyscallException ex) {
            if (privileged) throw new FileSystemException(p.toString(), null, ex.getMessage());
            chownRefused = true;
            LOG.log(System.Logger.Level.WARNING, "cannot chown in {0} as an unprivileged user ({1}): the files keep the engine''s own ids", root, ex.getMessage());
        }
    }

    /** Access and modification time, by path: NIO would open the file (a FIFO, a device). */
    private static void setTimes(Path p, FileTime mtime) throws IOException {
        if (mtime == null) return;
        SpecialFiles.setTimes(p, mtime);
    }

    /**
     * chmod by path: NIO's no-follow form opens the file (a FIFO would block, a device open). {@code p}
     * was just made by this applier and is no symbolic link, so following cannot lead anywhere else.
     */
    private static void chmod(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode & 07777);
    }
}
