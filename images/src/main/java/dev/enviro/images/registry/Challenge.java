package dev.enviro.images.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code WWW-Authenticate} challenge (RFC 7235), e.g.
 * {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"}.
 */
record Challenge(String scheme, Map<String, String> params) {
    Challenge {
        params = Map.copyOf(params);
    }

    /** The first Bearer challenge among the headers, else the first Basic one. */
    static Optional<Challenge> pick(List<String> headers) {
        Challenge basic = null;
        for (String h : headers) {
            Challenge c = parse(h);
            if (c == null) continue;
            if (c.scheme.equals("bearer")) return Optional.of(c);
            if (c.scheme.equals("basic") && basic == null) basic = c;
        }
        return Optional.ofNullable(basic);
    }

    /** Parses one challenge; null when the header is not one this client speaks. */
    static Challenge parse(String header) {
        String h = header.strip();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? h.length() : space + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int eq = h.indexOf('=', i);
            if (eq < 0) break;
            String key = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) i++;
                    value.append(h.charAt(i++));
                }
                i++; // closing quote
            } else {
                while (i < h.length() && h.charAt(i) != ',') value.append(h.charAt(i++));
            }
            params.put(key, value.toString().strip());
        }
        return scheme.equals("bearer") || scheme.equals("basic") ? new Challenge(scheme, params) : null;
    }
}
