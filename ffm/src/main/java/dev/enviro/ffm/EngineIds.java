package dev.enviro.ffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The ids an engine gives its containers, decided from the user namespace the engine runs in
 * (docs/contracts.md, "Ids"):
 *
 * <ul>
 *   <li>root of the host: container 0..65535 on host 100000..165535 ({@link IdMap#defaultRoot()});</li>
 *   <li>root of a user namespace of its own ({@code enviro daemon} as an unprivileged user with
 *       subordinate ranges: the helper's {@code --user-namespace}): every id of that namespace, as it is
 *       (container 0 is the user, 1..N its range);</li>
 *   <li>anyone else: its own id as container root, and no other ({@link IdMap#single}); {@code note}
 *       says why (the helper's {@code ENVIRO_ID_MAP_NOTE}).</li>
 * </ul>
 *
 * @param containers what the engine writes into its containers' {@code uid_map} and {@code gid_map}
 * @param onHost     the same ids as the host knows them
 * @param note       why containers have one id only, or null
 */
public record EngineIds(IdMap containers, IdMap onHost, String note) {

    /** This process's, read once: a process never changes user namespace after it started (the JVM cannot). */
    public static EngineIds current() {
        return Current.IDS;
    }

    private static final class Current {
        static final EngineIds IDS = read();

        private static EngineIds read() {
            try {
                return of(Processes.getuid(), Processes.getgid(), Files.readString(Path.of("/proc/self/uid_map")),
                        Files.readString(Path.of("/proc/self/gid_map")), System.getenv("ENVIRO_ID_MAP_NOTE"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read this process's id maps in /proc/self: is /proc mounted?", e);
            }
        }
    }

    /** The decision, from the engine's ids and its own namespace's maps (the text of {@code /proc/self/uid_map}). */
    public static EngineIds of(int uid, int gid, String uidMapText, String gidMapText, String launcherNote) {
        List<IdMap.Range> ownUids = parse(uidMapText), ownGids = parse(gidMapText);
        boolean hostNamespace = isInitial(ownUids);
        if (hostNamespace && uid == 0) {
            return new EngineIds(IdMap.defaultRoot(), IdMap.defaultRoot(), null);
        }
        if (!hostNamespace && uid == 0 && gid == 0) {
            IdMap containers = new IdMap(fromZero(ownUids), fromZero(ownGids));
            IdMap onHost = new IdMap(compose(containers.uids(), ownUids), compose(containers.gids(), ownGids));
            return new EngineIds(containers, onHost, containers.isSingleId() ? note(launcherNote, "its user namespace maps one id") : null);
        }
        IdMap single = IdMap.single(uid, gid);
        IdMap onHost = hostNamespace ? single : new IdMap(compose(single.uids(), ownUids), compose(single.gids(), ownGids));
        return new EngineIds(single, onHost, note(launcherNote, "the engine was not started by 'enviro daemon', which maps the user's"
                + " subordinate ranges (/etc/subuid, /etc/subgid)"));
    }

    /** For {@code info}: the host's ids of the containers' ids, and why there is one only. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        describe(b, "uids", onHost.uids());
        b.append("; ");
        describe(b, "gids", onHost.gids());
        if (note != null) b.append(" (").append(note).append(')');
        return b.toString();
    }

    private static void describe(StringBuilder b, String what, List<IdMap.Range> ranges) {
        b.append(what).append(' ');
        for (int i = 0; i < ranges.size(); i++) {
            IdMap.Range r = ranges.get(i);
            if (i > 0) b.append(", ");
            b.append(r.size() == 1 ? Integer.toString(r.inside()) : r.inside() + "-" + (r.inside() + r.size() - 1))
                    .append(" -> ")
                    .append(r.size() == 1 ? Integer.toUnsignedString(r.outside()) : r.outside() + "-" + (r.outside() + r.size() - 1));
        }
    }

    private static String note(String launcherNote, String otherwise) {
        return launcherNote != null && !launcherNote.isBlank() ? launcherNote : "one id (root) only: " + otherwise;
    }

    /** {@code /proc/PID/uid_map} lines: inside, outside, count. The host's one line counts 2^32 - 1 ids. */
    static List<IdMap.Range> parse(String text) {
        List<IdMap.Range> ranges = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) throw new IllegalArgumentException("not an id map line: '" + line + "'");
            long count = Long.parseLong(f[2]);
            ranges.add(new IdMap.Range(Integer.parseUnsignedInt(f[0]), Integer.parseUnsignedInt(f[1]),
                    (int) Math.min(count, Integer.MAX_VALUE)));
        }
        ranges.sort(Comparator.comparingInt(IdMap.Range::inside));
        return ranges;
    }

    private static boolean isInitial(List<IdMap.Range> own) {
        return own.size() == 1 && own.getFirst().inside() == 0 && own.getFirst().outside() == 0 && own.getFirst().size() == Integer.MAX_VALUE;
    }

    /**
     * The namespace's own ids without a gap from 0, as they are, one range per line of its map: the
     * kernel takes a child's line only when it falls within one line of its parent's map.
     */
    private static List<IdMap.Range> fromZero(List<IdMap.Range> own) {
        List<IdMap.Range> same = new ArrayList<>();
        long next = 0;
        for (IdMap.Range r : own) {
            if (r.inside() != next) break;
            same.add(new IdMap.Range(r.inside(), r.inside(), r.size()));
            next += r.size();
        }
        return same;
    }

    /** {@code inner}'s ranges (container to engine) through {@code outer} (engine to host): container to host. */
    static List<IdMap.Range> compose(List<IdMap.Range> inner, List<IdMap.Range> outer) {
        List<IdMap.Range> out = new ArrayList<>();
        for (IdMap.Range r : inner) {
            long from = r.outside(), to = (long) r.outside() + r.size();
            for (IdMap.Range o : outer) {
                long lo = Math.max(from, o.inside()), hi = Math.min(to, (long) o.inside() + o.size());
                if (lo >= hi) continue;
                out.add(new IdMap.Range((int) (r.inside() + (lo - from)), (int) (o.outside() + (lo - o.inside())), (int) (hi - lo)));
            }
        }
        return out;
    }
}
