package dev.enviro.cli;

import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Container;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code enviro ps}: running containers, or all with {@code -a}. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List containers.")
final class PsCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones.") boolean all;
    @Option(names = {"-q", "--quiet"}, description = "Only print container ids.") boolean quiet;

    @Override
    public Integer call() {
        List<Container> containers;
        try (EnviroClient client = root.client()) {
            containers = client.list(all);
        }
        if (quiet) {
            StringBuilder ids = new StringBuilder();
            containers.forEach(c -> ids.append(shortId(c.getId())).append('\n'));
            root.out.print(ids);
            root.out.flush();
            return 0;
        }
        table(containers, Instant.now()).print(root.out);
        return 0;
    }

    static Table table(List<Container> containers, Instant now) {
        Table table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        for (Container c : containers) {
            String created = c.hasCreatedAt() ? HumanTime.of(Duration.between(Timestamps.instant(c.getCreatedAt()), now)) + " ago" : "";
            table.add(shortId(c.getId()), c.getImage(), command(c.getArgvList()), created, status(c, now), String.join(", ", c.getPortsList()), c.getName());
        }
        return table;
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Docker quotes the command and cuts it to 20 characters. */
    static String command(List<String> argv) {
        String command = String.join(" ", argv);
        if (command.length() > 20) {
            command = command.substring(0, 19) + "…";
        }
        return "\"" + command + "\"";
    }

    static String status(Container c, Instant now) {
        return switch (c.getState()) {
            case RUNNING -> (c.hasStartedAt() ? "Up " + HumanTime.of(Duration.between(Timestamps.instant(c.getStartedAt()), now)) : "Up")
                    + (c.getPaused() ? " (Paused)" : "");
            case EXITED -> ("Exited (" + c.getExitCode() + ") "
                    + (c.hasFinishedAt() ? HumanTime.of(Duration.between(Timestamps.instant(c.getFinishedAt()), now)) + " ago" : "")).stripTrailing();
            // a start that failed or was interrupted says so (inspect's State.Error has the reason)
            case CREATED -> c.getError().isEmpty() ? "Created" : c.getError().contains("interrupted by an engine restart")
                    ? "Created (interrupted by engine restart)" : "Created (start failed)";
            case REMOVED -> "Removed";
            case STATE_UNSPECIFIED, UNRECOGNIZED -> "Unknown";
        };
    }
}
