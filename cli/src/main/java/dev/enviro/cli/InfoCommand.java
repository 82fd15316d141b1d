package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.InfoResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code enviro info}: what the engine is and runs on, one {@code Key: value} line each, as docker info. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show what the engine is and runs on.")
final class InfoCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Override
    public Integer call() {
        InfoResponse i;
        try (EnviroClient client = root.client()) {
            i = client.info();
        }
        root.out.print(render(i, root.address().toString()));
        return 0;
    }

    static String render(InfoResponse i, String address) {
        StringBuilder b = new StringBuilder();
        line(b, "Server Version", i.getVersion());
        line(b, "API Socket", address);
        line(b, "State Directory", i.getStateDir());
        line(b, "Snapshotter", i.getSnapshotter());
        line(b, "Executor", i.getExecutor());
        line(b, "Rootless", i.getRootless() ? "yes" : "no");
        line(b, "ID Map", i.getIdMap());
        line(b, "Cgroup Version", i.getCgroupVersion());
        line(b, "Cgroup Layout", i.getCgroupLayout());
        line(b, "io_uring Rings", Integer.toString(i.getIoUringRings()));
        line(b, "Journal", i.getJournal());
        line(b, "Insecure Registries", i.getInsecureRegistriesCount() == 0 ? "none (loopback registries are always plain HTTP)"
                : String.join(", ", i.getInsecureRegistriesList()));
        line(b, "CLI Sessions", Integer.toString(i.getCliSessions()));
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append(": ").append(value).append('\n');
    }
}
