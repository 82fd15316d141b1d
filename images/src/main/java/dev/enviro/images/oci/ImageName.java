package dev.enviro.images.oci;

import java.util.regex.Pattern;

/**
 * Image names in their full form, as Docker and containerd normalize them: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, {@code localhost/busybox} is {@code localhost/busybox:latest}.
 */
public final class ImageName {
    private ImageName() {}

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    /** The full name of {@code name}; IllegalArgumentException says why a name is not one. */
    public static String normalize(String name) {
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            if (!dev.enviro.images.content.Digest.isValid(digest)) throw new IllegalArgumentException("invalid digest in image name \"" + name + "\"");
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new IllegalArgumentException("invalid tag in image name \"" + name + "\"");
        }
        String domain;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            domain = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) throw new IllegalArgumentException("invalid registry in image name \"" + name + "\"");
        } else {
            domain = "docker.io";
            path = rest;
        }
        if (domain.equals("index.docker.io")) domain = "docker.io";
        if (path.isEmpty()) throw new IllegalArgumentException("empty image name");
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) throw new IllegalArgumentException("invalid image name \"" + name + "\": use lowercase letters, digits and . _ -");
        }
        if (domain.equals("docker.io") && !path.contains("/")) path = "library/" + path;
        String full = domain + "/" + path;
        if (tag == null && digest == null) tag = "latest";
        return full + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /**
     * Whether an {@code org.opencontainers.image.ref.name} annotation is only a tag (the OCI
     * layout spec's intent; skopeo and containerd write full names there instead).
     */
    public static boolean isTagOnly(String refName) {
        return !refName.contains("/") && !refName.contains(":") && !refName.contains("@") && TAG.matcher(refName).matches();
    }
}
