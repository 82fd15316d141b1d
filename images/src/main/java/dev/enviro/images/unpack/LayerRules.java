package dev.enviro.images.unpack;

import static dev.enviro.images.unpack.UnsafeEntryException.quote;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The checks every entry of a layer passes, whether it is being unpacked ({@link LayerApplier}) or
 * checked at load ({@link LayerScan}): one implementation, so that what load accepts unpacks. An entry
 * comes out as a {@link LayerEntry}; a refusal is an {@link UnsafeEntryException} when the entry
 * reaches out of the root, an IOException when it is broken or cannot be made here. One instance per
 * layer: it also counts the file data the layer declares.
 */
final class LayerRules {
    /**
     * The most file data one layer may declare (sizes as the headers give them, a sparse file's whole
     * length): far beyond any real layer, yet a 10 KB layer cannot promise the disk a petabyte of
     * sparse files or a zstd bomb keep the engine decompressing zeros for days.
     */
    static final long MAX_LAYER_BYTES = 1L << 40;
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    /** Whether device nodes other than 0/0 may be made ({@link SpecialFiles#devicesCreatable}). */
    private final boolean devices;
    private long declared;

    LayerRules(boolean devices) {
        this.devices = devices;
    }

    LayerEntry check(TarArchiveEntry e, Map<String, byte[]> xattrs) throws IOException {
        String name = e.getName();
        List<String> path = components(name, name, "");
        count(e);
        if (path.isEmpty()) {
            if (!e.isDirectory()) throw new IOException("entry " + quote(name) + " names the layer root but is not a directory");
            return checkXattrs(entry(LayerEntry.Kind.ROOT, e, path, null), xattrs);
        }
        String base = path.getLast();
        List<String> parent = List.copyOf(path.subList(0, path.size() - 1));
        if (base.equals(OPAQUE)) return new LayerEntry(LayerEntry.Kind.OPAQUE, name, parent, base, null, null, 0, 0);
        if (base.startsWith(WHITEOUT)) {
            String hidden = base.substring(WHITEOUT.length());
            if (hidden.equals(".") || hidden.equals("..")) throw new UnsafeEntryException("entry " + quote(name) + " is a whiteout that escapes its directory");
            if (hidden.isEmpty()) throw new IOException("entry " + quote(name) + " is a malformed whiteout (of no name)");
            return new LayerEntry(LayerEntry.Kind.WHITEOUT, name, parent, hidden, null, null, 0, 0);
        }
        if (e.isDirectory()) return checkXattrs(entry(LayerEntry.Kind.DIRECTORY, e, path, null), xattrs);
        if (e.isLink()) {
            List<String> link = components(e.getLinkName(), name, "hard-links to " + quote(e.getLinkName()) + ", ");
            if (link.isEmpty()) throw new IOException("entry " + quote(name) + " hard-links to the layer root");
            return new LayerEntry(LayerEntry.Kind.HARDLINK, name, parent, base, List.copyOf(link), e.getLinkName(), 0, 0);
        }
        if (e.isSymbolicLink()) {
            // The target is the container's business (resolved in its root at run time), but it must be a path.
            String target = e.getLinkName();
            if (target.isEmpty() || target.indexOf('\0') >= 0) throw new IOException("entry " + quote(name) + " is a symbolic link to no valid path");
            return new LayerEntry(LayerEntry.Kind.SYMLINK, name, parent, base, null, target, 0, 0);
        }
        if (e.isCharacterDevice() || e.isBlockDevice()) return checkXattrs(device(e, path), xattrs);
        if (e.isFIFO()) return checkXattrs(entry(LayerEntry.Kind.FIFO, e, path, null), xattrs);
        if (isRegular(e)) {
            if (e.isSparse()) checkSparseMap(e);
            return checkXattrs(entry(LayerEntry.Kind.FILE, e, path, null), xattrs);
        }
        throw new IOException("entry " + quote(name) + " has tar type '" + printable(e.getLinkFlag()) + "', which a layer cannot hold");
    }

    /** The components of {@code path}: refused when absolute, climbing or holding NUL. */
    private static List<String> components(String path, String entry, String what) throws UnsafeEntryException {
        EntryPath.Problem problem = EntryPath.problem(path);
        if (problem == null) return EntryPath.components(path);
        String reason = what.isEmpty() ? problem.reason : switch (problem) {
            case NUL -> "which contains NUL";
            case ABSOLUTE -> "an absolute path";
            case CLIMBS -> "which escapes the layer root";
        };
        throw new UnsafeEntryException("entry " + quote(entry) + " " + what + reason);
    }

    /** Counts the entry's declared size against {@link #MAX_LAYER_BYTES}. */
    private void count(TarArchiveEntry e) throws IOException {
        long size = Math.max(e.getSize(), e.getRealSize());
        if (e.getSize() < 0 || e.getRealSize() < 0) throw new IOException("entry " + quote(e.getName()) + " has a negative size");
        declared += size;
        if (declared < 0 || declared > MAX_LAYER_BYTES) {
            throw new IOException("entry " + quote(e.getName()) + " (" + size + " bytes) takes the layer's files past " + (MAX_LAYER_BYTES >> 30)
                    + " GiB, more than any image needs: the layer is broken or made to fill the disk");
        }
    }

