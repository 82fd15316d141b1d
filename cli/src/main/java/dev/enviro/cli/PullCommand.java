package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Image;
import dev.enviro.images.registry.Credentials;
import dev.enviro.images.registry.Reference;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro pull [--platform P] REF}. As docker, the client sends the credentials it holds for
 * the reference's registry (from ~/.docker/config.json, written by {@code enviro login}); the engine
 * keeps none of its own.
 */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image from a registry.")
final class PullCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull from a multi-platform image (default: the engine's).") String platform;
    @Option(names = {"-q", "--quiet"}, description = "Print only the image's name.") boolean quiet;
    @Parameters(index = "0", paramLabel = "IMAGE") String image;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            pull(root, client, image, platform, quiet ? new PrintStream(java.io.OutputStream.nullOutputStream()) : root.out);
            // as docker: the reference pulled, in full (the image may have other names)
            if (quiet) root.out.println(reference(image));
        }
        return 0;
    }

    /** Pulls with the user's stored credentials, showing progress on {@code out}; shared with {@code run}. */
    static Image pull(EnviroCommand root, EnviroClient client, String reference, String platform, PrintStream out) {
        return pull(root, client, reference, platform, out, null);
    }

    /**
     * Nothing is printed until the registry has resolved the reference (a name that exists nowhere
     * fails with one line, as docker's does); then {@code heldLine}, if any, first.
     */
    static Image pull(EnviroCommand root, EnviroClient client, String reference, String platform, PrintStream out,
                      String heldLine) {
        Optional<Credentials> credentials = credentials(root, reference);
        boolean terminal = root.caller.outIsTerminal() && out == root.out;
        PullProgressView view = new PullProgressView(out, terminal).holdUntilResolved(heldLine);
        Image image = view.follow(client.pull(reference, platform,
                credentials.map(Credentials::username).orElse(null), credentials.map(Credentials::secret).orElse(null)));
        out.println("Status: Downloaded image " + reference(reference) + " (" + image.getManifestDigest() + ")");
        out.flush();
        return image;
    }

    /** The reference in full ({@code busybox}: {@code docker.io/library/busybox:latest}). */
    private static String reference(String reference) {
        return Reference.parse(reference).toString();
    }

    private static Optional<Credentials> credentials(EnviroCommand root, String reference) {
        return RegistryLogins.of(root.caller).read().find(Reference.parse(reference).registry());
    }
}
