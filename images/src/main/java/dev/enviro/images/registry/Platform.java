package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.images.oci.Descriptor;

/**
 * An OCI platform, {@code os/architecture[/variant]} as {@code --platform} spells it. The default is
 * the host's: the JVM's {@code os.arch} in Go's spelling (amd64, arm64), as registries index images.
 */
public record Platform(String os, String architecture, String variant) {

    public static Platform host() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> System.getProperty("os.arch");
        };
        return new Platform("linux", arch, null);
    }

    /** Parses {@code os/arch[/variant]}; an empty or null value is the host's platform. */
    public static Platform parse(String text) throws EnviroError {
        if (text == null || text.isBlank()) return host();
        String[] p = text.strip().split("/", -1);
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty() || (p.length == 3 && p[2].isEmpty())) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid platform \"" + text + "\": expected OS/ARCH[/VARIANT], e.g. linux/arm64");
        }
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : null);
    }

    /**
     * Whether an index entry is for this platform. A variant given here must match; one absent here
     * accepts any (as containerd does for arm64 images, whose v8 variant is often left out).
     */
    public boolean matches(Descriptor d) {
        if (!os.equals(d.os()) || !architecture.equals(d.architecture())) return false;
        return variant == null || variant.equals(d.variant()) || (d.variant() == null && architecture.equals("arm64") && variant.equals("v8"));
    }

    /**
     * Whether an image config (single-platform image) is for this platform: its os and architecture
     * (configs carry no variant). A config that names neither cannot be told apart: accepted.
     */
    public boolean isOf(dev.enviro.images.oci.ConfigFile config) {
        if (config.os() == null && config.architecture() == null) return true;
        return os.equals(config.os()) && architecture.equals(config.architecture());
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
