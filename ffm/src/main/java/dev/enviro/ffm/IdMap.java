package dev.enviro.ffm;

import java.util.List;

/**
 * The uid and gid maps of a user namespace, in the kernel's own shape: each line maps
 * {@code size} ids starting at {@code inside} to ids starting at {@code outside}.
 */
public record IdMap(List<Range> uids, List<Range> gids) {

    public record Range(int inside, int outside, int size) {
        public Range {
            if (size <= 0) throw new IllegalArgumentException("id range size must be positive: " + size);
        }
    }

    public IdMap {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    /** Root engine: container 0..65535 becomes host 100000..165535, an unprivileged range. */
    public static IdMap defaultRoot() {
        return new IdMap(List.of(new Range(0, 100000, 65536)), List.of(new Range(0, 100000, 65536)));
    }

    /** Rootless engine: container root is the engine's own user, and no other id exists. */
    public static IdMap single(int hostUid, int hostGid) {
        return new IdMap(List.of(new Range(0, hostUid, 1)), List.of(new Range(0, hostGid, 1)));
    }

    /** True when writing {@code setgroups} = {@code deny} is required (an unprivileged single-id map). */
    public boolean isSingleId() {
        return uids.size() == 1 && uids.getFirst().size() == 1;
    }

    /** The host uid a container uid becomes, or -1 when it is not mapped. */
    public int hostUid(int containerUid) { return toHost(uids, containerUid); }

    public int hostGid(int containerGid) { return toHost(gids, containerGid); }

    /** Text for {@code /proc/<pid>/uid_map}. */
    public String uidMapText() { return text(uids); }

    public String gidMapText() { return text(gids); }

    /** A short stable name of this map, used to key id-shifted snapshots ({@code 0-100000-65536}). */
    public String key() {
        StringBuilder b = new StringBuilder();
        for (Range r : uids) b.append(b.isEmpty() ? "" : "_").append(r.inside).append('-').append(r.outside).append('-').append(r.size);
        b.append("_g");
        for (Range r : gids) b.append('_').append(r.inside).append('-').append(r.outside).append('-').append(r.size);
        return b.toString();
    }

    private static int toHost(List<Range> ranges, int id) {
        for (Range r : ranges) {
            if (id >= r.inside && id - r.inside < r.size) return r.outside + (id - r.inside);
        }
        return -1;
    }

    private static String text(List<Range> ranges) {
        StringBuilder b = new StringBuilder();
        for (Range r : ranges) b.append(r.inside).append(' ').append(r.outside).append(' ').append(r.size).append('\n');
        return b.toString();
    }
}
