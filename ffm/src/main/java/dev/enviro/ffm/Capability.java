package dev.enviro.ffm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Linux capabilities by number ({@code linux/capability.h}); the ordinal is the kernel's bit. */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT,
    SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE,
    AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ,
    PERFMON, BPF, CHECKPOINT_RESTORE;

    public long bit() { return 1L << ordinal(); }

    /** {@code CAP_SYS_ADMIN} as the kernel, Docker and OCI spell it. */
    public String capName() { return "CAP_" + name(); }

    /** Accepts {@code SYS_ADMIN}, {@code CAP_SYS_ADMIN}, any case (as Docker's --cap-add does). */
    public static Optional<Capability> parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) n = n.substring(4);
        try {
            return Optional.of(valueOf(n));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The highest capability this kernel knows ({@code /proc/sys/kernel/cap_last_cap}); a mask with a
     * higher bit is refused by capset(2). Falls back to the last one this enum knows.
     */
    public static int lastCap() {
        // one read with room to spare: the JDK's Files.readString reads sysctl files in pieces, and a
        // sysctl answers a read at a non-zero offset with EOF, so it would see "4" of "40"
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
            String text = new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII);
            return Math.min(Integer.parseInt(text.trim()), values().length - 1);
        } catch (java.io.IOException | NumberFormatException e) {
            return values().length - 1;
        }
    }
}
