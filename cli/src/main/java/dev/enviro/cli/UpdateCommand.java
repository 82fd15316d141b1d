package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro update}: new limits for containers; a running one's cgroup takes them at once. */
@Command(name = "update", mixinStandardHelpOptions = true, description = "Change the resource limits of containers.")
final class UpdateCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Mixin ResourceOptions resources;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        if (resources.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "nothing to update: give at least one of --memory, --memory-swap, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit");
        }
        var changes = resources.toMessage(null);
        return EachContainer.apply(root, containers, (client, ref) -> client.update(ref, changes));
    }
}
