package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ExecRequest;
import dev.enviro.grpc.v1.RunEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro exec}: one more process in a running container; ends with its exit code. */
@Command(name = "exec", description = "Run a command in a running container, streaming its output.")
final class ExecCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]",
            description = "Set a variable; KEY alone takes this shell's value (skipped when unset).") List<String> env = new ArrayList<>();
    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]") String user;
    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR") String workdir;
    @Option(names = {"-t", "--tty"}, description = "Give the command a pty (docs/terminal.md).") boolean tty;
    @Option(names = {"-i", "--interactive"}, description = "Send this terminal's input to the command.") boolean interactive;
    @Option(names = "--help", usageHelp = true, description = "Show this help.") boolean help;

    @Parameters(index = "0", paramLabel = "CONTAINER") String container;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.") List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        ExecRequest.Builder request = ExecRequest.newBuilder().setRef(container).addAllCommand(command);
        for (String variable : env) {
            int eq = variable.indexOf('=');
            if (eq == 0 || variable.isEmpty()) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid environment variable '" + variable + "': expected KEY=VALUE or KEY");
            }
            if (eq > 0) request.addEnv(variable);
            else if (root.env.containsKey(variable)) request.addEnv(variable + "=" + root.env.get(variable));
        }
        if (user != null) {
            if (user.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid user '': expected a name or uid, optionally :group");
            request.setUser(user);
        }
        if (workdir != null) {
            if (!workdir.startsWith("/")) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid working directory '" + workdir + "': it must be an absolute path");
            request.setWorkdir(workdir);
        }
        request.setTty(tty).setInteractive(interactive);
        try (EnviroClient client = root.client()) {
            if (tty || interactive) return TerminalSession.exec(client, root.caller, request.build());
            Iterator<RunEvent> events = client.exec(request.build());
            while (events.hasNext()) {
                RunEvent event = events.next();
                switch (event.getEventCase()) {
                    case OUTPUT -> RunCommand.write(event.getOutput(), root.out, root.err);
                    case EXIT -> {
                        return event.getExit().getCode();
                    }
                    case STARTED, EVENT_NOT_SET -> { }
                }
            }
        } finally {
            root.out.flush();
            root.err.flush();
        }
        throw new EnviroError(ErrorCode.INTERNAL, "the engine ended the exec without its exit status");
    }
}
