package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import static dev.enviro.cli.InspectOutput.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ImageLayer;
import dev.enviro.grpc.v1.InspectImageResponse;
import dev.enviro.grpc.v1.PruneImagesResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro image inspect|prune|rm|ls}: the image management verbs, as {@code docker image}. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage images.",
        subcommands = {ImageCommand.Inspect.class, ImageCommand.Prune.class, ImageCommand.Rm.class, ImageCommand.Ls.class})
final class ImageCommand implements Runnable {

    @ParentCommand EnviroCommand root;

    @Override
    public void run() {
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "'enviro image' needs a command: inspect, prune, rm or ls. See 'enviro image --help'.");
    }

    /** A JSON array, one object per image found (docker's field names where they exist); errors for the others. */
    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show images as JSON.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand ImageCommand image;
        @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;
        @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE", description = "Print each image through a template, e.g. '{{.Id}}'.")
        String format;

        @Override
        public Integer call() throws Exception {
            return new InspectOutput(format).print(image.root, images, (client, ref) -> json(client.inspectImage(ref)));
        }
    }

    static ObjectNode json(InspectImageResponse r) throws java.io.IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("Id", r.getImage().getId());
        o.put("ManifestDigest", r.getImage().getManifestDigest());
        r.getImage().getNamesList().forEach(o.putArray("RepoTags")::add);
        r.getDigestsList().forEach(o.putArray("RepoDigests")::add);
        if (r.getImage().hasCreated()) o.put("Created", Timestamps.instant(r.getImage().getCreated()).toString());
        o.put("Size", r.getImage().getSize());
        o.put("Os", r.getOs());
        o.put("Architecture", r.getArchitecture());
        JsonNode config = JSON.readTree(r.getConfigJson());
        o.set("Config", config.path("config").isObject() ? config.path("config") : JSON.createObjectNode());
        ObjectNode rootfs = o.putObject("RootFS");
        rootfs.put("Type", "layers");
        ArrayNode diffIds = rootfs.putArray("Layers");
        ArrayNode layers = o.putArray("Layers");
        for (ImageLayer l : r.getLayersList()) {
            diffIds.add(l.getDiffId());
            layers.addObject().put("Digest", l.getDigest()).put("DiffID", l.getDiffId()).put("Size", l.getSize()).put("MediaType", l.getMediaType());
        }
        return o;
    }

    /** Unused images and garbage; prints what went and the space reclaimed, as docker image prune. */
    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove unused images and collect unreferenced layers and blobs.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand ImageCommand image;
        @Option(names = {"-a", "--all"}, description = "Remove every image no container uses, not only untagged ones.") boolean all;
        // docker asks for confirmation without -f; this verb has no prompt, so -f is accepted and changes nothing
        @Option(names = {"-f", "--force"}, description = "Do not prompt (there is no prompt).") boolean force;

        @Override
        public Integer call() {
            EnviroCommand root = image.root;
            PruneImagesResponse r;
            try (EnviroClient client = root.client()) {
                r = client.pruneImages(all);
            }
            if (r.getDeletedCount() + r.getUntaggedCount() > 0) {
                root.out.println("Deleted Images:");
                r.getUntaggedList().forEach(n -> root.out.println("untagged: " + n));
                r.getDeletedList().forEach(id -> root.out.println("deleted: " + id));
                root.out.println();
            }
            root.out.println("Collected " + r.getBlobs() + " blobs and " + r.getSnapshots() + " layer snapshots");
            root.out.println("Total reclaimed space: " + ImagesCommand.size(r.getReclaimedBytes()));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove images (as 'enviro rmi').")
    static final class Rm implements Callable<Integer> {
        @ParentCommand ImageCommand image;
        @Option(names = {"-f", "--force"}, description = "As 'enviro rmi -f'.") boolean force;
        @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

        @Override
        public Integer call() {
            return RmiCommand.remove(image.root, images, force);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List images (as 'enviro images').")
    static final class Ls implements Callable<Integer> {
        @ParentCommand ImageCommand image;

        @Override
        public Integer call() {
            try (EnviroClient client = image.root.client()) {
                ImagesCommand.table(client.listImages(), java.time.Instant.now()).print(image.root.out);
            }
            return 0;
        }
    }
}
