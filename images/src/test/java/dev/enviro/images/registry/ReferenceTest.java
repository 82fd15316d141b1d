package dev.enviro.images.registry;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.images.oci.Descriptor;
import dev.enviro.images.content.Digest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReferenceTest {
    static final String D = "sha256:" + "a".repeat(64);

    @Test
    void referencesNormalizeAsDockerDoes() throws Exception {
        assertEquals(new Reference("docker.io", "library/busybox", "latest", null), Reference.parse("busybox"));
        assertEquals("registry-1.docker.io", Reference.parse("busybox").apiHost());
        assertEquals(new Reference("127.0.0.1:5000", "ns/name", "v1", null), Reference.parse("127.0.0.1:5000/ns/name:v1"));
        Reference pinned = Reference.parse("ghcr.io/o/r@" + D);
        assertEquals(new Reference("ghcr.io", "o/r", null, D), pinned);
        assertEquals(D, pinned.manifestReference());
        assertNull(pinned.taggedName());
        assertEquals("docker.io/library/busybox:1", Reference.parse("index.docker.io/library/busybox:1").taggedName());
        EnviroError bad = assertThrows(EnviroError.class, () -> Reference.parse("Busybox"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
    }

    @Test
    void plainHttpOnlyForLoopbackAndConfiguredRegistries() {
        assertTrue(RegistryClient.plainHttp("localhost:5000", Set.of()));
        assertTrue(RegistryClient.plainHttp("127.0.0.1:5000", Set.of()));
        assertTrue(RegistryClient.plainHttp("127.10.0.3", Set.of()));
        assertTrue(RegistryClient.plainHttp("[::1]:5000", Set.of()));
        assertFalse(RegistryClient.plainHttp("docker.io", Set.of()));
        assertFalse(RegistryClient.plainHttp("127.0.0.1.example.com", Set.of()));
        assertTrue(RegistryClient.plainHttp("reg.lan:5000", Set.of("reg.lan:5000")));
    }

    @Test
    void platformsParseAndMatchIndexEntries() throws Exception {
        Platform arm = Platform.parse("linux/arm64");
        Descriptor armV8 = new Descriptor("m", Digest.parse(D), 1, Map.of(), "linux", "arm64", "v8");
        Descriptor amd = new Descriptor("m", Digest.parse(D), 1, Map.of(), "linux", "amd64", null);
        assertTrue(arm.matches(armV8));
        assertFalse(arm.matches(amd));
        assertFalse(Platform.parse("linux/arm/v7").matches(new Descriptor("m", Digest.parse(D), 1, Map.of(), "linux", "arm", "v6")));
        assertEquals(Platform.host(), Platform.parse(null));
        assertThrows(EnviroError.class, () -> Platform.parse("linux"));
        assertThrows(EnviroError.class, () -> Platform.parse("linux//"));
    }

    @Test
    void challengesParseQuotedParameters() {
        Challenge c = Challenge.pick(List.of("Basic realm=\"x\"",
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"")).orElseThrow();
        assertEquals("bearer", c.scheme());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io", "scope", "repository:library/busybox:pull"), c.params());
        assertEquals("basic", Challenge.pick(List.of("Basic realm=\"Registry Realm\"")).orElseThrow().scheme());
        assertTrue(Challenge.pick(List.of("Negotiate abc")).isEmpty());
    }

    @Test
    void dockerConfigKeepsOtherKeys() throws Exception {
        byte[] file = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"Ym9iOnB3\"}},\"credsStore\":\"desktop\"}".getBytes();
        DockerConfig config = DockerConfig.parse(file, "config.json");
        assertEquals(new Credentials("bob", "pw"), config.find("docker.io").orElseThrow());
        config.store("127.0.0.1:5000", new Credentials("alice", "s:e:c"));
        DockerConfig written = DockerConfig.parse(config.toBytes(), "config.json");
        assertEquals(new Credentials("alice", "s:e:c"), written.find("127.0.0.1:5000").orElseThrow());
        assertTrue(new String(config.toBytes()).contains("\"credsStore\" : \"desktop\""));
        assertTrue(written.erase("127.0.0.1:5000"));
        assertFalse(written.erase("127.0.0.1:5000"));
        assertTrue(written.find("127.0.0.1:5000").isEmpty());
        assertFalse(new Credentials("a", "secret").toString().contains("secret"));
    }

    @Test
    void dockerConfigIsFoundWhereDockerLooks() throws Exception {
        assertEquals("/d/config.json", DockerConfig.location(Map.of("DOCKER_CONFIG", "/d", "HOME", "/h")).orElseThrow());
        assertEquals("/h/.docker/config.json", DockerConfig.location(Map.of("HOME", "/h")).orElseThrow());
        assertTrue(DockerConfig.location(Map.of()).isEmpty());
        EnviroError e = assertThrows(EnviroError.class, () -> DockerConfig.parse("[1]".getBytes(), "c.json"));
        assertTrue(e.getMessage().startsWith("c.json: "), e.getMessage());
    }
}
