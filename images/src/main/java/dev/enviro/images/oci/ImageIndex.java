package dev.enviro.images.oci;

import dev.enviro.errors.EnviroError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** An OCI image index ({@code index.json} or a multi-platform index blob). */
public record ImageIndex(List<Descriptor> manifests) {
    public ImageIndex {
        manifests = List.copyOf(manifests);
    }

    public static ImageIndex parse(byte[] json, String what) throws EnviroError {
        JsonNode root = Json.parse(json, what);
        JsonNode version = root.get("schemaVersion");
        if (version == null || version.asInt() != 2) throw Json.malformed(what, "schemaVersion is not 2");
        List<Descriptor> out = new ArrayList<>();
        for (JsonNode d : Json.array(root, "manifests", what)) out.add(Descriptor.parse(d, what));
        return new ImageIndex(out);
    }
}
