package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.grpc.EnviroClient;
import java.io.IOException;
import java.util.List;

/**
 * What the inspect verbs print, as docker does: a JSON array with one object per name found, or each
 * object through a {@code --format} template; an error line for each name not found.
 */
final class InspectOutput {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How the engine's answer for one name becomes its JSON object. */
    @FunctionalInterface
    interface Lookup {
        ObjectNode inspect(EnviroClient client, String name) throws IOException;
    }

    /** Null: the JSON array. */
    private final FormatTemplate template;

    /** Throws {@link EnviroError} where {@code format} (null for none) is not a template. */
    InspectOutput(String format) {
        template = format == null ? null : new FormatTemplate(format);
    }

    /** Prints the objects of {@code names}; answers the exit code, 125 where any was not found ({@link ExitCodes#reportOne}). */
    int print(EnviroCommand root, List<String> names, Lookup lookup) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        int exit = 0;
        try (EnviroClient client = root.client()) {
            for (String name : names) {
                try {
                    array.add(lookup.inspect(client, name));
                } catch (EnviroError e) {
                    exit = ExitCodes.reportOne(e, root.err);
                }
            }
        }
        if (template != null) {
            array.forEach(node -> root.out.println(template.render(node)));
        } else {
            root.out.println(JSON.writeValueAsString(array));
        }
        return exit;
    }
}
