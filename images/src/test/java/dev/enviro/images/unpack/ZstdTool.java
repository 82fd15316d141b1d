package dev.enviro.images.unpack;

import java.io.IOException;

/** Compresses with the `zstd` tool (Debian package zstd): test data made by another implementation than the decoder's. */
public final class ZstdTool {
    private ZstdTool() {}

    public static byte[] compress(byte[] data, String... options) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("zstd", "-q", "-c"));
        cmd.addAll(java.util.List.of(options));
        Process p = new ProcessBuilder(cmd).start();
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        feeder.join();
        if (p.waitFor() != 0) throw new IOException("zstd failed: " + new String(p.getErrorStream().readAllBytes()));
        return out;
    }
}
