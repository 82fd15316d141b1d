package dev.enviro.cli;

import dev.enviro.errors.ErrorCode;
import dev.enviro.errors.EnviroError;
import dev.enviro.images.registry.Credentials;
import dev.enviro.images.registry.DockerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro login [-u USER] [-p PASS | --password-stdin] [REGISTRY]}: records the credentials in
 * ~/.docker/config.json (0600, written atomically), where docker and podman read them too, once the
 * registry has accepted them (the engine asks it: the engine, not the CLI, speaks to registries).
 */
@Command(name = "login", mixinStandardHelpOptions = true, description = "Store credentials for a registry (default docker.io).")
final class LoginCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-u", "--username"}, paramLabel = "USER") String username;
    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "Prefer --password-stdin: a password here shows in ps.") String password;
    @Option(names = "--password-stdin", description = "Read the password from stdin.") boolean passwordStdin;
    @Parameters(index = "0", arity = "0..1", paramLabel = "REGISTRY") String registry = "docker.io";

    @Override
    public Integer call() throws IOException {
        if (username == null || username.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "a user name is required: enviro login -u USER [--password-stdin] " + registry);
        if (passwordStdin) {
            if (password != null) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--password and --password-stdin are exclusive");
            password = new BufferedReader(new InputStreamReader(root.caller.in(), StandardCharsets.UTF_8)).readLine();
        } else if (password == null) {
            password = root.caller.readPassword("Password: ").orElse(null);
        }
        if (password == null || password.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "a password is required: use --password-stdin or -p");
        String key = registry.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        if (key.equals("index.docker.io") || key.equals("registry-1.docker.io")) key = "docker.io";
        RegistryLogins logins = RegistryLogins.of(root.caller);
        DockerConfig config = logins.read();
        // asked of the registry before they are stored, as docker login does: credentials it refuses are not
        try (dev.enviro.grpc.EnviroClient client = root.client()) {
            client.checkLogin(registry, username, password);
        }
        config.store(key, new Credentials(username, password));
        logins.write(config);
        root.out.println("Login Succeeded (credentials for " + key + " checked with the registry and stored in " + logins.file() + ")");
        return 0;
    }
}
