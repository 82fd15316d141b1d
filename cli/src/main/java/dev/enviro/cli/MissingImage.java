package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.RunEvent;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * {@code run} of an image that is not in the store pulls it first, as the docker CLI does: the run
 * is refused NOT_FOUND for the image, the CLI pulls (progress on stderr, so stdout stays the
 * container's) and runs again. Done in the client, not the engine, so the user sees the pull's
 * progress and the stored credentials of the CLI's user are used.
 */
final class MissingImage {
    private MissingImage() {}

    static Iterator<RunEvent> runPulling(EnviroCommand root, EnviroClient client, ContainerSpec spec, boolean detach) {
        Iterator<RunEvent> events = client.run(spec, detach);
        RunEvent first;
        try {
            if (!events.hasNext()) return events;
            first = events.next();
        } catch (EnviroError e) {
            if (!isMissingImage(e)) throw e;
            try {
                PullCommand.pull(root, client, spec.getImage(), null, root.err,
                        "Unable to find image '" + spec.getImage() + "' locally");
            } catch (EnviroError pullFailed) {
                if (pullFailed.is(ErrorCode.UNREACHABLE)) throw pullFailed;
                // One line: the image is neither here nor pullable, and why.
                throw pullFailed.within("image \"" + spec.getImage() + "\" not found locally, and pulling it failed: ");
            }
            return client.run(spec, detach);
        }
        return prepend(first, events);
    }

    /** The store's NOT_FOUND for an image reads {@code image "NAME" not found: ...} (LocalImageStore.notFound). */
    static boolean isMissingImage(EnviroError e) {
        return e.is(ErrorCode.NOT_FOUND) && e.getMessage() != null && e.getMessage().startsWith("image \"");
    }

    private static Iterator<RunEvent> prepend(RunEvent first, Iterator<RunEvent> rest) {
        return new Iterator<>() {
            boolean taken;

            @Override
            public boolean hasNext() {
                return !taken || rest.hasNext();
            }

            @Override
            public RunEvent next() {
                if (!taken) {
                    taken = true;
                    return first;
                }
                if (!rest.hasNext()) throw new NoSuchElementException();
                return rest.next();
            }
        };
    }
}
