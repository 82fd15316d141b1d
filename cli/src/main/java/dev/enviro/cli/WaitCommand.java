package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro wait}: blocks until the container exits and prints its exit code. */
@Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait for a container to exit; print its exit code.")
final class WaitCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(paramLabel = "CONTAINER") String container;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            root.out.println(client.await(container).getExitCode());
            root.out.flush();
        }
        return 0;
    }
}
