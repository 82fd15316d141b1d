package dev.enviro.runtime.nativeexec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.runtime.ResolvedProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** execve's and sethostname's limits, as fs/exec.c and kernel/sys.c apply them. */
class KernelLimitsTest {

    private static final long STACK_8M = 8L << 20;

    private static ResolvedProcess process(List<String> argv, List<String> env) {
        return new ResolvedProcess(argv, env, "/", 0, 0, List.of());
    }

    @Test
    void theArgumentLimitIsAQuarterOfTheStackBetween128KiBAnd6MiB() {
        assertEquals(2L << 20, KernelLimits.argLimit(STACK_8M));
        assertEquals(6L << 20, KernelLimits.argLimit(Long.MAX_VALUE), "unlimited stack: the 6 MiB cap");
        assertEquals(6L << 20, KernelLimits.argLimit(64L << 20));
        assertEquals(128L << 10, KernelLimits.argLimit(64L << 10), "never below ARG_MAX");
    }

    @Test
    void tenThousandVariablesAndAMegabyteOfArgumentsAreWithinTheKernelsLimits() {
        List<String> env = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) env.add("VARIABLE_" + i + "=value-" + i);
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "true"));
        for (int i = 0; i < 8; i++) argv.add("x".repeat(128 * 1024 - 1));
        assertDoesNotThrow(() -> KernelLimits.checkProcess(process(argv, env), STACK_8M));
    }

    @Test
    void oneStringLongerThanMaxArgStrlenIsRefusedNamingIt() {
        EnviroError e = assertThrows(EnviroError.class,
                () -> KernelLimits.checkProcess(process(List.of("echo", "y".repeat(128 * 1024)), List.of()), STACK_8M));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().startsWith("argument 2 (yyyy"), e.getMessage());
        assertTrue(e.getMessage().contains("131072 bytes; the kernel takes at most 131071"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "the value is not echoed whole");
    }

    @Test
    void argumentsBeyondTheStacksQuarterAreRefused() {
        List<String> argv = new ArrayList<>(List.of("echo"));
        for (int i = 0; i < 20; i++) argv.add("z".repeat(120 * 1024));
        EnviroError e = assertThrows(EnviroError.class, () -> KernelLimits.checkProcess(process(argv, List.of()), STACK_8M));
        assertTrue(e.getMessage().contains("the kernel's execve takes at most 2097152 here"), e.getMessage());
    }

    @Test
    void aNulInAStringIsRefusedAndShownEscaped() {
        EnviroError e = assertThrows(EnviroError.class,
                () -> KernelLimits.checkProcess(process(List.of("true"), List.of("A=x\0y")), STACK_8M));
        assertEquals("environment variable 1 (A=x\\x00y) contains a NUL byte, which no C string can carry: remove it", e.getMessage());
    }

    @Test
    void hostnamesAsSethostnameAndResolversTakeThem() {
        assertDoesNotThrow(() -> KernelLimits.checkHostname("web-1.example"));
        assertDoesNotThrow(() -> KernelLimits.checkHostname("a".repeat(64)));
        assertTrue(assertThrows(EnviroError.class, () -> KernelLimits.checkHostname("a".repeat(100))).getMessage()
                .contains("is 100 bytes; the kernel takes at most 64"));
        assertTrue(assertThrows(EnviroError.class, () -> KernelLimits.checkHostname("-bad")).getMessage().contains("RFC 1123"));
        assertTrue(assertThrows(EnviroError.class, () -> KernelLimits.checkHostname("a b")).getMessage().contains("RFC 1123"));
    }
}
