package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.ResourceLimit;
import dev.enviro.ffm.ResourceLimit.Resource;
import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.persistence.SecurityOptions;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SecurityProfileTest {

    /** An engine whose hard limits are 20000 open files (as on the CI machine) and unlimited otherwise. */
    static final Function<Resource, ResourceLimit> ENGINE = r -> r == Resource.NOFILE
            ? new ResourceLimit(r, 20000, 20000) : new ResourceLimit(r, ResourceLimit.INFINITY, ResourceLimit.INFINITY);

    static SecurityProfile resolve(List<String> opts, List<String> ulimits, boolean privileged) {
        return SecurityProfile.resolve(new SecurityOptions(List.of(), List.of(), privileged, opts, ulimits), 40, ENGINE);
    }

    @Test
    void defaultsAreNoNewPrivsDefaultSeccompMaskedPathsAndNofileAtTheEnginesHardLimit() {
        SecurityProfile p = resolve(List.of(), List.of(), false);
        assertTrue(p.noNewPrivileges());
        assertEquals("default", p.seccompMode());
        assertEquals(List.of(new ResourceLimit(Resource.NOFILE, 20000, 20000)), p.rlimits());
        HelperPlan.Security s = p.plan("/r", 0);
        assertTrue(s.maskedPaths().contains("/r/proc/kcore"));
        assertTrue(s.readOnlyPaths().contains("/r/proc/sysrq-trigger"));
        assertTrue(s.seccompFilter().length > 0);
        assertEquals(0x800405fbL, s.capabilities().bounding());
    }

    @Test
    void privilegedHasNoFilterNoMasksEveryCapabilityButKeepsNoNewPrivs() {
        SecurityProfile p = resolve(List.of(), List.of(), true);
        HelperPlan.Security s = p.plan("/r", 0);
        assertEquals("unconfined", p.seccompMode());
        assertEquals(0, s.seccompFilter().length);
        assertTrue(s.maskedPaths().isEmpty() && s.readOnlyPaths().isEmpty());
        assertEquals((1L << 41) - 1, s.capabilities().bounding());
        assertTrue(s.noNewPrivileges());
    }

    @Test
    void securityOptSpellings() {
        assertFalse(resolve(List.of("no-new-privileges=false"), List.of(), false).noNewPrivileges());
        assertFalse(resolve(List.of("no-new-privileges:false"), List.of(), false).noNewPrivileges());
        assertTrue(resolve(List.of("no-new-privileges"), List.of(), false).noNewPrivileges());
        SecurityProfile unconfined = resolve(List.of("seccomp=unconfined"), List.of(), false);
        assertNull(unconfined.seccomp());
        assertEquals(0, unconfined.plan("/r", 0).seccompFilter().length);
        assertEquals("custom", resolve(List.of("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"), List.of(), false).seccompMode());
        assertTrue(assertThrows(EnviroError.class, () -> resolve(List.of("selinux=x"), List.of(), false))
                .getMessage().startsWith("--security-opt selinux=x: unknown option"));
        assertTrue(assertThrows(EnviroError.class, () -> resolve(List.of("seccomp=/no/such.json"), List.of(), false))
                .getMessage().startsWith("--security-opt seccomp=/no/such.json: cannot read /no/such.json"));
    }

    @Test
    void ulimits() {
        SecurityProfile p = resolve(List.of(), List.of("nofile=1024:2048", "core=0", "nproc=-1:unlimited"), false);
        // in the kernel's resource order
        assertEquals(List.of(new ResourceLimit(Resource.CORE, 0, 0), new ResourceLimit(Resource.NPROC, ResourceLimit.INFINITY, ResourceLimit.INFINITY),
                new ResourceLimit(Resource.NOFILE, 1024, 2048)), p.rlimits());
        EnviroError above = assertThrows(EnviroError.class, () -> resolve(List.of(), List.of("nofile=30000:30000"), false));
        assertTrue(above.getMessage().startsWith("--ulimit nofile=30000:30000: above the engine's hard limit 20000"), above.getMessage());
        assertTrue(assertThrows(EnviroError.class, () -> resolve(List.of(), List.of("nofile=10:5"), false))
                .getMessage().contains("soft limit 10 is above the hard limit 5"));
        assertTrue(assertThrows(EnviroError.class, () -> resolve(List.of(), List.of("files=10"), false))
                .getMessage().startsWith("--ulimit files=10: unknown limit"));
        assertTrue(assertThrows(EnviroError.class, () -> resolve(List.of(), List.of("nofile=many"), false))
                .getMessage().contains("is not a number"));
    }
}
