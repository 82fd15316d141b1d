package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.grpc.EnviroClient;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Verbs over several containers ({@code stop}, {@code kill}, {@code rm}) act on each, print each
 * name that succeeded and one error line per failure, and end with 125 if any failed, as Docker does.
 */
final class EachContainer {

    private EachContainer() {}

    static int apply(EnviroCommand root, List<String> refs, BiConsumer<EnviroClient, String> action) {
        int exit = 0;
        try (EnviroClient client = root.client()) {
            for (String ref : refs) {
                try {
                    action.accept(client, ref);
                    root.out.println(ref);
                    root.out.flush(); // each as it is done: a stop can take its whole timeout
                } catch (EnviroError e) {
                    exit = ExitCodes.reportOne(e, root.err);
                }
            }
        }
        return exit;
    }
}
