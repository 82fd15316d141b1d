package dev.enviro.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The offline busybox OCI image, assembled once per test JVM by the same script {@code ./setup} uses. */
final class BusyboxImage {
    private static Path archive;

    static synchronized Path archive() throws IOException, InterruptedException {
        if (archive != null) return archive;
        Path dir = Cli.repo().resolve("e2e/target/images");
        Files.createDirectories(dir);
        Path tar = dir.resolve("busybox-oci.tar");
        Process p = new ProcessBuilder(Cli.repo().resolve("scripts/busybox-image.sh").toString(), tar.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("scripts/busybox-image.sh failed with " + p.exitValue());
        // Readable by the unprivileged users that rootless tests create.
        Files.setPosixFilePermissions(tar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        archive = tar;
        return tar;
    }

    private BusyboxImage() {}
}
