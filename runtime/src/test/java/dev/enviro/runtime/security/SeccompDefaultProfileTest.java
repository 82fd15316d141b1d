package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.Capability;
import dev.enviro.ffm.seccomp.BpfInterpreter;
import dev.enviro.ffm.seccomp.BpfInterpreter.Call;
import dev.enviro.ffm.seccomp.SeccompArch;
import dev.enviro.ffm.seccomp.SeccompProgram;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The built-in profile, compiled for a default container and run over a table of calls: the policy
 * decisions of docs/security.md, each one a row.
 */
class SeccompDefaultProfileTest {

    static final SeccompArch X86 = SeccompArch.X86_64;
    static final int ALLOW = 0x7fff0000, EPERM = 0x00050001, ENOSYS = 0x00050026, KILL = 0x80000000;
    static final long CLONE_NEWUSER = 0x10000000L, CLONE_NEWNS = 0x00020000L, CLONE_THREAD_FLAGS = 0x003d0f00L, SIGCHLD = 17;

    static final Set<Capability> DEFAULT_CAPS = Capabilities.effectiveSet(List.of(), List.of(), false, 40);
    static final SeccompProgram DEFAULT = SeccompProfile.builtIn().compile(X86, DEFAULT_CAPS, "6.18.44");

    static int run(SeccompProgram p, String syscall, long... args) {
        return BpfInterpreter.run(p.instructions(), new Call(X86.auditArch, X86.number(syscall).orElseThrow(), args));
    }

    @ParameterizedTest(name = "{0}({1}) -> {2}")
    @CsvSource({
            "read, 0, ALLOW",
            "write, 0, ALLOW",
            "execve, 0, ALLOW",
            "exit_group, 0, ALLOW",
            "openat, 0, ALLOW",
            "keyctl, 0, EPERM",
            "add_key, 0, EPERM",
            "request_key, 0, EPERM",
            "kexec_load, 0, EPERM",
            "kexec_file_load, 0, EPERM",
            "init_module, 0, EPERM",
            "finit_module, 0, EPERM",
            "delete_module, 0, EPERM",
            "mount, 0, EPERM",
            "umount2, 0, EPERM",
            "unshare, 268435456, EPERM",
            "setns, 0, EPERM",
            "pivot_root, 0, EPERM",
            "bpf, 0, EPERM",
            "perf_event_open, 0, EPERM",
            "userfaultfd, 0, EPERM",
            "swapon, 0, EPERM",
            "reboot, 0, EPERM",
            "clock_settime, 0, EPERM",
            "open_by_handle_at, 0, EPERM",
            "ptrace, 0, ALLOW",
            "process_vm_readv, 0, ALLOW",
            "chroot, 0, ALLOW",
            "clone3, 0, ENOSYS",
            "personality, 0, ALLOW",
            "personality, 8, ALLOW",
            "personality, 131072, ALLOW",
            "personality, 131080, ALLOW",
            "personality, 4294967295, ALLOW",
            "personality, 4, EPERM",
            "personality, 4194304, EPERM",
            "socket, 1, ALLOW",
            "socket, 2, ALLOW",
            "socket, 10, ALLOW",
            "socket, 16, ALLOW",
            "socket, 40, EPERM",
            "arch_prctl, 0, ALLOW",
    })
    void defaultContainer(String syscall, long arg0, String expected) {
        assertEquals(code(expected), run(DEFAULT, syscall, arg0), syscall + "(" + arg0 + ")");
    }

    @Test
    void cloneIsAllowedForForkAndThreadsButNotForNamespaces() {
        assertEquals(ALLOW, run(DEFAULT, "clone", SIGCHLD));
        assertEquals(ALLOW, run(DEFAULT, "clone", CLONE_THREAD_FLAGS));
        assertEquals(EPERM, run(DEFAULT, "clone", CLONE_NEWUSER | SIGCHLD));
        assertEquals(EPERM, run(DEFAULT, "clone", CLONE_NEWNS | SIGCHLD));
        // the flag in the upper half of the register is not a namespace flag: still a plain clone
        assertEquals(ALLOW, run(DEFAULT, "clone", 0x1_0000_0000L | SIGCHLD));
    }

