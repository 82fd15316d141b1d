package dev.enviro.ffm.seccomp;

import java.util.List;

/**
 * Runs a seccomp program over one system call as the kernel's classic BPF interpreter would, for the
 * instructions seccomp accepts (loads of {@code seccomp_data}, ALU with constants, jumps, returns).
 * It lets tests (and a curious operator) ask what a filter answers without installing it.
 */
public final class BpfInterpreter {
    private BpfInterpreter() {}

    /** {@code struct seccomp_data}: the call as the filter sees it. */
    public record Call(int arch, int nr, long... args) {
        public Call {
            if (args.length > 6) throw new IllegalArgumentException("at most 6 arguments");
            args = java.util.Arrays.copyOf(args, 6);
        }

        int word(int offset) {
            if (offset == 0) return nr;
            if (offset == 4) return arch;
            if (offset == 8 || offset == 12) return 0; // instruction pointer: never looked at by our filters
            int arg = (offset - 16) / 8;
            if (offset < 16 || offset >= 64 || offset % 4 != 0) throw new IllegalArgumentException("load outside seccomp_data: " + offset);
            return (offset % 8 == 0) ? (int) args[arg] : (int) (args[arg] >>> 32);
        }
    }

    /** The value the program returns for {@code call}. */
    public static int run(List<SeccompProgram.Instruction> program, Call call) {
        int a = 0, pc = 0;
        while (pc < program.size()) {
            SeccompProgram.Instruction i = program.get(pc++);
            switch (i.code()) {
                case 0x20 -> a = call.word(i.k());                      // ld [k]
                case 0x54 -> a &= i.k();                                // and #k
                case 0x06 -> { return i.k(); }                          // ret #k
                case 0x05 -> pc += i.k();                               // ja
                case 0x15 -> pc += a == i.k() ? i.jt() : i.jf();        // jeq
                case 0x25 -> pc += Integer.compareUnsigned(a, i.k()) > 0 ? i.jt() : i.jf();  // jgt
                case 0x35 -> pc += Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf(); // jge
                case 0x45 -> pc += (a & i.k()) != 0 ? i.jt() : i.jf();  // jset
                default -> throw new IllegalArgumentException("instruction code 0x" + Integer.toHexString(i.code()) + " at " + (pc - 1));
            }
        }
        throw new IllegalArgumentException("the program ran off its end");
    }
}
