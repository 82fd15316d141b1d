package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Image;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro load -i FILE}: the archive is read with the caller's rights and sent in the call; the
 * engine never opens the path.
 */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load an image from an OCI layout tar or a docker-save archive.")
final class LoadCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE") String input;

    @Override
    public Integer call() {
        try (InputStream archive = root.caller.openFile(input); EnviroClient client = root.client()) {
            for (Image image : client.loadImage(archive, input)) {
                if (image.getNamesCount() == 0) {
                    root.out.println("Loaded image ID: " + image.getId());
                }
                image.getNamesList().forEach(name -> root.out.println("Loaded image: " + name));
            }
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot load " + input + ": " + Caller.reason(e));
        }
        return 0;
    }
}