    @Test
    void x32AndForeignArchitecturesAreKilled() {
        assertEquals(KILL, BpfInterpreter.run(DEFAULT.instructions(), new Call(X86.auditArch, 0x40000000 | 1)));
        assertEquals(KILL, BpfInterpreter.run(DEFAULT.instructions(), new Call(0x40000003, 1))); // AUDIT_ARCH_I386
    }

    @Test
    void capAddSysAdminOpensMountAndNamespacesAndClone3() {
        Set<Capability> caps = Capabilities.effectiveSet(List.of("SYS_ADMIN"), List.of(), false, 40);
        SeccompProgram p = SeccompProfile.builtIn().compile(X86, caps, "6.18.44");
        assertEquals(ALLOW, run(p, "mount"));
        assertEquals(ALLOW, run(p, "unshare", CLONE_NEWUSER));
        assertEquals(ALLOW, run(p, "clone", CLONE_NEWUSER | SIGCHLD));
        assertEquals(ALLOW, run(p, "clone3"));
        assertEquals(EPERM, run(p, "keyctl"));
    }

    @Test
    void capabilityGatedCallsFollowTheCapabilities() {
        Set<Capability> caps = EnumSet.of(Capability.SYS_MODULE, Capability.SYS_TIME);
        SeccompProgram p = SeccompProfile.builtIn().compile(X86, caps, "6.18.44");
        assertEquals(ALLOW, run(p, "init_module"));
        assertEquals(ALLOW, run(p, "clock_settime"));
        assertEquals(EPERM, run(p, "chroot")); // SYS_CHROOT was not kept
    }

    @Test
    void ptraceNeedsKernel48WithoutCapSysPtrace() {
        SeccompProgram old = SeccompProfile.builtIn().compile(X86, DEFAULT_CAPS, "4.4.0-generic");
        assertEquals(EPERM, run(old, "ptrace"));
        assertEquals(ALLOW, run(old, "read"));
    }

    @Test
    void userProfileInDockerFormat() {
        String json = """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [
                   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
                   {"names": ["not_a_call_here"], "action": "SCMP_ACT_KILL"}
                 ]}""";
        SeccompProgram p = SeccompProfile.parse(json, "p.json").compile(X86, DEFAULT_CAPS, "6.18.44");
        assertEquals(0x0005000d, run(p, "mkdirat"));
        assertEquals(EPERM, run(p, "kill", 1, 9));
        assertEquals(ALLOW, run(p, "kill", 1, 15));
        assertEquals(ALLOW, run(p, "keyctl"));
    }

    @Test
    void brokenProfilesAreRefusedWithTheirName() {
        assertTrue(assertThrows(EnviroError.class, () -> SeccompProfile.parse("{", "p.json")).getMessage().contains("p.json: not JSON"));
        assertTrue(assertThrows(EnviroError.class, () -> SeccompProfile.parse("{\"syscalls\": []}", "p.json"))
                .getMessage().contains("\"defaultAction\" is missing"));
        assertTrue(assertThrows(EnviroError.class, () -> SeccompProfile.parse(
                "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "p.json")).getMessage().contains("not supported"));
        assertTrue(assertThrows(EnviroError.class, () -> SeccompProfile.parse(
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_AARCH64\"]}", "p.json")
                .compile(X86, DEFAULT_CAPS, "6.1")).getMessage().contains("SCMP_ARCH_X86_64"));
    }

    private static int code(String name) {
        return switch (name) {
            case "ALLOW" -> ALLOW;
            case "EPERM" -> EPERM;
            case "ENOSYS" -> ENOSYS;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
