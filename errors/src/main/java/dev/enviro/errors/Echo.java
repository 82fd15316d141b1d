package dev.enviro.errors;

/**
 * A value the user gave, as an error message repeats it: at most {@link #SHOWN} characters (a 3 MB
 * name must not come back as a 3 MB message, which gRPC's metadata limit would turn into a different
 * error), control characters and NULs made visible. Every message that echoes input uses it.
 */
public final class Echo {
    private Echo() {}

    public static final int SHOWN = 60;

    public static String of(String value) {
        if (value == null) return "null";
        String cut = value.length() > SHOWN ? value.substring(0, SHOWN) + "...(" + value.length() + " characters)" : value;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
