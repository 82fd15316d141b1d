package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.images.ImageConfig;
import dev.enviro.runtime.ContainerSpec;
import dev.enviro.runtime.ResolvedProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessResolutionTest {
    private static final UserDatabase USERS = UserDatabase.parse(
            "root:x:0:0:root:/root:/bin/sh\n# comment\nweb:x:33:33:www:/var/www:/bin/false\nbad:x:notanumber:1::/:\n",
            "root:x:0:\nwww-data:x:33:\nlog:x:4:web,other\nstaff:x:50:web\n");
    private static final ImageConfig IMAGE = new ImageConfig(List.of("PATH=/usr/bin:/bin", "LANG=C"), List.of("/entry"), List.of("serve", "--port=80"), "/srv", "web");
    private static final String ID = "0123456789abcdef".repeat(4);

    private static ContainerSpec spec(List<String> entrypoint, List<String> command, List<String> env, String workdir, String user) {
        return new ContainerSpec(ID, new ContainerDefinition("web1", "img", entrypoint, command, env, workdir, user, null, false, null, null, null, null));
    }

    @Test
    void imageConfigIsTheDefault() throws Exception {
        ResolvedProcess p = ProcessResolution.resolve(spec(null, List.of(), List.of(), null, null), IMAGE, USERS);
        assertEquals(List.of("/entry", "serve", "--port=80"), p.argv());
        assertEquals("/srv", p.cwd());
        assertEquals(33, p.uid());
        assertEquals(33, p.gid());
        assertEquals(List.of(4, 50), p.groups());
        assertEquals(List.of("PATH=/usr/bin:/bin", "HOSTNAME=0123456789ab", "LANG=C", "HOME=/var/www"), p.env());
    }

    @Test
    void commandReplacesCmdAndEntrypointReplacesBoth() throws Exception {
        assertEquals(List.of("/entry", "x"), ProcessResolution.resolve(spec(null, List.of("x"), List.of(), null, null), IMAGE, USERS).argv());
        assertEquals(List.of("/bin/sh"), ProcessResolution.resolve(spec(List.of("/bin/sh"), List.of(), List.of(), null, null), IMAGE, USERS).argv());
        EnviroError none = assertThrows(EnviroError.class,
                () -> ProcessResolution.resolve(spec(List.of(), List.of(), List.of(), null, null), IMAGE, USERS));
        assertEquals(ErrorCode.INVALID_ARGUMENT, none.code());
    }

    @Test
    void envOverridesByKeyAndDefaultsPath() throws Exception {
        ImageConfig bare = new ImageConfig(List.of(), List.of(), List.of("sh"), null, null);
        ResolvedProcess p = ProcessResolution.resolve(spec(null, List.of(), List.of("A=1", "HOME=/h", "A=2"), null, null), bare, UserDatabase.EMPTY);
        assertEquals(List.of("PATH=" + ProcessResolution.DEFAULT_PATH, "HOSTNAME=0123456789ab", "A=2", "HOME=/h"), p.env());
        assertEquals("/", p.cwd());
        assertEquals(0, p.uid());
    }

    @Test
    void usersAndGroupsByNameOrNumber() throws Exception {
        ResolvedProcess numeric = ProcessResolution.resolve(spec(null, List.of(), List.of(), null, "1234:5678"), IMAGE, USERS);
        assertEquals(List.of(1234, 5678, 0), List.of(numeric.uid(), numeric.gid(), numeric.groups().size()));
        ResolvedProcess named = ProcessResolution.resolve(spec(null, List.of(), List.of(), null, "web:log"), IMAGE, USERS);
        assertEquals(List.of(33, 4), List.of(named.uid(), named.gid()));
        assertEquals(List.of(50), named.groups()); // the primary group is not repeated
        EnviroError unknown = assertThrows(EnviroError.class,
                () -> ProcessResolution.resolve(spec(null, List.of(), List.of(), null, "bad"), IMAGE, USERS));
        assertTrue(unknown.getMessage().contains("user 'bad' is not in the image's /etc/passwd"), unknown.getMessage());
        assertThrows(EnviroError.class, () -> ProcessResolution.resolve(spec(null, List.of(), List.of(), null, "web:nogroup"), IMAGE, USERS));
        assertThrows(EnviroError.class, () -> ProcessResolution.resolve(spec(null, List.of(), List.of(), "relative", null), IMAGE, USERS));
    }
}
