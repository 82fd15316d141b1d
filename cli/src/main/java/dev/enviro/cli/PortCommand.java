package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro port CTR [PORT[/PROTO]]}: the container's published ports, as docker prints them. */
@Command(name = "port", mixinStandardHelpOptions = true, description = "List a container's published ports, or where one of them is published.")
final class PortCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;
    @Parameters(index = "0", paramLabel = "CONTAINER") String container;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]") String port;

    @Override
    public Integer call() {
        List<String> published;
        try (EnviroClient client = root.client()) {
            published = client.inspect(container).getPortsList();
        }
        List<String> lines = lines(published, port);
        if (port != null && lines.isEmpty()) {
            throw new EnviroError(ErrorCode.NOT_FOUND, "container " + container + " publishes no port " + port + ": 'enviro port " + container + "' lists them");
        }
        for (String line : lines) root.out.println(line);
        root.out.flush();
        return 0;
    }

    /** {@code 0.0.0.0:8080->80/tcp} becomes {@code 80/tcp -> 0.0.0.0:8080}, or only {@code 0.0.0.0:8080} when asked for 80. */
    static List<String> lines(List<String> published, String port) {
        String wanted = port == null ? null : port.contains("/") ? port : port + "/tcp";
        List<String> out = new ArrayList<>();
        for (String p : published) {
            int arrow = p.indexOf("->");
            if (arrow < 0) continue;
            String host = p.substring(0, arrow), inside = p.substring(arrow + 2);
            if (wanted == null) out.add(inside + " -> " + host);
            else if (inside.equals(wanted)) out.add(host);
        }
        return out;
    }
}
