package dev.enviro.images.unpack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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
    private static final int AT_FDCWD = -100;
    private static final int S_IFCHR = 0020000;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKNODAT;

    static {
        Linker linker = Linker.nativeLinker();
        MKNODAT = linker.downcallHandle(linker.defaultLookup().find("mknodat").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
    }

    private OverlayMarkers() {}

    /** Creates a whiteout at {@code path}, which must not exist. */
    public static void whiteout(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MKNODAT.invokeExact(state, AT_FDCWD, arena.allocateFrom(path.toString()), S_IFCHR, 0L);
            if (rc < 0) throw new IOException("cannot create the whiteout " + path + " (mknod 0/0): errno " + (int) ERRNO.get(state, 0L));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("mknodat downcall failed to invoke", t);
        }
    }

    /** Whether {@code path} is a whiteout (a 0/0 character device). */
    public static boolean isWhiteout(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return false;
        if (!(Boolean) Files.getAttribute(path, "unix:isOther", LinkOption.NOFOLLOW_LINKS)) return false;
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(path, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == S_IFCHR && rdev == 0;
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
