package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Go templates that scripts use with {@code docker inspect -f}: {@code {{.State.Pid}}},
 * {@code {{.Name}}}, literal text around them. Anything else is refused with one line, rather than
 * printed wrong.
 */
final class FormatTemplate {

    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*((?:\\.[A-Za-z][A-Za-z0-9]*)+)\\s*}}");

    private final String template;

    FormatTemplate(String template) {
        String rest = FIELD.matcher(template).replaceAll("");
        if (rest.contains("{{") || rest.contains("}}")) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--format " + template
                    + ": only field paths such as {{.State.Pid}} are supported");
        }
        this.template = template;
    }

    String render(JsonNode object) {
        Matcher m = FIELD.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode node = object;
            for (String part : m.group(1).substring(1).split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            String value = node == null || node.isNull() ? "<no value>" : node.isValueNode() ? node.asText() : node.toString();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
