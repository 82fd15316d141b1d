package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.Capability;
import dev.enviro.ffm.CapabilitySets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    static final int LAST = 40;

    @Test
    void defaultIsPodmansElevenCapabilities() {
        Set<Capability> set = Capabilities.effectiveSet(List.of(), List.of(), false, LAST);
        assertEquals(EnumSet.of(Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER, Capability.FSETID, Capability.KILL,
                Capability.NET_BIND_SERVICE, Capability.SETFCAP, Capability.SETGID, Capability.SETPCAP, Capability.SETUID,
                Capability.SYS_CHROOT), set);
        // CapBnd of such a container, as /proc/self/status prints it
        assertEquals(0x800405fbL, CapabilitySets.mask(set));
    }

    @Test
    void addAndDropByNameWithOrWithoutPrefixAnyCase() {
        Set<Capability> set = Capabilities.effectiveSet(List.of("sys_admin", "CAP_NET_RAW"), List.of("CHOWN", "cap_kill"), false, LAST);
        assertTrue(set.contains(Capability.SYS_ADMIN) && set.contains(Capability.NET_RAW));
        assertTrue(!set.contains(Capability.CHOWN) && !set.contains(Capability.KILL));
        assertEquals(11, set.size());
    }

    @Test
    void dropAllThenAddGivesExactlyTheAdds() {
        assertEquals(EnumSet.noneOf(Capability.class), Capabilities.effectiveSet(List.of(), List.of("ALL"), false, LAST));
        assertEquals(EnumSet.of(Capability.NET_BIND_SERVICE), Capabilities.effectiveSet(List.of("NET_BIND_SERVICE"), List.of("all"), false, LAST));
    }

    @Test
    void privilegedAndAddAllGiveEveryCapabilityTheKernelKnows() {
        assertEquals(41, Capabilities.effectiveSet(List.of(), List.of(), true, LAST).size());
        assertEquals(38, Capabilities.effectiveSet(List.of("ALL"), List.of(), false, 37).size());
        Set<Capability> privilegedMinus = Capabilities.effectiveSet(List.of(), List.of("SYS_ADMIN"), true, LAST);
        assertEquals(40, privilegedMinus.size());
        assertTrue(!privilegedMinus.contains(Capability.SYS_ADMIN));
    }

    @Test
    void unknownNameIsOneClearError() {
        EnviroError e = assertThrows(EnviroError.class, () -> Capabilities.effectiveSet(List.of("SYS_GOD"), List.of(), false, LAST));
        assertTrue(e.getMessage().startsWith("--cap-add SYS_GOD: unknown capability"), e.getMessage());
    }

    @Test
    void rootGetsTheSetInEffectiveAndPermittedButNothingInheritableOrAmbient() {
        Set<Capability> set = Capabilities.effectiveSet(List.of(), List.of(), false, LAST);
        CapabilitySets s = Capabilities.sets(set, List.of(), 0, LAST);
        long m = CapabilitySets.mask(set);
        assertEquals(new CapabilitySets(m, m, m, 0, 0), s);
    }

    @Test
    void nonRootGetsOnlyWhatCapAddAskedForAndKeepsItAcrossExecThroughAmbient() {
        Set<Capability> set = Capabilities.effectiveSet(List.of("NET_BIND_SERVICE", "NET_ADMIN"), List.of(), false, LAST);
        CapabilitySets s = Capabilities.sets(set, List.of("NET_BIND_SERVICE", "NET_ADMIN"), 1000, LAST);
        long added = Capability.NET_BIND_SERVICE.bit() | Capability.NET_ADMIN.bit();
        assertEquals(new CapabilitySets(CapabilitySets.mask(set), added, added, added, added), s);
        assertEquals(new CapabilitySets(CapabilitySets.mask(set), 0, 0, 0, 0), Capabilities.sets(set, List.of(), 1000, LAST));
    }

    @Test
    void aCapAddedAndDroppedIsNotKeptByANonRootUser() {
        Set<Capability> set = Capabilities.effectiveSet(List.of("NET_ADMIN"), List.of("NET_ADMIN"), false, LAST);
        assertEquals(0, Capabilities.sets(set, List.of("NET_ADMIN"), 1000, LAST).ambient());
    }
}
