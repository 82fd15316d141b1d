package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro save -o FILE IMAGE...}: one OCI image layout tar (read by {@code enviro load} and
 * {@code skopeo ... oci-archive:FILE}). The engine writes the file itself, by absolute path, as
 * {@code load} reads one: sound on the local unix socket.
 */
@Command(name = "save", mixinStandardHelpOptions = true, description = "Save images to an OCI image layout tar.")
final class SaveCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE") Path output;
    @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            client.saveImages(images, output);
        }
        return 0;
    }
}
