package dev.enviro.cli;

import dev.enviro.grpc.EnviroClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro attach}: this terminal on a running container's pty (or its output); ends with its exit code. */
@Command(name = "attach", description = "Attach this terminal to a running container: its output from now on, your input to it.")
final class AttachCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Option(names = "--no-stdin", description = "Do not send this terminal's input.") boolean noStdin;
    @Option(names = "--help", usageHelp = true, description = "Show this help.") boolean help;

    @Parameters(index = "0", paramLabel = "CONTAINER") String container;

    @Override
    public Integer call() {
        try (EnviroClient client = root.client()) {
            // raw mode only where there is a terminal to make raw; without -i on the container, input goes nowhere
            boolean terminal = root.caller.inIsTerminal();
            return TerminalSession.attach(client, root.caller, container, false, terminal, !noStdin, true);
        }
    }
}
