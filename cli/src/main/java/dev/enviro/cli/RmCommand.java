package dev.enviro.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro rm}: removes exited containers, running ones too with {@code -f}. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers.")
final class RmCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-f", "--force"}, description = "Kill running containers first.") boolean force;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        return EachContainer.apply(root, containers, (client, ref) -> client.remove(ref, force));
    }
}
