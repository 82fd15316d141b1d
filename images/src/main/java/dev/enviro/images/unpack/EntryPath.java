package dev.enviro.images.unpack;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of a tar member, checked before anything is written: relative, no {@code ..}
 * component, no NUL. {@code ./a//b/} becomes {@code [a, b]}; the root itself is the empty list.
 */
public final class EntryPath {
    private EntryPath() {}

    /** The components of {@code name}; IllegalArgumentException for an absolute or climbing path. */
    public static List<String> components(String name) {
        if (name.indexOf('\0') >= 0) throw new IllegalArgumentException("entry \"" + name + "\" contains NUL");
        if (name.startsWith("/")) throw new IllegalArgumentException("entry \"" + name + "\" is an absolute path");
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) throw new IllegalArgumentException("entry \"" + name + "\" climbs out with \"..\"");
            out.add(c);
        }
        return out;
    }

    /** {@link #components} joined with {@code /}: a canonical key for a member. */
    public static String clean(String name) {
        return String.join("/", components(name));
    }
}
