package dev.enviro.images.unpack;

import java.io.IOException;

/**
 * A layer entry that would reach outside the directory the layer is applied to (a climbing or
 * absolute name, a hard link or whiteout out of the root, a path through a symbolic link that climbs
 * above it): no part of such an image is unpacked. Other refusals of a layer (a truncated tar, a hard
 * link to nothing) are plain IOExceptions: broken, not hostile.
 */
public class UnsafeEntryException extends IOException {
    /** Entry names are quoted at most this long: a refusal stays one readable line. */
    private static final int QUOTE_LIMIT = 200;

    public UnsafeEntryException(String message) {
        super(message);
    }

    /**
     * {@code name} in single quotes for a message: control characters escaped (a name may hold a
     * newline), and cut short when it is long.
     */
    public static String quote(String name) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < name.length() && b.length() <= QUOTE_LIMIT; i++) {
            char c = name.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\t') b.append("\\t");
            else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        if (b.length() > QUOTE_LIMIT) {
            b.setLength(QUOTE_LIMIT);
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
