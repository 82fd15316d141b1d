package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro stop}: the stop signal, then SIGKILL after the timeout. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running containers.")
final class StopCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before killing (default 10).") Integer seconds;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

    @Override
    public Integer call() {
        if (seconds != null && seconds < 0) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid stop timeout " + seconds + ": it must not be negative");
        }
        return EachContainer.apply(root, containers, (client, ref) -> client.stop(ref, seconds));
    }
}
