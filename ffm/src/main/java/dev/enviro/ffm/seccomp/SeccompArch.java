package dev.enviro.ffm.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An architecture a filter is built for: its {@code AUDIT_ARCH_*} value (what {@code seccomp_data.arch}
 * holds) and its system call numbers. Only the native x86_64 ABI is supported: a filter rejects every
 * other ABI the CPU can enter (i386 through {@code int 0x80}, x32 through numbers with bit 30 set),
 * because a rule written for x86_64 numbers means something else there.
 */
public enum SeccompArch {
    X86_64(0xC000003E, 0x40000000, Set.of("SCMP_ARCH_X86_64", "amd64", "x86_64"), "syscalls-x86_64.txt");

    /** {@code seccomp_data.arch} for this ABI. */
    public final int auditArch;
    /** Numbers at or above this belong to a second ABI sharing the audit arch (x32); 0 if none. */
    public final int foreignNrBase;
    private final Set<String> names;
    private final String table;
    private volatile Map<String, Integer> numbers;

    SeccompArch(int auditArch, int foreignNrBase, Set<String> names, String table) {
        this.auditArch = auditArch;
        this.foreignNrBase = foreignNrBase;
        this.names = names;
        this.table = table;
    }

    /** Whether a profile's architecture name ({@code SCMP_ARCH_X86_64}) or Docker arch ({@code amd64}) is this one. */
    public boolean isNamed(String name) { return names.contains(name); }

    public OptionalInt number(String syscall) {
        Integer n = numbers().get(syscall);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }

    public Map<String, Integer> numbers() {
        Map<String, Integer> m = numbers;
        if (m == null) numbers = m = load();
        return m;
    }

    /** The architecture of this JVM's machine. */
    public static SeccompArch host() {
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64") || arch.equals("x86_64")) return X86_64;
        throw new UnsupportedOperationException("seccomp filters are built for x86_64 only; this machine is " + arch
                + ": run with --security-opt seccomp=unconfined");
    }

    private Map<String, Integer> load() {
        Map<String, Integer> m = new HashMap<>();
        try (InputStream in = SeccompArch.class.getResourceAsStream(table)) {
            if (in == null) throw new IOException("resource " + table + " is missing from enviro-ffm");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split("\\s+");
                m.put(f[0], Integer.parseInt(f[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }
}
