package dev.enviro.images;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.content.Digest;
import dev.enviro.images.oci.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An OCI layout made from the busybox archive plus layers on top, named {@code name}: images that share a base layer. */
final class DerivedImage {
    private DerivedImage() {}

    static Path build(Path busyboxTar, Path dir, String name, byte[]... layers) throws IOException, InterruptedException {
        Path layout = Files.createDirectories(dir);
        Commands.check(List.of("tar", "-xf", busyboxTar.toString(), "-C", layout.toString()));
        ObjectNode index = (ObjectNode) Json.MAPPER.readTree(layout.resolve("index.json").toFile());
        ObjectNode entry = (ObjectNode) index.path("manifests").get(0);
        ObjectNode manifest = (ObjectNode) Json.MAPPER.readTree(blob(layout, entry.path("digest").asText()).toFile());
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile());
        for (byte[] layer : layers) {
            String digest = put(layout, layer);
            ((ArrayNode) config.path("rootfs").path("diff_ids")).add(digest);
            ObjectNode d = ((ArrayNode) manifest.path("layers")).addObject();
            d.put("mediaType", "application/vnd.oci.image.layer.v1.tar").put("digest", digest).put("size", layer.length);
        }
        byte[] configBytes = Json.MAPPER.writeValueAsBytes(config);
        ((ObjectNode) manifest.path("config")).put("digest", put(layout, configBytes)).put("size", configBytes.length);
        byte[] manifestBytes = Json.MAPPER.writeValueAsBytes(manifest);
        entry.put("digest", put(layout, manifestBytes)).put("size", manifestBytes.length);
        ((ObjectNode) entry.path("annotations")).put("org.opencontainers.image.ref.name", name);
        Files.write(layout.resolve("index.json"), Json.MAPPER.writeValueAsBytes(index));
        return layout;
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring(7));
    }

    private static String put(Path layout, byte[] bytes) throws IOException {
        String digest = Digest.of(bytes).toString();
        Files.write(blob(layout, digest), bytes);
        return digest;
    }
}
