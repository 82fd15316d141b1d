package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code enviro service create|scale|ls|rm}: N replicas ({@code NAME.1} ... {@code NAME.N}) of one image,
 * which the engine keeps running (docs/services.md).
 */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Manage services: replicated containers the engine keeps running.",
        subcommands = {ServiceCommand.Create.class, ServiceCommand.Scale.class, ServiceCommand.Ls.class, ServiceCommand.Rm.class})
final class ServiceCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Override
    public Integer call() {
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "name a service command: create, scale, ls or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a service and start its replicas.")
    static final class Create implements Callable<Integer> {
        @ParentCommand ServiceCommand service;
        @Option(names = "--name", required = true, description = "The service's name; replicas are NAME.1, NAME.2, ...") String name;
        @Option(names = "--replicas", defaultValue = "1", description = "How many replicas to keep running (default 1).") int replicas;
        @Parameters(index = "0", paramLabel = "IMAGE") String image;
        @Parameters(index = "1..*", paramLabel = "COMMAND") List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            try (EnviroClient client = service.root.client()) {
                service.root.out.println(client.createService(name, image, command, replicas).getName());
            }
            return 0;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Change how many replicas run: NAME=N ...")
    static final class Scale implements Callable<Integer> {
        @ParentCommand ServiceCommand service;
        @Parameters(arity = "1..*", paramLabel = "SERVICE=REPLICAS") List<String> targets;

        @Override
        public Integer call() {
            try (EnviroClient client = service.root.client()) {
                for (String target : targets) {
                    int eq = target.indexOf('=');
                    int replicas;
                    try {
                        replicas = eq <= 0 ? -1 : Integer.parseInt(target.substring(eq + 1));
                    } catch (NumberFormatException e) {
                        replicas = -1;
                    }
                    if (replicas < 0) {
                        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "\"" + target + "\" is not SERVICE=REPLICAS: write e.g. web=3");
                    }
                    Service scaled = client.scaleService(target.substring(0, eq), replicas);
                    service.root.out.println(scaled.getName() + " scaled to " + scaled.getReplicas());
                }
            }
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List services.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand ServiceCommand service;

        @Override
        public Integer call() {
            Table table = new Table("NAME", "REPLICAS", "IMAGE", "COMMAND");
            try (EnviroClient client = service.root.client()) {
                for (Service s : client.listServices()) {
                    table.add(s.getName(), s.getRunning() + "/" + s.getReplicas(), s.getImage(), String.join(" ", s.getCommandList()));
                }
            }
            table.print(service.root.out);
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove services and all their replicas.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand ServiceCommand service;
        @Parameters(arity = "1..*", paramLabel = "SERVICE") List<String> names;

        @Override
        public Integer call() {
            try (EnviroClient client = service.root.client()) {
                for (String name : names) {
                    client.removeService(name);
                    service.root.out.println(name);
                }
            }
            return 0;
        }
    }
}
