package dev.enviro.images.unpack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * How an unpacked layer tells overlayfs what it deletes, in the form one overlay mount with
 * {@code userxattr} reads whether the engine is root or not:
 *
 * <ul>
 *   <li>a whiteout is a character device 0/0, which Linux (≥ 5.8) lets an unprivileged user create;
 *   <li>an opaque directory carries {@code user.overlay.opaque=y}.
 * </ul>
 *
 * The kernel (≥ 6.7) also reads whiteouts made as empty files with {@code user.overlay.whiteout}
 * (the parent marked {@code user.overlay.opaque=x}), but on 6.18 a directory holding such a lower
 * whiteout cannot be removed from the container (rmdir says ENOTEMPTY once it looks empty), so the
 * device form is the one used.
 */
public final class OverlayMarkers {
    private static final String OPAQUE_XATTR = "overlay.opaque"; // the view adds "user."
    private static final int S_IFCHR = SpecialFiles.S_IFCHR;

    private OverlayMarkers() {}

    /** Creates a whiteout at {@code path}, which must not exist. */
    public static void whiteout(Path path) throws IOException {
        try {
            SpecialFiles.mknod(path, S_IFCHR, 0, 0, 0);
        } catch (dev.enviro.ffm.SyscallException e) {
            throw new IOException("cannot create the whiteout " + path + " (mknod 0/0): " + e.getMessage(), e);
        }
    }

    /** Whether {@code path} is a whiteout (a 0/0 character device): one lstat. */
    public static boolean isWhiteout(Path path) throws IOException {
        java.util.Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException missing) {
            return false;
        }
        return ((Integer) a.get("mode") & 0170000) == S_IFCHR && (Long) a.get("rdev") == 0;
    }

    /** Marks {@code dir} opaque: overlay shows none of the lower layers' entries under it. */
    public static void makeOpaque(Path dir) throws IOException {
        view(dir).write(OPAQUE_XATTR, ByteBuffer.wrap(new byte[] {'y'}));
    }

    public static boolean isOpaque(Path dir) throws IOException {
        UserDefinedFileAttributeView v = view(dir);
        if (!v.list().contains(OPAQUE_XATTR)) return false;
        ByteBuffer b = ByteBuffer.allocate(8);
        v.read(OPAQUE_XATTR, b);
        return b.position() == 1 && b.get(0) == 'y';
    }

    private static UserDefinedFileAttributeView view(Path dir) {
        return Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }
}
