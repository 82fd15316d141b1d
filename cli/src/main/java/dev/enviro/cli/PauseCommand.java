package dev.enviro.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro pause}: freezes every process of the containers (cgroup freezer). */
@Command(name = "pause", mixinStandardHelpOptions = true, description = "Freeze all processes of running containers.")
final class PauseCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        return EachContainer.apply(root, containers, (client, ref) -> client.pause(ref));
    }
}
