package dev.enviro.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SideBySideOptionsTest {

    @Test
    void onlyOciRuntimesNeedNoEngine() {
        SideBySideOptions o = SideBySideOptions.parse(List.of("--work", "/w", "--only", "runc,crun", "--bundle", "/b", "--rounds", "5"));
        assertEquals(List.of(VariantKind.CRUN, VariantKind.RUNC), o.orderedVariants());
        assertEquals(5, o.rounds());
        assertEquals(3, o.warmup());
        assertEquals(Path.of("/b"), o.bundle());
    }

    @Test
    void allVariantsByDefaultAndEachNeedsItsPaths() {
        SideBySideOptions o = SideBySideOptions.parse(List.of("--work", "/w", "--socket", "/s", "--enviro", "/e", "--bundle", "/b"));
        assertEquals(List.of(VariantKind.values()), o.orderedVariants());
        assertEquals("localhost/busybox", o.image());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", "api,crun", "--bundle", "/b")));
        assertTrue(e.getMessage().contains("--socket"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", "cli", "--socket", "/s")));
        assertTrue(e.getMessage().contains("--enviro"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", "runc")));
        assertTrue(e.getMessage().contains("--bundle"), e.getMessage());
    }

    @Test
    void mistakesAreNamedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", "crun,podman", "--bundle", "/b")));
        assertEquals("unknown variant 'podman': choose from api,cli,crun,runc", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", "crun", "--bundle", "/b", "--rounds", "many")));
        assertEquals("--rounds takes a whole number, not 'many'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SideBySideOptions.parse(List.of("--only", "crun", "--bundle", "/b")));
        assertThrows(IllegalArgumentException.class, () -> SideBySideOptions.parse(List.of("--work", "/w", "--only", " , ")));
        assertThrows(IllegalArgumentException.class, () -> SideBySideOptions.parse(List.of("--work")));
    }
}
