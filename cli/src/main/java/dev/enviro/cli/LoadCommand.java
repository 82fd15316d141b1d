package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro load -i FILE}: the engine reads the archive itself, by absolute path; sound on the
 * local unix socket where the CLI and the engine share a filesystem.
 */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load an image from an OCI layout or a docker-save archive.")
final class LoadCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE") Path input;

    @Override
    public Integer call() {
        if (!Files.exists(input)) {
            throw new UsageException("cannot load " + input + ": no such file or directory");
        }
        try (EnviroClient client = root.client()) {
            for (Image image : client.loadImage(input)) {
                if (image.getNamesCount() == 0) {
                    root.out.println("Loaded image ID: " + image.getId());
                }
                image.getNamesList().forEach(name -> root.out.println("Loaded image: " + name));
            }
        }
        return 0;
    }
}
