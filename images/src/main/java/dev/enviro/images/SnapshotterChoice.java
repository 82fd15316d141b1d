package dev.enviro.images;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Which snapshotter an engine uses: a pure decision over the override and the kernel's filesystems. */
enum SnapshotterChoice {
    OVERLAY, COPY;

    /**
     * {@code override} ({@code ENVIRO_SNAPSHOTTER}) when set, else overlay when {@code filesystems}
     * ({@code /proc/filesystems}) lists it (the module may load on first mount, but a kernel that
     * lists it surely has it), else copy.
     */
    static SnapshotterChoice choose(String override, Path filesystems) throws EnviroError {
        if (override != null && !override.isBlank()) {
            return switch (override.strip().toLowerCase(Locale.ROOT)) {
                case "overlay", "overlayfs" -> OVERLAY;
                case "copy", "vfs" -> COPY;
                default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT,
                        "ENVIRO_SNAPSHOTTER=" + override + " is not a snapshotter: use overlay or copy");
            };
        }
        try {
            for (String line : Files.readAllLines(filesystems)) {
                String[] fields = line.strip().split("\\s+");
                if (fields[fields.length - 1].equals("overlay")) return OVERLAY;
            }
        } catch (IOException e) {
            return COPY;
        }
        return COPY;
    }
}
