package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Event;
import dev.enviro.grpc.v1.EventsRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro events}: the engine's audit log, one line per event, oldest first:
 * {@code <time> <topic> <subject> (key=value, ..., node=N, correlation=C, offset=O)}.
 */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Show lifecycle events from the engine's journal.")
final class EventsCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = "--since", paramLabel = "TIME", description = "RFC 3339 time, unix seconds, or a duration ago (10m, 2h).")
    String since;
    @Option(names = "--until", paramLabel = "TIME", description = "As --since; with --follow, the stream ends then.")
    String until;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "container=NAME|ID, image=REF, type=Exited|/tasks/exit; repeatable.")
    List<String> filters = new ArrayList<>();
    @Option(names = "--follow", description = "Keep streaming new events (from now, unless --since or --after).") boolean follow;
    @Option(names = "--after", paramLabel = "OFFSET", description = "Resume after this journal offset.") long after;

    @Override
    public Integer call() {
        EventsRequest.Builder request = EventsRequest.newBuilder().setFollow(follow).setAfterOffset(after);
        Instant now = Instant.now();
        if (since != null) request.setSince(Timestamps.timestamp(time(since, now, "--since")));
        if (until != null) request.setUntil(Timestamps.timestamp(time(until, now, "--until")));
        for (String filter : filters) {
            int eq = filter.indexOf('=');
            String key = eq > 0 ? filter.substring(0, eq) : "";
            String value = eq > 0 ? filter.substring(eq + 1) : "";
            switch (key) {
                case "container", "image" -> request.addSubjects(value);
                case "type", "event" -> request.addTypes(value);
                default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid filter '" + filter + "': use container=X, image=X or type=X");
            }
        }
        try (EnviroClient client = root.client()) {
            Iterator<Event> events = client.events(request.build());
            while (events.hasNext()) {
                root.out.println(line(events.next()));
                if (follow) root.out.flush();
            }
        }
        return 0;
    }

    /** {@code inspect --history}: every event of each container, oldest first. */
    static int printHistory(EnviroCommand root, List<String> containers) {
        int exit = 0;
        try (EnviroClient client = root.client()) {
            for (String ref : containers) {
                try {
                    client.history(ref).forEach(e -> root.out.println(line(e)));
                } catch (EnviroError e) {
                    exit = ExitCodes.reportOne(e, root.err);
                }
            }
        }
        return exit;
    }

    static String line(Event e) {
        String attributes = new java.util.TreeMap<>(e.getAttributesMap()).entrySet().stream()
                .map(Map.Entry::toString).collect(Collectors.joining(", "));
        return Timestamps.instant(e.getTimestamp()) + " " + e.getTopic() + " " + e.getSubject() + " ("
                + (attributes.isEmpty() ? "" : attributes + ", ") + "type=" + e.getType() + ", node=" + e.getNode()
                + ", correlation=" + e.getCorrelationId() + ", offset=" + e.getOffset() + ")";
    }

    static Instant time(String text, Instant now, String option) {
        if (text.equals("now")) return now;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notRfc3339) {
            // fall through
        }
        if (text.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(text));
        }
        if (text.matches("\\d+(ms|s|m|h)")) {
            String unit = text.replaceAll("\\d+", "");
            long n = Long.parseLong(text.substring(0, text.length() - unit.length()));
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            return now.minus(d);
        }
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid time for " + option + " '" + text + "': use RFC 3339 (2025-01-02T03:04:05Z), unix seconds, a duration ago (10m) or now");
    }
}
