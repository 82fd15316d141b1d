package dev.enviro.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro unpause}: thaws the processes {@code pause} froze. */
@Command(name = "unpause", mixinStandardHelpOptions = true, description = "Thaw the processes of paused containers.")
final class UnpauseCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        return EachContainer.apply(root, containers, (client, ref) -> client.unpause(ref));
    }
}
