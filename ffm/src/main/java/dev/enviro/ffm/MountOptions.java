package dev.enviro.ffm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mount -o} options split the way mount(8) splits them: the ones that are mount(2) flags become
 * bits, everything else is the filesystem's data string ({@code lowerdir=...}, {@code mode=755}).
 */
public record MountOptions(long flags, String data) {

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24;

    private record Flag(long set, long clear) {}

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("ro", new Flag(MS_RDONLY, 0)), Map.entry("rw", new Flag(0, MS_RDONLY)),
            Map.entry("nosuid", new Flag(MS_NOSUID, 0)), Map.entry("suid", new Flag(0, MS_NOSUID)),
            Map.entry("nodev", new Flag(MS_NODEV, 0)), Map.entry("dev", new Flag(0, MS_NODEV)),
            Map.entry("noexec", new Flag(MS_NOEXEC, 0)), Map.entry("exec", new Flag(0, MS_NOEXEC)),
            Map.entry("noatime", new Flag(MS_NOATIME, 0)), Map.entry("nodiratime", new Flag(MS_NODIRATIME, 0)),
            Map.entry("relatime", new Flag(MS_RELATIME, 0)), Map.entry("strictatime", new Flag(MS_STRICTATIME, 0)),
            Map.entry("bind", new Flag(MS_BIND, 0)), Map.entry("rbind", new Flag(MS_BIND | MS_REC, 0)),
            Map.entry("private", new Flag(MS_PRIVATE, 0)), Map.entry("rprivate", new Flag(MS_PRIVATE | MS_REC, 0)),
            Map.entry("slave", new Flag(MS_SLAVE, 0)), Map.entry("rslave", new Flag(MS_SLAVE | MS_REC, 0)),
            Map.entry("defaults", new Flag(0, 0)));

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        List<String> data = new ArrayList<>();
        for (String option : options) {
            Flag flag = FLAGS.get(option);
            if (flag == null) {
                data.add(option);
            } else {
                flags = (flags | flag.set) & ~flag.clear;
            }
        }
        return new MountOptions(flags, String.join(",", data));
    }
}
