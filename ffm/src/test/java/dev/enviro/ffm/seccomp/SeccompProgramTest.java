package dev.enviro.ffm.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.seccomp.ArgCondition.Op;
import dev.enviro.ffm.seccomp.BpfInterpreter.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The assembler, checked by running its programs over calls and comparing with the rules' meaning. */
class SeccompProgramTest {

    static final SeccompArch X86 = SeccompArch.X86_64;
    static final int ARCH = X86.auditArch;
    static final SeccompAction EPERM = new SeccompAction.Errno(1);

    static int run(SeccompProgram p, int nr, long... args) {
        return BpfInterpreter.run(p.instructions(), new Call(ARCH, nr, args));
    }

    @Test
    void unlistedCallsGetTheDefaultAndListedOnesTheirAction() {
        SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS,
                List.of(SeccompRule.of(0, SeccompAction.ALLOW), SeccompRule.of(1, SeccompAction.ALLOW), SeccompRule.of(59, SeccompAction.ALLOW)));
        assertEquals(SeccompAction.ALLOW.ret(), run(p, 0));
        assertEquals(SeccompAction.ALLOW.ret(), run(p, 59));
        assertEquals(EPERM.ret(), run(p, 2));
        assertEquals(EPERM.ret(), run(p, 250));
    }

    @Test
    void otherArchitecturesAndX32NumbersAreKilled() {
        SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS, List.of(SeccompRule.of(0, SeccompAction.ALLOW)));
        int i386 = 0x40000003;
        assertEquals(SeccompAction.KILL_PROCESS.ret(), BpfInterpreter.run(p.instructions(), new Call(i386, 0)));
        assertEquals(SeccompAction.KILL_PROCESS.ret(), run(p, 0x40000000)); // x32 read
        assertEquals(SeccompAction.ALLOW.ret(), run(p, 0));
    }

    @Test
    void everyOperatorMatchesItsMeaningOn64BitValuesIncludingHighHalves() {
        long[] values = {0, 1, 7, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0007L, 0xffff_ffff_ffff_ffffL, 0x8000_0000_0000_0000L, 40};
        for (Op op : Op.values()) {
            for (long v : values) {
                ArgCondition c = op == Op.MASKED_EQ ? new ArgCondition(2, op, v, v & 0x1_0000_0001L) : ArgCondition.of(2, op, v);
                SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS, List.of(SeccompRule.of(41, SeccompAction.ALLOW, c)));
                for (long arg : values) {
                    for (long a : new long[] {arg, arg + 1, arg - 1}) {
                        int expected = c.test(a) ? SeccompAction.ALLOW.ret() : EPERM.ret();
                        assertEquals(expected, run(p, 41, 0, 0, a), op + " " + Long.toHexString(v) + " on " + Long.toHexString(a));
                    }
                }
            }
        }
    }

    @Test
    void conditionsOfOneRuleAreAndedAndRulesOfOneCallAreTriedInOrder() {
        SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS, List.of(
                SeccompRule.of(9, new SeccompAction.Errno(13), ArgCondition.of(0, Op.EQ, 1), ArgCondition.of(1, Op.EQ, 2)),
                SeccompRule.of(9, SeccompAction.ALLOW, ArgCondition.of(0, Op.EQ, 1)),
                SeccompRule.of(9, new SeccompAction.Errno(22), ArgCondition.of(0, Op.EQ, 5))));
        assertEquals(new SeccompAction.Errno(13).ret(), run(p, 9, 1, 2));
        assertEquals(SeccompAction.ALLOW.ret(), run(p, 9, 1, 3));
        assertEquals(new SeccompAction.Errno(22).ret(), run(p, 9, 5, 2));
        assertEquals(EPERM.ret(), run(p, 9, 6));
    }

    /** Hundreds of rules put blocks far beyond a conditional jump's 255-instruction reach. */
    @Test
    void farTargetsAreReachedThroughTrampolines() {
        Random random = new Random(42);
        List<SeccompRule> rules = new ArrayList<>();
        List<long[]> allowed = new ArrayList<>();
        for (int nr = 0; nr < 400; nr++) {
            if (nr % 3 == 0) {
                rules.add(SeccompRule.of(nr, SeccompAction.ALLOW));
            } else {
                long v = random.nextLong();
                rules.add(SeccompRule.of(nr, SeccompAction.ALLOW, ArgCondition.of(nr % 6, Op.EQ, v), ArgCondition.of((nr + 1) % 6, Op.NE, v)));
                allowed.add(new long[] {nr, v});
            }
        }
        SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS, rules);
        assertTrue(p.length() > 2000, "the program is long enough to need long jumps: " + p.length());
        assertTrue(p.instructions().stream().anyMatch(i -> i.code() == SeccompProgram.JA && i.k() > 255), "some jump goes beyond 255");
        for (int nr = 0; nr < 400; nr += 3) assertEquals(SeccompAction.ALLOW.ret(), run(p, nr), "nr " + nr);
        for (long[] a : allowed) {
            int nr = (int) a[0];
            long[] args = new long[6];
            args[nr % 6] = a[1];
            args[(nr + 1) % 6] = a[1] + 1;
            assertEquals(SeccompAction.ALLOW.ret(), run(p, nr, args), "nr " + nr);
            args[nr % 6] = a[1] ^ 1;
            assertEquals(EPERM.ret(), run(p, nr, args), "nr " + nr);
        }
        assertEquals(EPERM.ret(), run(p, 400));
        for (SeccompProgram.Instruction i : p.instructions()) {
            assertTrue(i.jt() <= 255 && i.jf() <= 255, "an 8-bit offset: " + i);
        }
    }

    @Test
    void bytesAreTheKernelsStructSockFilter() {
        SeccompProgram p = SeccompProgram.assemble(X86, EPERM, SeccompAction.KILL_PROCESS, List.of());
        byte[] b = p.bytes();
        assertEquals(8 * p.length(), b.length);
        // ld [4]: code 0x20, jt 0, jf 0, k 4
        assertEquals(List.of((byte) 0x20, (byte) 0, (byte) 0, (byte) 0, (byte) 4), List.of(b[0], b[1], b[2], b[3], b[4]));
    }

    @Test
    void syscallTableKnowsTheNumbers() {
        assertEquals(0, X86.number("read").orElseThrow());
        assertEquals(59, X86.number("execve").orElseThrow());
        assertEquals(250, X86.number("keyctl").orElseThrow());
        assertEquals(435, X86.number("clone3").orElseThrow());
        assertTrue(X86.number("no_such_call").isEmpty());
    }

    @Test
    void actionsRejectImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new SeccompAction.Errno(5000));
        assertThrows(IllegalArgumentException.class, () -> ArgCondition.of(6, Op.EQ, 0));
    }
}
