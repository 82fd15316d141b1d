package dev.enviro.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro kill}: a signal (KILL by default) to the containers' init. */
@Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal to running containers.")
final class KillCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL", description = "Name or number (default KILL).") String signal;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        int number = Signals.parse(signal);
        return EachContainer.apply(root, containers, (client, ref) -> client.kill(ref, number));
    }
}
