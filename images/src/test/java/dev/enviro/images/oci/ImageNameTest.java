package dev.enviro.images.oci;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ImageNameTest {
    @Test
    void namesAreNormalizedAsDockerDoes() {
        assertEquals("docker.io/library/busybox:latest", ImageName.normalize("busybox"));
        assertEquals("docker.io/library/busybox:1.36", ImageName.normalize("busybox:1.36"));
        assertEquals("docker.io/library/busybox:latest", ImageName.normalize("docker.io/busybox"));
        assertEquals("docker.io/library/busybox:latest", ImageName.normalize("index.docker.io/library/busybox"));
        assertEquals("docker.io/me/tool:latest", ImageName.normalize("me/tool"));
        assertEquals("localhost/busybox:latest", ImageName.normalize("localhost/busybox"));
        assertEquals("localhost:5000/a/b:v1", ImageName.normalize("localhost:5000/a/b:v1"));
        assertEquals("quay.io/x/y@sha256:" + "a".repeat(64), ImageName.normalize("quay.io/x/y@sha256:" + "a".repeat(64)));
    }

    @Test
    void invalidNamesAreRefused() {
        for (String bad : new String[] {"", "Busybox", "a//b", "a:b:c", "-x", "a/../b", "x@sha256:zz"}) {
            assertThrows(IllegalArgumentException.class, () -> ImageName.normalize(bad), bad);
        }
    }

    @Test
    void aRefNameAnnotationIsATagOrAName() {
        assertTrue(ImageName.isTagOnly("latest"));
        assertTrue(ImageName.isTagOnly("v1.2"));
        assertFalse(ImageName.isTagOnly("localhost/busybox:latest"));
        assertFalse(ImageName.isTagOnly("busybox:latest"));
    }
}
