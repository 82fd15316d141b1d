package dev.enviro.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools the tests compare against (the image script, skopeo, unshare), killing them on timeout. */
final class Commands {
    private Commands() {}

    record Result(int exit, String output) {}

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IOException("timed out: " + command);
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    static String check(List<String> command) throws IOException, InterruptedException {
        Result r = run(command);
        if (r.exit() != 0) throw new AssertionError(command + " failed (" + r.exit() + "): " + r.output());
        return r.output();
    }

    static Path script() {
        Path s = Path.of("").toAbsolutePath().getParent().resolve("scripts/busybox-image.sh");
        if (!Files.isExecutable(s)) throw new AssertionError("missing " + s);
        return s;
    }

    /** Builds the busybox OCI archive with the project's script. */
    static Path busybox(Path dir, String name) throws IOException, InterruptedException {
        Path out = dir.resolve("busybox-oci.tar");
        check(List.of(script().toString(), out.toString(), name));
        return out;
    }

    static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }
}
