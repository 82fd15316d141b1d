package dev.enviro.images.oci;

import dev.enviro.errors.EnviroError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** An image manifest (OCI or Docker schema 2): one config blob and the layers, base first. */
public record ImageManifest(Descriptor config, List<Descriptor> layers) {
    public ImageManifest {
        layers = List.copyOf(layers);
    }

    public static ImageManifest parse(byte[] json, String what) throws EnviroError {
        JsonNode root = Json.parse(json, what);
        JsonNode version = root.get("schemaVersion");
        if (version == null || version.asInt() != 2) throw Json.malformed(what, "schemaVersion is not 2 (schema 1 manifests are not supported)");
        String mediaType = Json.optionalText(root, "mediaType");
        if (mediaType != null && !MediaTypes.isManifest(mediaType)) throw Json.malformed(what, "media type " + mediaType + " is not an image manifest");
        JsonNode config = root.get("config");
        if (config == null) throw Json.malformed(what, "no config descriptor");
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : Json.array(root, "layers", what)) layers.add(Descriptor.parse(l, what));
        return new ImageManifest(Descriptor.parse(config, what), layers);
    }

    /** This manifest as canonical OCI JSON (keys sorted, no whitespace), so equal images get equal digests. */
    public byte[] toOciJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MediaTypes.OCI_MANIFEST);
        root.set("config", config.toJson());
        ArrayNode ls = root.putArray("layers");
        for (Descriptor l : layers) ls.add(l.toJson());
        return Json.write(root);
    }
}
