package dev.enviro.bench;

/** One call of a variant did not end with exit code 0; the message is one line naming the variant and round. */
public final class VariantFailure extends Exception {

    public VariantFailure(VariantKind kind, int round, String what) {
        super(kind.key() + " failed in round " + round + ": " + what);
    }

    public VariantFailure(VariantKind kind, int round, String what, Throwable cause) {
        super(kind.key() + " failed in round " + round + ": " + what, cause);
    }
}
