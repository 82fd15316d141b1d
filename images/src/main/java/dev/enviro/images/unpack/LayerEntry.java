package dev.enviro.images.unpack;

import java.util.List;

/**
 * One entry of a layer's tar once {@link LayerRules} checked it: what it makes and where. The
 * applier acts on it, and the check at load replays it into the image's model ({@link ImageModel}),
 * so both see an entry the same way.
 *
 * @param name   the entry's name as the tar has it (for messages)
 * @param parent the components of the directory it is in (not resolved: links are followed later)
 * @param base   the last component; for a whiteout, the name it hides
 * @param link   a hard link's target components; null otherwise
 * @param target a symbolic link's target, a hard link's target as the tar names it; null otherwise
 * @param major  a device's major number (0 otherwise)
 * @param minor  a device's minor number (0 otherwise)
 */
public record LayerEntry(Kind kind, String name, List<String> parent, String base, List<String> link, String target, int major, int minor) {

    public enum Kind {
        /** {@code ./}: the root's own metadata. */
        ROOT,
        /** {@code .wh..wh..opq}: what the layers below put in {@link #parent} is gone. */
        OPAQUE,
        /** {@code .wh.NAME}, or a character device 0/0 NAME (overlay's form): NAME ({@link #base}) of the layers below is gone. */
        WHITEOUT,
        DIRECTORY, FILE, HARDLINK, SYMLINK, FIFO, CHARACTER_DEVICE, BLOCK_DEVICE
    }

    /** {@link #parent} and {@link #base}: the path the entry makes. */
    public List<String> path() {
        List<String> p = new java.util.ArrayList<>(parent);
        p.add(base);
        return p;
    }
}
