package dev.enviro.images.oci;

import dev.enviro.errors.EnviroError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.images.content.Digest;
import java.util.Map;
import java.util.TreeMap;

/** An OCI content descriptor: what a blob is, its digest and size, and optional annotations and platform. */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations, String os, String architecture, String variant) {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    public static final String CONTAINERD_NAME = "io.containerd.image.name";

    public Descriptor {
        annotations = Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Map.of(), null, null, null);
    }

    static Descriptor parse(JsonNode node, String what) throws EnviroError {
        if (!node.isObject()) throw Json.malformed(what, "descriptor is not an object");
        String mediaType = Json.optionalText(node, "mediaType");
        String digest = Json.text(node, "digest", what);
        if (!Digest.isValid(digest)) throw Json.malformed(what, "unsupported digest \"" + digest + "\" (only sha256)");
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) throw Json.malformed(what, "descriptor " + digest + " has no valid size");
        Map<String, String> annotations = new TreeMap<>();
        JsonNode a = node.get("annotations");
        if (a != null && a.isObject()) a.properties().forEach(e -> { if (e.getValue().isTextual()) annotations.put(e.getKey(), e.getValue().asText()); });
        JsonNode p = node.get("platform");
        String os = p != null ? Json.optionalText(p, "os") : null;
        String arch = p != null ? Json.optionalText(p, "architecture") : null;
        String variant = p != null ? Json.optionalText(p, "variant") : null;
        return new Descriptor(mediaType, Digest.parse(digest), size.asLong(), annotations, os, arch, variant);
    }

    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("mediaType", mediaType);
        n.put("digest", digest.toString());
        n.put("size", size);
        return n;
    }
}
