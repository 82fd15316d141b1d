package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.v1.ContainerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The volume, log, init and env-file flags of {@code run} (docs/volumes.md, docs/logs.md). Syntax is
 * checked here; the engine checks what only it can see (whether a host path exists).
 */
final class StorageFlags {
    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CTR[:ro|rw]",
            description = "Bind-mount an absolute host path into the container (read-only with :ro).")
    List<String> volumes = new ArrayList<>();
    @Option(names = "--tmpfs", paramLabel = "CTR[:OPTIONS]", description = "Mount a tmpfs (options: size=64m,mode=1777,...).")
    List<String> tmpfs = new ArrayList<>();
    @Option(names = "--read-only", description = "Mount the root filesystem read-only (/tmp, /var/tmp, /run get a tmpfs).")
    boolean readOnly;
    @Option(names = "--log-opt", paramLabel = "KEY=VALUE", description = "Log rotation: max-size=10m (default), max-file=5 (default).")
    List<String> logOpts = new ArrayList<>();
    @Option(names = "--init", description = "Run a minimal init as pid 1 that reaps zombies and forwards signals.")
    boolean init;
    @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines from a file (before -e; # starts a comment).")
    List<Path> envFiles = new ArrayList<>();

    void apply(ContainerSpec.Builder spec) {
        for (String v : volumes) {
            String[] parts = v.split(":", -1);
            if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid volume '" + v + "': expected HOST-PATH:CONTAINER-PATH[:ro|rw]");
            }
            if (!parts[0].startsWith("/")) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid volume '" + v + "': the host path must be absolute (named volumes are not supported)");
            }
            if (!parts[1].startsWith("/")) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid volume '" + v + "': the container path must be absolute");
            }
        }
        for (String t : tmpfs) {
            if (!t.startsWith("/")) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid tmpfs '" + t + "': the container path must be absolute");
        }
        for (String o : logOpts) {
            if (o.indexOf('=') <= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid --log-opt '" + o + "': expected KEY=VALUE (max-size=10m, max-file=3)");
        }
        spec.addAllVolumes(volumes).addAllTmpfs(tmpfs).setReadOnly(readOnly).addAllLogOpts(logOpts).setInit(init);
    }

    /**
     * The variables of the --env-file files, in order, read here as Docker's client does: blank lines and
     * lines starting with # are skipped, {@code KEY} alone takes this shell's value (skipped when unset).
     */
    List<String> envFromFiles(Caller caller) {
        Map<String, String> shellEnv = caller.env();
        List<String> env = new ArrayList<>();
        for (Path file : envFiles) {
            List<String> lines;
            try {
                try (java.io.InputStream in = caller.openFile(file.toString())) {
                    lines = utf8(in.readAllBytes()).lines().toList();
                }
            } catch (IOException e) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--env-file " + file + ": cannot read it: " + Caller.reason(e));
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).stripLeading();
                if (line.isEmpty() || line.startsWith("#")) continue;
                int eq = line.indexOf('=');
                if (eq == 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--env-file " + file + ":" + (i + 1) + ": expected KEY=VALUE, got '" + line + "'");
                if (eq > 0) {
                    env.add(line);
                } else if (shellEnv.containsKey(line.strip())) {
                    env.add(line.strip() + "=" + shellEnv.get(line.strip()));
                }
            }
        }
        return env;
    }

    /** The bytes as UTF-8, refused (as java.nio's readers refuse them) when they are not. */
    static String utf8(byte[] bytes) throws java.nio.charset.CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }
}
