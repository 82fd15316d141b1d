package dev.enviro.runtime.nativeexec;

import dev.enviro.runtime.ContainerProcess;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code containers/<id>/monitor.pid}: the container's and its monitor's pid and start time, written
 * (temp + fsync + rename) as soon as the helper reports them, before the engine journals
 * {@code Started}. An engine that died in between finds the process it spawned through this file, so
 * no monitor or container is left that nobody owns. Format: {@code key=value} lines
 * ({@code pid}, {@code pid_start}, {@code monitor_pid}, {@code monitor_start}).
 */
final class ProcessRecordFile {

    static final String NAME = "monitor.pid";

    private ProcessRecordFile() {}

    static void write(Path containerDir, int pid, long pidStart, int monitorPid, long monitorStart) throws IOException {
        Path target = containerDir.resolve(NAME);
        Path tmp = containerDir.resolve(NAME + ".tmp");
        String text = "pid=" + pid + "\npid_start=" + pidStart + "\nmonitor_pid=" + monitorPid + "\nmonitor_start=" + monitorStart + "\n";
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Optional<ContainerProcess> read(String containerId, Path containerDir) throws IOException {
        String text;
        try {
            text = Files.readString(containerDir.resolve(NAME), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1).strip());
        }
        try {
            return Optional.of(new ContainerProcess(containerId,
                    Integer.parseInt(values.get("pid")), Long.parseLong(values.get("pid_start")),
                    Integer.parseInt(values.get("monitor_pid")), Long.parseLong(values.get("monitor_start")),
                    containerDir.resolve("ctr.log"), containerDir.resolve("exit.status")));
        } catch (RuntimeException e) {
            throw new IOException(containerDir.resolve(NAME) + " is malformed: " + text.strip().replace('\n', ' '), e);
        }
    }
}
