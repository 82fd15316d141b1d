package dev.enviro.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Root of a rootless engine's own user namespace is its user outside: the defaults must be the user's. */
class EffectiveUserTest {

    @Test
    void rootOfTheHostIsRoot() {
        assertEquals(0, EffectiveUser.outside("         0          0 4294967295\n"));
    }

    @Test
    void rootOfAUserNamespaceIsTheIdItsFirstLineMapsZeroTo() {
        assertEquals(1001, EffectiveUser.outside("         0       1001          1\n         1     100000      65536\n"));
        assertEquals(1001, EffectiveUser.outside("1 100000 65536\n0 1001 1\n"));
    }

    @Test
    void aNamespaceThatDoesNotMapZeroMakesItNobody() {
        assertEquals(65534, EffectiveUser.outside("1 100000 65536\n"));
    }

    @Test
    void thisProcessOnTheHostIsWhoItRunsAs() throws Exception {
        int owner = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
        assertEquals(owner, EffectiveUser.uid(), "outside any user namespace of its own, the id is the process's");
    }
}
