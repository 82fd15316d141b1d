package dev.enviro.runtime.nativeexec;

import dev.enviro.runtime.ExitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** The monitor's {@code exit.status} (docs/contracts.md): {@code key=value} lines, written atomically. */
final class ExitStatusFile {
    private ExitStatusFile() {}

    static Optional<ExitStatus> read(Path path) throws IOException {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(parse(text, path));
    }

    static ExitStatus parse(String text, Path path) throws IOException {
        Integer code = null;
        int signal = 0;
        Instant finished = null;
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) continue;
            String key = line.substring(0, eq), value = line.substring(eq + 1).trim();
            try {
                switch (key) {
                    case "exit_code" -> code = Integer.parseInt(value);
                    case "signal" -> signal = Integer.parseInt(value);
                    case "finished_at" -> {
                        long nanos = Long.parseLong(value);
                        finished = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
                    }
                    default -> { } // later versions may add keys
                }
            } catch (NumberFormatException e) {
                throw new IOException(path + ": " + key + " is not a number: " + value, e);
            }
        }
        if (code == null || finished == null) throw new IOException(path + " has no exit_code or finished_at");
        return new ExitStatus(code, signal, finished, false);
    }
}
