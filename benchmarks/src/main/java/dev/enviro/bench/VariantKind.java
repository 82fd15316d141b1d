package dev.enviro.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The ways of running {@code true} in a fresh container that the side-by-side harness compares. */
public enum VariantKind {
    /** One {@code Run} RPC (auto-remove) over a gRPC channel that a long-lived JVM keeps open. */
    API("api", "enviro gRPC Run"),
    /** {@code enviro run --rm IMAGE true} as a fresh process: a JVM start plus the same RPC. */
    CLI("cli", "enviro run --rm"),
    CRUN("crun", "crun run"),
    RUNC("runc", "runc run");

    private final String key;
    private final String label;

    VariantKind(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** The name used on the command line ({@code --only crun,runc}). */
    public String key() {
        return key;
    }

    /** The name printed in the result table. */
    public String label() {
        return label;
    }

    public static VariantKind byKey(String key) {
        for (VariantKind kind : values()) {
            if (kind.key.equals(key)) return kind;
        }
        throw new IllegalArgumentException("unknown variant '" + key + "': choose from "
                + Arrays.stream(values()).map(VariantKind::key).collect(Collectors.joining(",")));
    }
}
