package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.RemoveImageResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro rmi [-f] IMAGE...}: a name untags (the image goes with its last name), an id removes
 * the image; prints {@code Untagged:} and {@code Deleted:} lines as docker does, one error line per failure.
 */
@Command(name = "rmi", mixinStandardHelpOptions = true, description = "Remove images.")
final class RmiCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-f", "--force"}, description = "Remove the names even of an image a container uses (the image stays, untagged, while it does).")
    boolean force;
    @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

    @Override
    public Integer call() {
        return remove(root, images, force);
    }

    static int remove(EnviroCommand root, List<String> images, boolean force) {
        int exit = 0;
        try (EnviroClient client = root.client()) {
            for (String image : images) {
                try {
                    RemoveImageResponse r = client.removeImage(image, force);
                    r.getUntaggedList().forEach(name -> root.out.println("Untagged: " + name));
                    r.getDeletedList().forEach(id -> root.out.println("Deleted: " + id));
                } catch (EnviroError e) {
                    exit = ExitCodes.reportOne(e, root.err);
                }
            }
        }
        return exit;
    }
}
