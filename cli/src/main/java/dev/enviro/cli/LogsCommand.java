package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro logs}: the container's output, stdout to stdout and stderr to stderr. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a container's output.")
final class LogsCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-f", "--follow"}, description = "Keep printing until the container exits.") boolean follow;
    @Parameters(paramLabel = "CONTAINER") String container;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            // followed output is shown as it comes; a log read to its end goes out in as few writes as fit
            client.logs(container, follow).forEachRemaining(chunk -> RunCommand.write(chunk, root.out, root.err, follow));
        }
        return 0;
    }
}
