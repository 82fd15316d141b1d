package dev.enviro.cli;

import dev.enviro.images.registry.DockerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro logout [REGISTRY]}: removes the registry's credentials from ~/.docker/config.json. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove the stored credentials of a registry (default docker.io).")
final class LogoutCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(index = "0", arity = "0..1", paramLabel = "REGISTRY") String registry = "docker.io";

    @Override
    public Integer call() {
        String key = registry.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        if (key.equals("index.docker.io") || key.equals("registry-1.docker.io")) key = "docker.io";
        RegistryLogins logins = RegistryLogins.of(root.caller);
        DockerConfig config = logins.read();
        boolean had = config.erase(key);
        if (had) logins.write(config);
        root.out.println(had ? "Removing login credentials for " + key : "Not logged in to " + key);
        return 0;
    }
}
