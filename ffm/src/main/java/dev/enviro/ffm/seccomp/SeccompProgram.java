package dev.enviro.ffm.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A seccomp filter as a classic BPF program ({@code struct sock_filter[]}), assembled from rules.
 *
 * <p>Shape: check {@code seccomp_data.arch} (any other ABI is killed), reject x32 numbers, then find
 * the call's rules by a binary search over the sorted syscall numbers (a linear chain of ~350
 * comparisons would run on every system call), then evaluate the rules of that call in order. 64-bit
 * argument tests are done on both 32-bit halves, as classic BPF has 32-bit registers only.
 *
 * <p>Conditional jumps reach at most 255 instructions ahead; a target further away is reached through
 * an unconditional {@code ja} (32-bit offset) placed right after the jump. The layout is repeated until
 * no jump needs a new trampoline; trampolines only ever get added, so this ends.
 */
public final class SeccompProgram {

    /** One {@code struct sock_filter}. */
    public record Instruction(int code, int jt, int jf, int k) {}

    // linux/filter.h, linux/bpf_common.h
    static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35, JA = 0x05, RET_K = 0x06, AND_K = 0x54;
    /** The kernel's BPF_MAXINSNS. */
    public static final int MAX_INSTRUCTIONS = 4096;
    // struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian halves)
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    private final List<Instruction> instructions;

    private SeccompProgram(List<Instruction> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    public List<Instruction> instructions() { return instructions; }

    public int length() { return instructions.size(); }

    /** The program as the kernel takes it: 8 bytes per instruction, native (little-endian) order. */
    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(instructions.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Instruction i : instructions) b.putShort((short) i.code).put((byte) i.jt).put((byte) i.jf).putInt(i.k);
        return b.array();
    }

    /**
     * @param rules tried per syscall in the given order; a call without rules gets {@code defaultAction}
     * @param badArch returned for any other ABI than {@code arch}'s (and its x32 numbers)
     */
    public static SeccompProgram assemble(SeccompArch arch, SeccompAction defaultAction, SeccompAction badArch, List<SeccompRule> rules) {
        Map<Integer, List<SeccompRule>> bySyscall = new TreeMap<>();
        for (SeccompRule r : rules) bySyscall.computeIfAbsent(r.syscall(), k -> new ArrayList<>()).add(r);

        Assembler a = new Assembler();
        Label kill = a.label(), dflt = a.label();
        a.stmt(LD_W_ABS, OFF_ARCH);
        a.jump(JEQ_K, arch.auditArch, Label.NEXT, kill);
        a.stmt(LD_W_ABS, OFF_NR);
        if (arch.foreignNrBase != 0) a.jump(JGE_K, arch.foreignNrBase, kill, Label.NEXT);

        List<Integer> numbers = new ArrayList<>(bySyscall.keySet());
        List<Label> blocks = new ArrayList<>();
        for (int i = 0; i < numbers.size(); i++) blocks.add(a.label());
        search(a, numbers, blocks, 0, numbers.size(), dflt);

        for (int i = 0; i < numbers.size(); i++) {
            a.mark(blocks.get(i));
            for (SeccompRule rule : bySyscall.get(numbers.get(i))) {
                Label nextRule = a.label();
                for (ArgCondition c : rule.conditions()) condition(a, c, nextRule);
                a.stmt(RET_K, rule.action().ret());
                a.mark(nextRule);
                if (rule.conditions().isEmpty()) break; // later rules of this call can never be reached
            }
            a.stmt(RET_K, defaultAction.ret());
        }
        a.mark(dflt);
        a.stmt(RET_K, defaultAction.ret());
        a.mark(kill);
        a.stmt(RET_K, badArch.ret());

        List<Instruction> program = a.link();
        if (program.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("the seccomp filter needs " + program.size() + " instructions, the kernel takes at most " + MAX_INSTRUCTIONS);
        }
        return new SeccompProgram(program);
    }

    /** A binary search over numbers[lo, hi) with the syscall number in A; a miss goes to {@code dflt}. */
    private static void search(Assembler a, List<Integer> numbers, List<Label> blocks, int lo, int hi, Label dflt) {
        if (hi - lo <= 4) {
            for (int i = lo; i < hi; i++) a.jump(JEQ_K, numbers.get(i), blocks.get(i), Label.NEXT);
            a.jump(JA, 0, dflt, null);
            return;
        }
        int mid = (lo + hi) >>> 1;
        Label right = a.label();
        a.jump(JGE_K, numbers.get(mid), right, Label.NEXT);
        search(a, numbers, blocks, lo, mid, dflt);
        a.mark(right);
        search(a, numbers, blocks, mid, hi, dflt);
    }

