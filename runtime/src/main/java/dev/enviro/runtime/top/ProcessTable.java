package dev.enviro.runtime.top;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The processes of a running container ({@code enviro top}), found from its init's pid: the members of
 * init's cgroup and of the cgroups below it ({@code cgroup.procs}, v1's pids hierarchy or v2), or, when
 * init shares the engine's own cgroup (rootless on v1: the engine cannot make cgroups), every process in
 * init's pid namespace. Exec'd processes are found either way: they join both.
 */
public final class ProcessTable {
    private ProcessTable() {}

    /**
     * @param pid          on the host
     * @param containerPid in the container's pid namespace (the last NSpid), or -1 when not known
     * @param user         the host name of the process's real uid, or the uid as a number
     */
    public record Row(int pid, int containerPid, String user, String command) {}

    /** The container's processes, by host pid; empty when init is gone. */
    public static List<Row> of(int initPid) throws IOException {
        return of(Path.of("/proc"), Path.of("/sys/fs/cgroup"), initPid);
    }

    static List<Row> of(Path proc, Path cgroupRoot, int initPid) throws IOException {
        TreeSet<Integer> pids = new TreeSet<>();
        Optional<Path> cgroup = ownCgroup(proc, cgroupRoot, initPid);
        if (cgroup.isPresent()) {
            try (Stream<Path> dirs = Files.walk(cgroup.get())) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    try {
                        for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                            if (!line.isBlank()) pids.add(Integer.parseInt(line.trim()));
                        }
                    } catch (NoSuchFileException e) {
                        // removed while walking
                    }
                }
            }
        } else {
            String ns = pidNamespace(proc, initPid);
            if (ns == null) return List.of();
            try (Stream<Path> entries = Files.list(proc)) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit) && ns.equals(pidNamespace(proc, Integer.parseInt(name)))) {
                        pids.add(Integer.parseInt(name));
                    }
                }
            }
        }
        Map<Integer, String> users = users(Path.of("/etc/passwd"));
        List<Row> rows = new ArrayList<>();
        for (int pid : pids) row(proc, pid, users).ifPresent(rows::add);
        rows.sort(Comparator.comparingInt(Row::pid));
        return rows;
    }

    /**
     * Init's cgroup directory, unless it is the engine's own one. The pids controller is preferred on v1
     * (every limited container has one); on v2 (or hybrid with no v1 match) the unified hierarchy.
     */
    static Optional<Path> ownCgroup(Path proc, Path cgroupRoot, int initPid) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve(Integer.toString(initPid)).resolve("cgroup"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<String> engine = Files.readAllLines(proc.resolve("self").resolve("cgroup"));
        if (lines.equals(engine)) return Optional.empty();
        String v1 = null, v2 = null;
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) v2 = f[2];
            else if (List.of(f[1].split(",")).contains("pids")) v1 = f[2];
        }
        if (v1 != null && !engine.contains(pidsLine(lines)) && Files.isDirectory(cgroupRoot.resolve("pids"))) {
            return Optional.of(cgroupRoot.resolve("pids").resolve(v1.substring(1)));
        }
        String unifiedPath = v2;
        if (v2 != null && engine.stream().noneMatch(l -> l.equals("0::" + unifiedPath))) {
            Path unified = Files.isDirectory(cgroupRoot.resolve("unified")) ? cgroupRoot.resolve("unified") : cgroupRoot;
            return Optional.of(unified.resolve(v2.substring(1)));
        }
        return Optional.empty();
    }

    private static String pidsLine(List<String> lines) {
        return lines.stream().filter(l -> l.split(":", 3).length == 3 && List.of(l.split(":", 3)[1].split(",")).contains("pids"))
                .findFirst().orElse("");
    }

    private static String pidNamespace(Path proc, int pid) {
        try {
            return Files.readSymbolicLink(proc.resolve(Integer.toString(pid)).resolve("ns").resolve("pid")).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** One process, or empty when it exited meanwhile. */
    static Optional<Row> row(Path proc, int pid, Map<Integer, String> users) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            int uid = -1, containerPid = -1;
            String comm = "";
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("Uid:")) uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                else if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring(6).trim().split("\\s+");
                    containerPid = Integer.parseInt(ids[ids.length - 1]);
                } else if (line.startsWith("Name:")) comm = line.substring(5).trim();
            }
            byte[] cmdline = Files.readAllBytes(dir.resolve("cmdline"));
            String command = command(cmdline);
            if (command.isEmpty()) command = "[" + comm + "]";
            return Optional.of(new Row(pid, containerPid, users.getOrDefault(uid, Integer.toString(uid)), command));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code /proc/<pid>/cmdline}: arguments separated (and ended) by NUL, shown separated by spaces. */
    static String command(byte[] cmdline) {
        int end = cmdline.length;
        while (end > 0 && cmdline[end - 1] == 0) end--;
        byte[] shown = java.util.Arrays.copyOf(cmdline, end);
        for (int i = 0; i < shown.length; i++) if (shown[i] == 0) shown[i] = ' ';
        return new String(shown, StandardCharsets.UTF_8);
    }

    static Map<Integer, String> users(Path passwd) {
        Map<Integer, String> users = new HashMap<>();
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] f = line.split(":");
                if (f.length > 2) {
                    try {
                        users.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                    } catch (NumberFormatException e) {
                        // a malformed line names nobody
                    }
                }
            }
        } catch (IOException e) {
            // no names: uids are shown as numbers
        }
        return users;
    }
}
