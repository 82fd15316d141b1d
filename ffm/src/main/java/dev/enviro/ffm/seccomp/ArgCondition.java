package dev.enviro.ffm.seccomp;

/**
 * A test on one 64-bit system call argument, with libseccomp's operators (as the Docker/OCI profile
 * names them, {@code SCMP_CMP_*}). Values compare unsigned. For {@link Op#MASKED_EQ} {@code value} is
 * the mask and {@code valueTwo} the datum: {@code (arg & value) == valueTwo}.
 */
public record ArgCondition(int index, Op op, long value, long valueTwo) {

    public enum Op { NE, LT, LE, EQ, GE, GT, MASKED_EQ }

    public ArgCondition {
        if (index < 0 || index > 5) throw new IllegalArgumentException("argument index " + index + " is outside 0..5");
    }

    public static ArgCondition of(int index, Op op, long value) {
        return new ArgCondition(index, op, value, 0);
    }

    /** What the kernel's filter computes, for a unit test's expectation or a reader's doubt. */
    public boolean test(long arg) {
        return switch (op) {
            case NE -> arg != value;
            case LT -> Long.compareUnsigned(arg, value) < 0;
            case LE -> Long.compareUnsigned(arg, value) <= 0;
            case EQ -> arg == value;
            case GE -> Long.compareUnsigned(arg, value) >= 0;
            case GT -> Long.compareUnsigned(arg, value) > 0;
            case MASKED_EQ -> (arg & value) == valueTwo;
        };
    }
}
