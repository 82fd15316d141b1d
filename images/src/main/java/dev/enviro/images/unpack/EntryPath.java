package dev.enviro.images.unpack;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of a tar member, checked before anything is written: relative, no {@code ..}
 * component, no NUL. {@code ./a//b/} becomes {@code [a, b]}; the root itself is the empty list.
 */
public final class EntryPath {
    private EntryPath() {}

    /** Why a name cannot be a member's path, in the words of a layer's refusal ("entry 'x' ..."). */
    enum Problem {
        NUL("contains NUL"), ABSOLUTE("is an absolute path"), CLIMBS("escapes the layer root");

        final String reason;

        Problem(String reason) {
            this.reason = reason;
        }
    }

    /** What is wrong with {@code name}, or null when it is a relative path that stays below its root. */
    static Problem problem(String name) {
        if (name.indexOf('\0') >= 0) return Problem.NUL;
        if (name.startsWith("/")) return Problem.ABSOLUTE;
        for (String c : name.split("/")) if (c.equals("..")) return Problem.CLIMBS;
        return null;
    }

    /** The components of {@code name}; IllegalArgumentException for an absolute or climbing path. */
    public static List<String> components(String name) {
        Problem problem = problem(name);
        if (problem == Problem.NUL) throw new IllegalArgumentException("entry \"" + name + "\" contains NUL");
        if (problem == Problem.ABSOLUTE) throw new IllegalArgumentException("entry \"" + name + "\" is an absolute path");
        if (problem == Problem.CLIMBS) throw new IllegalArgumentException("entry \"" + name + "\" climbs out with \"..\"");
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            out.add(c);
        }
        return out;
    }

    /** {@link #components} joined with {@code /}: a canonical key for a member. */
    public static String clean(String name) {
        return String.join("/", components(name));
    }
}
