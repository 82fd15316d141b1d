package dev.enviro.runtime.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What the host's own name files say, read at each start (the host may change them): none is an empty file. */
public final class HostFiles {
    private HostFiles() {}

    public static String hostname() {
        return read(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    public static String hosts() {
        return read(Path.of("/etc/hosts"));
    }

    public static String resolvConf() {
        return read(Path.of("/etc/resolv.conf"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException absent) {
            return "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
