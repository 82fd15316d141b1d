package dev.enviro.ffm.seccomp;

/**
 * What the filter returns for a system call: the {@code SECCOMP_RET_*} value of {@code linux/seccomp.h}.
 * {@code SCMP_ACT_NOTIFY} has no counterpart here: a listener needs an agent Enviro does not run.
 */
public sealed interface SeccompAction {

    /** The 32-bit value a BPF {@code ret} instruction returns. */
    int ret();

    record Allow() implements SeccompAction {
        public int ret() { return 0x7fff0000; }
    }

    /** The call fails with this errno (0..4095) and does nothing. */
    record Errno(int errno) implements SeccompAction {
        public Errno {
            if (errno < 0 || errno > 4095) throw new IllegalArgumentException("errno " + errno + " is outside 0..4095");
        }

        public int ret() { return 0x00050000 | errno; }
    }

    record KillThread() implements SeccompAction {
        public int ret() { return 0; }
    }

    record KillProcess() implements SeccompAction {
        public int ret() { return 0x80000000; }
    }

    record Trap() implements SeccompAction {
        public int ret() { return 0x00030000; }
    }

    /** Hands the call to a ptrace tracer with this 16-bit value; without a tracer it fails with ENOSYS. */
    record Trace(int data) implements SeccompAction {
        public int ret() { return 0x7ff00000 | (data & 0xffff); }
    }

    /** Allowed, and logged by the kernel's audit. */
    record Log() implements SeccompAction {
        public int ret() { return 0x7ffc0000; }
    }

    SeccompAction ALLOW = new Allow();
    SeccompAction KILL_PROCESS = new KillProcess();
}
