package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ContainerStats;
import dev.enviro.grpc.v1.StatsResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro stats}: a live table of CPU, memory and pids per running container, as {@code docker stats}. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Show containers' resource usage (every second, or once).")
final class StatsCommand implements Callable<Integer> {
    /** Clear the screen and go home, as docker stats redraws its table. */
    private static final String REDRAW = "\033[2J\033[H";

    @ParentCommand EnviroCommand root;
    @Option(names = "--no-stream", description = "Print one sample and exit.") boolean noStream;
    @Parameters(arity = "0..*", paramLabel = "CONTAINER", description = "Default: every running container.") List<String> containers = new ArrayList<>();

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            Iterator<StatsResponse> samples = client.stats(containers, noStream);
            while (samples.hasNext()) {
                StatsResponse sample = samples.next();
                if (!noStream) root.out.print(REDRAW);
                table(sample.getStatsList()).print(root.out);
            }
        }
        return 0;
    }

    static Table table(List<ContainerStats> stats) {
        Table table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS");
        for (ContainerStats s : stats) {
            double memPercent = s.getMemoryLimit() > 0 ? s.getMemoryBytes() * 100.0 / s.getMemoryLimit() : 0;
            table.add(PsCommand.shortId(s.getId()), s.getName(), String.format(Locale.ROOT, "%.2f%%", s.getCpuPercent()),
                    bytes(s.getMemoryBytes()) + " / " + bytes(s.getMemoryLimit()),
                    String.format(Locale.ROOT, "%.2f%%", memPercent), Long.toString(s.getPids()));
        }
        return table;
    }

    /** Binary units with two decimals, as docker stats prints them (1.5MiB, 31.25GiB). */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + "B" : String.format(Locale.ROOT, "%.2f%s", v, units[u]).replace(".00", "");
    }
}
