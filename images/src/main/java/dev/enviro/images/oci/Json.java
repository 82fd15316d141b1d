package dev.enviro.images.oci;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Strict reading of the JSON documents of an image: a missing or mistyped field is MALFORMED. */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public static JsonNode parse(byte[] bytes, String what) throws EnviroError {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) throw malformed(what, "not a JSON object");
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw malformed(what, "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw malformed(what, "unreadable: " + e.getMessage());
        }
    }

    public static byte[] write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    static String text(JsonNode node, String field, String what) throws EnviroError {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw malformed(what, "missing string field \"" + field + "\"");
        return v.asText();
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    static List<String> optionalStrings(JsonNode node, String field, String what) throws EnviroError {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw malformed(what, "field \"" + field + "\" is not an array");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw malformed(what, "field \"" + field + "\" holds a non-string");
            out.add(e.asText());
        }
        return out;
    }

    static JsonNode array(JsonNode node, String field, String what) throws EnviroError {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) throw malformed(what, "missing array field \"" + field + "\"");
        return v;
    }

    public static EnviroError malformed(String what, String why) {
        return new EnviroError(ErrorCode.INVALID_ARGUMENT, what + ": " + why);
    }
}
