package dev.enviro.images.oci;

import dev.enviro.errors.EnviroError;
import com.fasterxml.jackson.databind.JsonNode;
import dev.enviro.images.ImageConfig;
import dev.enviro.images.content.Digest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The parts of an OCI image config blob the engine uses: the runtime config, creation time and layer diff ids. */
public record ConfigFile(ImageConfig config, Instant created, List<Digest> diffIds, String os, String architecture) {
    public ConfigFile {
        diffIds = List.copyOf(diffIds);
    }

    public static ConfigFile parse(byte[] json, String what) throws EnviroError {
        JsonNode root = Json.parse(json, what);
        JsonNode c = root.get("config");
        ImageConfig config = c == null || c.isNull()
                ? new ImageConfig(null, null, null, null, null)
                : new ImageConfig(Json.optionalStrings(c, "Env", what), Json.optionalStrings(c, "Entrypoint", what),
                        Json.optionalStrings(c, "Cmd", what), Json.optionalText(c, "WorkingDir"), Json.optionalText(c, "User"));
        Instant created = null;
        String createdText = Json.optionalText(root, "created");
        if (createdText != null) {
            try {
                created = Instant.parse(createdText);
            } catch (DateTimeParseException e) {
                throw Json.malformed(what, "created \"" + createdText + "\" is not an RFC 3339 time");
            }
        }
        JsonNode rootfs = root.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) throw Json.malformed(what, "no rootfs");
        List<Digest> diffIds = new ArrayList<>();
        for (JsonNode d : Json.array(rootfs, "diff_ids", what)) {
            if (!d.isTextual() || !Digest.isValid(d.asText())) throw Json.malformed(what, "diff_id " + d + " is not a sha256 digest");
            diffIds.add(Digest.parse(d.asText()));
        }
        return new ConfigFile(config, created, diffIds, Json.optionalText(root, "os"), Json.optionalText(root, "architecture"));
    }
}
