package dev.enviro.cli;

import dev.enviro.errors.ErrorCode;
import dev.enviro.errors.EnviroError;
import dev.enviro.images.registry.DockerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;

/**
 * The caller's registry credentials ({@code ~/.docker/config.json}, shared with docker and podman),
 * read and written with the caller's rights through {@link Caller}: written 0600, atomically.
 */
final class RegistryLogins {

    private final Caller caller;
    /** Null when the caller's environment names no place for it (no DOCKER_CONFIG, no HOME). */
    private final String file;

    private RegistryLogins(Caller caller, String file) {
        this.caller = caller;
        this.file = file;
    }

    static RegistryLogins of(Caller caller) {
        return new RegistryLogins(caller, DockerConfig.location(caller.env()).orElse(null));
    }

    String file() {
        return file;
    }

    /** The file as it is now (empty when there is none, or nowhere to look: a pull is then anonymous). */
    DockerConfig read() throws EnviroError {
        if (file == null) return DockerConfig.parse(null, "(no credentials file)");
        byte[] content;
        try (InputStream in = caller.openFile(file)) {
            content = in.readAllBytes();
        } catch (NoSuchFileException e) {
            content = null;
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, file + ": cannot read: " + Caller.reason(e));
        }
        return DockerConfig.parse(content, file);
    }

    void write(DockerConfig config) {
        if (file == null) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot store registry credentials: neither DOCKER_CONFIG nor HOME is set; set one");
        }
        try {
            caller.replaceFile(file, 0600, out -> out.write(config.toBytes()));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, file + ": cannot write: " + Caller.reason(e) + ": check the permissions of its directory");
        }
    }
}
