package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.TopProcess;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro top}: the processes of a running container, host pid first (as {@code docker top}). */
@Command(name = "top", description = "List the processes of a running container.")
final class TopCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Option(names = "--help", usageHelp = true, description = "Show this help.") boolean help;

    @Parameters(index = "0", paramLabel = "CONTAINER") String container;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            List<TopProcess> processes = client.top(container);
            Table table = new Table("PID", "CONTAINER PID", "USER", "COMMAND");
            for (TopProcess p : processes) {
                table.add(Integer.toString(p.getPid()), p.getContainerPid() < 0 ? "-" : Integer.toString(p.getContainerPid()),
                        p.getUser(), p.getCommand());
            }
            table.print(root.out);
            return 0;
        }
    }
}
