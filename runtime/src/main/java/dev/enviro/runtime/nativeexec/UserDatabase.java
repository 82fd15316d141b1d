package dev.enviro.runtime.nativeexec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The users and groups an image defines in its /etc/passwd and /etc/group. */
record UserDatabase(List<User> users, List<Group> groups) {

    record User(String name, int uid, int gid, String home) {}

    record Group(String name, int gid, List<String> members) {}

    UserDatabase {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    static final UserDatabase EMPTY = new UserDatabase(List.of(), List.of());

    static UserDatabase parse(String passwd, String group) {
        List<User> users = new ArrayList<>();
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 7 || line.startsWith("#")) continue;
            Integer uid = number(f[2]), gid = number(f[3]);
            if (uid != null && gid != null) users.add(new User(f[0], uid, gid, f[5]));
        }
        List<Group> groups = new ArrayList<>();
        for (String line : group.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 4 || line.startsWith("#")) continue;
            Integer gid = number(f[2]);
            if (gid != null) groups.add(new Group(f[0], gid, f[3].isEmpty() ? List.of() : List.of(f[3].split(","))));
        }
        return new UserDatabase(users, groups);
    }

    /**
     * Reads the files from the first of {@code layers} (top-most first, as overlay's lowerdir lists
     * them) that has them. Symbolic links are not followed: the files belong to the image and must
     * never lead the engine to a file of the host.
     */
    static UserDatabase read(List<Path> layers) throws IOException {
        return parse(firstFile(layers, "passwd"), firstFile(layers, "group"));
    }

    private static String firstFile(List<Path> layers, String name) throws IOException {
        for (Path layer : layers) {
            Path etc = layer.resolve("etc");
            Path file = etc.resolve(name);
            if (Files.isSymbolicLink(etc) || Files.isSymbolicLink(file)) return "";
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Files.readString(file, StandardCharsets.UTF_8);
        }
        return "";
    }

    Optional<User> user(String name) {
        return users.stream().filter(u -> u.name.equals(name)).findFirst();
    }

    Optional<User> user(int uid) {
        return users.stream().filter(u -> u.uid == uid).findFirst();
    }

    Optional<Group> group(String name) {
        return groups.stream().filter(g -> g.name.equals(name)).findFirst();
    }

    /** The groups that list {@code userName} as a member: the supplementary groups, as initgroups(3) finds them. */
    List<Integer> memberships(String userName) {
        return groups.stream().filter(g -> g.members.contains(userName)).map(Group::gid).distinct().toList();
    }

    /** Whether {@code userSpec} ({@code user[:group]}, null or empty: root) names no user or group to look up. */
    static boolean needsNoNames(String userSpec) {
        if (userSpec == null || userSpec.isEmpty()) return true;
        int colon = userSpec.indexOf(':');
        return number(colon < 0 ? userSpec : userSpec.substring(0, colon)) != null
                && (colon < 0 || number(userSpec.substring(colon + 1)) != null);
    }

    static Integer number(String s) {
        if (s.isEmpty() || s.length() > 10) return null;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return null;
        long v = Long.parseLong(s);
        return v <= Integer.MAX_VALUE ? (int) v : null;
    }
}
