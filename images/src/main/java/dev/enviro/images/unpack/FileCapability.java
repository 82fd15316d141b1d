package dev.enviro.images.unpack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A file's capabilities ({@code security.capability}, the kernel's {@code struct vfs_cap_data}) as a
 * layer carries them, rewritten for the user namespace its containers run in.
 *
 * <p>Revision 2 (20 bytes) grants its capabilities to whoever is root of the initial user namespace;
 * revision 3 (24 bytes) adds the host uid of the root it is meant for ("rootid"): the kernel honours it
 * in a user namespace whose root maps to that uid, and nowhere else. A layer's file was made for the
 * container's root, so a shifted engine writes revision 3 with {@code rootid = idMap.hostUid(0)}; on the
 * host the file then grants nothing (as podman and the kernel itself do when a namespaced root sets it).
 */
final class FileCapability {
    private static final int REVISION_MASK = 0xFF000000;
    private static final int REVISION_2 = 0x02000000;
    private static final int REVISION_3 = 0x03000000;
    private static final int SIZE_2 = 20;
    private static final int SIZE_3 = 24;

    private FileCapability() {}

    /**
     * {@code value} for a container whose root is host uid {@code rootUid}: revision 2 or 3 in, revision
     * 3 out (revision 2 unchanged when {@code rootUid} is 0). Throws on anything else.
     */
    static byte[] forRoot(byte[] value, int rootUid) {
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int magic = value.length >= 4 ? in.getInt(0) : 0;
        int revision = magic & REVISION_MASK;
        if (!((revision == REVISION_2 && value.length == SIZE_2) || (revision == REVISION_3 && value.length == SIZE_3))) {
            throw new IllegalArgumentException("security.capability of " + value.length + " bytes, revision 0x"
                    + Integer.toHexString(revision >>> 24) + ": not a file capability this kernel reads");
        }
        if (rootUid == 0 && revision == REVISION_2) return value.clone();
        ByteBuffer out = ByteBuffer.allocate(SIZE_3).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt((magic & ~REVISION_MASK) | REVISION_3);
        out.put(value, 4, 16); // permitted and inheritable, low and high words
        out.putInt(rootUid);
        return out.array();
    }

    /** The rootid of a revision 3 value; 0 for revision 2. */
    static int rootId(byte[] value) {
        return value.length == SIZE_3 ? ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt(20) : 0;
    }
}
