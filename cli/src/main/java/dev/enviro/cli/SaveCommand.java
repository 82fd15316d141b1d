package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro save -o FILE IMAGE...}: one OCI image layout tar (read by {@code enviro load} and
 * {@code skopeo ... oci-archive:FILE}), streamed from the engine and written with the caller's rights,
 * whole or not at all.
 */
@Command(name = "save", mixinStandardHelpOptions = true, description = "Save images to an OCI image layout tar.")
final class SaveCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE") String output;
    @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            root.caller.replaceFile(output, 0644, archive -> client.saveImages(images, archive));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "cannot save to " + output + ": " + Caller.reason(e));
        }
        return 0;
    }
}
