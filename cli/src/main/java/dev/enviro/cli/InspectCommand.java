package dev.enviro.cli;

import static dev.enviro.cli.InspectOutput.JSON;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.v1.Container;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro inspect}: a JSON array, one object per container found; errors for the others. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show containers as JSON.")
final class InspectCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;
    @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
            description = "Print each container through a template, e.g. '{{.State.Pid}}'.")
    String format;
    @Option(names = "--history", description = "Show each container's whole event history instead (also after its removal, by full id).")
    boolean history;

    @Override
    public Integer call() throws Exception {
        InspectOutput output = new InspectOutput(format);
        if (history) {
            return EventsCommand.printHistory(root, containers);
        }
        return output.print(root, containers, (client, ref) -> json(client.inspect(ref)));
    }

    static ObjectNode json(Container c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Id", c.getId());
        o.put("Name", c.getName());
        o.put("Image", c.getImage());
        o.put("ImageDigest", c.getImageDigest());
        ArrayNode argv = o.putArray("Args");
        c.getArgvList().forEach(argv::add);
        ObjectNode state = o.putObject("State");
        // Docker: a frozen container's status is "paused", and it is still Running.
        state.put("Status", c.getPaused() ? "paused" : c.getState().name().toLowerCase(java.util.Locale.ROOT));
        state.put("Running", c.getState() == Container.State.RUNNING);
        state.put("Pid", c.getPid());
        if (c.hasExitCode()) {
            state.put("ExitCode", c.getExitCode());
        } else {
            state.putNull("ExitCode");
        }
        state.put("Error", c.getError());
        o.put("RestartCount", c.getRestartCount());
        o.putObject("HostConfig").putObject("RestartPolicy").put("Name", c.getRestartPolicy().isEmpty() ? "no" : c.getRestartPolicy());
        state.put("StartedAt", c.hasStartedAt() ? Timestamps.instant(c.getStartedAt()).toString() : null);
        state.put("FinishedAt", c.hasFinishedAt() ? Timestamps.instant(c.getFinishedAt()).toString() : null);
        o.put("Created", c.hasCreatedAt() ? Timestamps.instant(c.getCreatedAt()).toString() : null);
        o.put("LogPath", c.getLogPath());
        o.put("Executor", c.getExecutor());
        state.put("OOMKilled", c.getOomKilled());
        state.put("Paused", c.getPaused());
        // Docker's HostConfig names and units; 0 means no limit, as there
        ObjectNode host = o.has("HostConfig") ? (ObjectNode) o.get("HostConfig") : o.putObject("HostConfig");
        host.put("Memory", c.getResources().getMemoryBytes());
        host.put("MemorySwap", c.getResources().getMemorySwapBytes());
        host.put("NanoCpus", c.getResources().getNanoCpus());
        host.put("CpuShares", c.getResources().getCpuShares());
        host.put("CpusetCpus", c.getResources().getCpusetCpus());
        host.put("PidsLimit", c.getResources().getPidsLimit());
        host.put("OomScoreAdj", c.getResources().getOomScoreAdj());
        return o;
    }
}