    /** Falls through when the condition holds, jumps to {@code fail} when it does not. */
    private static void condition(Assembler a, ArgCondition c, Label fail) {
        int lo = OFF_ARGS + 8 * c.index(), hi = lo + 4;
        int vLo = (int) c.value(), vHi = (int) (c.value() >>> 32);
        Label ok = a.label();
        switch (c.op()) {
            case EQ -> {
                a.stmt(LD_W_ABS, hi);
                a.jump(JEQ_K, vHi, Label.NEXT, fail);
                a.stmt(LD_W_ABS, lo);
                a.jump(JEQ_K, vLo, Label.NEXT, fail);
            }
            case NE -> {
                a.stmt(LD_W_ABS, hi);
                a.jump(JEQ_K, vHi, Label.NEXT, ok);
                a.stmt(LD_W_ABS, lo);
                a.jump(JEQ_K, vLo, fail, ok);
            }
            case MASKED_EQ -> {
                int dLo = (int) c.valueTwo(), dHi = (int) (c.valueTwo() >>> 32);
                a.stmt(LD_W_ABS, hi);
                a.stmt(AND_K, vHi);
                a.jump(JEQ_K, dHi, Label.NEXT, fail);
                a.stmt(LD_W_ABS, lo);
                a.stmt(AND_K, vLo);
                a.jump(JEQ_K, dLo, Label.NEXT, fail);
            }
            case GT, GE -> {
                a.stmt(LD_W_ABS, hi);
                a.jump(JGT_K, vHi, ok, Label.NEXT);
                a.jump(JEQ_K, vHi, Label.NEXT, fail);
                a.stmt(LD_W_ABS, lo);
                a.jump(c.op() == ArgCondition.Op.GT ? JGT_K : JGE_K, vLo, ok, fail);
            }
            case LT, LE -> {
                a.stmt(LD_W_ABS, hi);
                a.jump(JGT_K, vHi, fail, Label.NEXT);
                a.jump(JEQ_K, vHi, Label.NEXT, ok);
                a.stmt(LD_W_ABS, lo);
                a.jump(c.op() == ArgCondition.Op.LT ? JGE_K : JGT_K, vLo, fail, ok);
            }
        }
        a.mark(ok);
    }

    /** A jump target; {@link #NEXT} is the instruction right after the jump. */
    static final class Label {
        static final Label NEXT = new Label();
    }

    /** Symbolic instructions with labels, linked into offsets with trampolines where needed. */
    static final class Assembler {
        private sealed interface Node permits Stmt, Jump, Mark {}

        private record Stmt(int code, int k) implements Node {}

        private record Mark(Label label) implements Node {}

        /** Conditional when {@code code != JA}; {@code farT/farF}: reached through a trailing {@code ja}. */
        private static final class Jump implements Node {
            final int code, k;
            final Label t, f;
            boolean farT, farF;

            Jump(int code, int k, Label t, Label f) {
                this.code = code;
                this.k = k;
                this.t = t;
                this.f = f;
            }

            int size() { return 1 + (farT ? 1 : 0) + (farF ? 1 : 0); }
        }

        private final List<Node> nodes = new ArrayList<>();

        Label label() { return new Label(); }

        void stmt(int code, int k) { nodes.add(new Stmt(code, k)); }

        void jump(int code, int k, Label t, Label f) { nodes.add(new Jump(code, k, t, f)); }

        void mark(Label l) { nodes.add(new Mark(l)); }

        List<Instruction> link() {
            Map<Label, Integer> at;
            for (;;) {
                at = layout();
                boolean grown = false;
                int pc = 0;
                for (Node n : nodes) {
                    if (n instanceof Jump j && j.code != JA) {
                        int end = pc + j.size();
                        if (!j.farT && target(at, j.t, end) - (pc + 1) > 255) grown = j.farT = true;
                        if (!j.farF && target(at, j.f, end) - (pc + 1) > 255) grown = j.farF = true;
                    }
                    pc += size(n);
                }
                if (!grown) break;
            }
            List<Instruction> out = new ArrayList<>();
            for (Node n : nodes) {
                int pc = out.size();
                switch (n) {
                    case Stmt s -> out.add(new Instruction(s.code, 0, 0, s.k));
                    case Mark m -> { }
                    case Jump j when j.code == JA -> out.add(new Instruction(JA, 0, 0, offset(target(at, j.t, pc + 1), pc + 1)));
                    case Jump j -> {
                        // slots after the jump: [ja t] if farT, then [ja f] if farF; NEXT is after them
                        int end = pc + j.size(), slotT = pc + 1, slotF = pc + 1 + (j.farT ? 1 : 0);
                        int jt = j.farT ? slotT - (pc + 1) : offset(target(at, j.t, end), pc + 1);
                        int jf = j.farF ? slotF - (pc + 1) : offset(target(at, j.f, end), pc + 1);
                        out.add(new Instruction(j.code, jt, jf, j.k));
                        if (j.farT) out.add(new Instruction(JA, 0, 0, offset(target(at, j.t, end), slotT + 1)));
                        if (j.farF) out.add(new Instruction(JA, 0, 0, offset(target(at, j.f, end), slotF + 1)));
                    }
                }
            }
            return out;
        }

        private Map<Label, Integer> layout() {
            Map<Label, Integer> at = new java.util.IdentityHashMap<>();
            int pc = 0;
            for (Node n : nodes) {
                if (n instanceof Mark m) at.put(m.label, pc);
                pc += size(n);
            }
            return at;
        }

        private static int size(Node n) {
            return switch (n) {
                case Stmt s -> 1;
                case Mark m -> 0;
                case Jump j -> j.size();
            };
        }

        /** Where a label is; {@code NEXT} is {@code end}, the instruction after the jump and its trampolines. */
        private static int target(Map<Label, Integer> at, Label label, int end) {
            if (label == Label.NEXT) return end;
            Integer to = at.get(label);
            if (to == null) throw new IllegalStateException("a jump to a label that was never placed");
            return to;
        }

        private static int offset(int to, int from) {
            if (to < from) throw new IllegalStateException("a backward jump: BPF jumps forward only");
            return to - from;
        }
    }
}
