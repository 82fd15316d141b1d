package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro tag SOURCE TARGET}: one more name for an image; silent on success, as docker tag. */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give an image another name.")
final class TagCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(index = "0", paramLabel = "SOURCE") String source;
    @Parameters(index = "1", paramLabel = "TARGET") String target;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            client.tagImage(source, target);
        }
        return 0;
    }
}