    /** A sparse file's map may not promise more data than the archive holds for it (the reader would run into the next header). */
    private static void checkSparseMap(TarArchiveEntry e) throws IOException {
        long data = 0;
        for (TarArchiveStructSparse s : e.getOrderedSparseHeaders()) {
            if (s.getOffset() < 0 || s.getNumbytes() < 0) throw new IOException("entry " + quote(e.getName()) + " has a sparse map with negative numbers");
            data += s.getNumbytes();
        }
        if (data > e.getSize()) throw new IOException("entry " + quote(e.getName()) + " has a sparse map of " + data + " bytes of data, more than its " + e.getSize());
    }

    private LayerEntry device(TarArchiveEntry e, List<String> path) throws IOException {
        boolean character = e.isCharacterDevice();
        int major = e.getDevMajor(), minor = e.getDevMinor();
        if (major < 0 || minor < 0) throw new IOException("entry " + quote(e.getName()) + " is a device with a negative number");
        List<String> parent = List.copyOf(path.subList(0, path.size() - 1));
        // A character device 0/0 is overlay's whiteout (a layer taken from an overlay upper directory
        // as it is): a whiteout of its own name, so that both forms and the check read it alike.
        if (character && major == 0 && minor == 0) return new LayerEntry(LayerEntry.Kind.WHITEOUT, e.getName(), parent, path.getLast(), null, null, 0, 0);
        LayerEntry d = new LayerEntry(character ? LayerEntry.Kind.CHARACTER_DEVICE : LayerEntry.Kind.BLOCK_DEVICE, e.getName(),
                parent, path.getLast(), null, null, major, minor);
        if (!devices) {
            throw new IOException("entry " + quote(e.getName()) + " is " + (character ? "character" : "block") + " device " + major + ":" + minor
                    + ", which this engine may not create (mknod needs root): remove it from the image (containers get /dev from the runtime) or use an engine running as root");
        }
        return d;
    }

    private static LayerEntry entry(LayerEntry.Kind kind, TarArchiveEntry e, List<String> path, String target) {
        List<String> parent = path.isEmpty() ? List.of() : List.copyOf(path.subList(0, path.size() - 1));
        return new LayerEntry(kind, e.getName(), parent, path.isEmpty() ? "" : path.getLast(), null, target, 0, 0);
    }

    /** A file capability the applier would have to refuse is refused here (other xattrs are applied or skipped, never fatal). */
    private static LayerEntry checkXattrs(LayerEntry entry, Map<String, byte[]> xattrs) throws IOException {
        byte[] capability = xattrs.get("security.capability");
        if (capability != null) {
            try {
                FileCapability.forRoot(capability, 0);
            } catch (IllegalArgumentException malformed) {
                throw new IOException("entry " + quote(entry.name()) + ": " + malformed.getMessage());
            }
        }
        return entry;
    }

    // The refusals that depend on the tree an entry lands in: worded once, for the applier and the model alike.

    static UnsafeEntryException escaped(String entry, RootedPath.EscapeException e) {
        return new UnsafeEntryException("entry " + quote(entry) + (e.loop() ? " cannot be resolved: " : " escapes the layer root: ") + e.getMessage());
    }

    static IOException notUnderDirectory(String entry, java.nio.file.NotDirectoryException e) {
        return new IOException("entry " + quote(entry) + " is under " + e.getFile() + ", which is not a directory", e);
    }

    static UnsafeEntryException linkEscapes(String entry, String link, RootedPath.EscapeException e) {
        return new UnsafeEntryException("entry " + quote(entry) + " hard-links to " + quote(link) + ", which escapes the layer root: " + e.getMessage());
    }

    static java.nio.file.NoSuchFileException linkMissing(String entry, String link) {
        return new java.nio.file.NoSuchFileException("entry " + quote(entry) + " hard-links to " + quote(link) + ", which is not in the layers");
    }

    static IOException linkIntoItself(String entry, String link) {
        return new IOException("entry " + quote(entry) + " hard-links to " + quote(link) + ", inside what the entry replaces");
    }

    static IOException linkToDirectory(String entry, String link) {
        return new IOException("entry " + quote(entry) + " hard-links to " + quote(link) + ", a directory");
    }

    /** The tar types of a regular file: '0', the old NUL, contiguous '7', GNU sparse 'S'. */
    private static boolean isRegular(TarArchiveEntry e) {
        byte t = e.getLinkFlag();
        return t == TarConstants.LF_NORMAL || t == TarConstants.LF_OLDNORM || t == TarConstants.LF_CONTIG || t == TarConstants.LF_GNUTYPE_SPARSE;
    }

    private static String printable(byte flag) {
        return flag >= 0x20 && flag < 0x7f ? String.valueOf((char) flag) : String.format("\\x%02x", flag & 0xff);
    }
}
