package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.LogChunk;
import dev.enviro.grpc.v1.RunEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code enviro run}: create, start and attach in one call; ends with the container's exit code. */
@Command(name = "run", description = "Create and start a container, streaming its output (or print its id with -d).")
final class RunCommand implements Callable<Integer> {

    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    @ParentCommand EnviroCommand root;

    @Option(names = "--rm", description = "Remove the container when it exits.") boolean remove;
    @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container id.") boolean detach;
    @Option(names = {"-t", "--tty"}, description = "Give the command a pty (docs/terminal.md).") boolean tty;
    @Option(names = {"-i", "--interactive"}, description = "Keep the command's stdin open and send this terminal's input to it.") boolean interactive;
    @Option(names = "--name", paramLabel = "NAME",
            description = "Name the container (unique; [a-zA-Z0-9][a-zA-Z0-9_.-]*); default: a generated one.") String name;
    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]",
            description = "Set a variable; KEY alone takes this shell's value (skipped when unset).") List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Run the command in this absolute directory.") String workdir;
    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]",
            description = "Run as this user (a number or a name in the image's /etc/passwd), and group.") String user;
    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's entrypoint (\"\" clears it).") String entrypoint;
    @Option(names = {"-h", "--hostname"}, paramLabel = "NAME", description = "The container's hostname; default: its short id.") String hostname;
    @Option(names = "--restart", paramLabel = "POLICY",
            description = "Restart policy: no, on-failure[:N], always, unless-stopped.") String restart;
    @picocli.CommandLine.Mixin SecurityFlags security = new SecurityFlags();
    @picocli.CommandLine.Mixin StorageFlags storage = new StorageFlags();
    @picocli.CommandLine.Mixin NetworkFlags network = new NetworkFlags();
    @Option(names = "--help", usageHelp = true, description = "Show this help.") boolean help;
    @picocli.CommandLine.Mixin ResourceOptions resources = new ResourceOptions();
    @picocli.CommandLine.Mixin ResourceOptions.OomScore oomScore = new ResourceOptions.OomScore();

    @Parameters(index = "0", paramLabel = "IMAGE") String image;
    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.") List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        ContainerSpec spec = spec();
        try (EnviroClient client = root.client()) {
            if ((tty || interactive) && !detach) return runInTerminal(client, spec);
            Iterator<RunEvent> events = MissingImage.runPulling(root, client, spec, detach);
            if (detach) {
                RunEvent started = events.next();
                root.out.println(started.getStarted().getId());
                events.forEachRemaining(e -> {});
                return 0;
            }
            return attach(client, root.caller, events);
        }
    }

    /**
     * {@code -it}: started detached, then attached with input (the output logged meanwhile comes first);
     * {@code --rm} is done here once the attach has ended, since the engine removing the container at its
     * exit could race the last read of its log.
     */
    private int runInTerminal(EnviroClient client, ContainerSpec spec) {
        Iterator<RunEvent> events = MissingImage.runPulling(root, client, spec.toBuilder().setAutoRemove(false).build(), true);
        String id = events.next().getStarted().getId();
        events.forEachRemaining(e -> {});
        try {
            // --rm is done here after the session: a detached container would never be removed, so no detach then
            return TerminalSession.attach(client, root.caller, id, true, tty, interactive, !remove);
        } finally {
            if (remove) {
                try {
                    client.remove(id, true);
                } catch (RuntimeException e) {
                    root.err.println("enviro: cannot remove container " + id.substring(0, 12) + ": " + e.getMessage());
                }
            }
        }
    }

    /** The spec the flags describe; rejects values the engine would refuse, before any call. */
    ContainerSpec spec() {
        Map<String, String> shellEnv = root.env;
        ContainerSpec.Builder b = ContainerSpec.newBuilder().setImage(image).addAllCommand(command).setAutoRemove(remove)
                .setTty(tty).setInteractive(interactive);
        if (restart != null) {
            try {
                b.setRestartPolicy(dev.enviro.supervisors.RestartPolicy.parse(restart).toString());
            } catch (IllegalArgumentException e) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage());
            }
            if (remove && !restart.equals("no")) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--rm and --restart " + restart + " conflict: a removed container cannot be restarted; choose one");
            }
        }
        if (name != null) {
            if (!NAME.matcher(name).matches()) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid container name '" + name + "': names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
            }
            b.setName(name);
        }
        b.addAllEnv(storage.envFromFiles(root.caller));
        for (String variable : env) {
            int eq = variable.indexOf('=');
            if (eq == 0 || variable.isEmpty()) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid environment variable '" + variable + "': expected KEY=VALUE or KEY");
            }
            if (eq > 0) {
                b.addEnv(variable);
            } else if (shellEnv.containsKey(variable)) {
                b.addEnv(variable + "=" + shellEnv.get(variable));
            }
        }
        if (workdir != null) {
            if (!workdir.startsWith("/")) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid working directory '" + workdir + "': it must be an absolute path");
            }
            b.setWorkdir(workdir);
        }
        if (user != null) {
            if (user.isEmpty()) {
                throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid user '': expected a name or uid, optionally :group");
            }
            b.setUser(user);
        }
        if (entrypoint != null) {
            b.setOverrideEntrypoint(true);
            if (!entrypoint.isEmpty()) {
                b.addEntrypoint(entrypoint);
            }
        }
        if (hostname != null) {
            b.setHostname(hostname);
        }
        security.apply(root.caller, b);
        storage.apply(b);
        network.apply(b);
        b.setResources(resources.toMessage(oomScore));
        return b.build();
    }

    /**
     * Writes the output as it comes and answers the exit code. Once started, SIGINT, SIGTERM and
     * SIGHUP are forwarded to the container (as Docker's sig-proxy): the run ends when it exits.
     */
    static int attach(EnviroClient client, Caller caller, Iterator<RunEvent> events) {
        PrintStream out = caller.out();
        PrintStream err = caller.err();
        Caller.Registration forwarder = null;
        try {
            while (events.hasNext()) {
                RunEvent event = events.next();
                switch (event.getEventCase()) {
                    case STARTED -> forwarder = SignalForwarder.install(caller, client, event.getStarted().getId());
                    case OUTPUT -> write(event.getOutput(), out, err);
                    case EXIT -> {
                        return event.getExit().getCode();
                    }
                    case EVENT_NOT_SET -> { }
                }
            }
        } finally {
            out.flush();
            err.flush();
            if (forwarder != null) forwarder.close();
        }
        throw new EnviroError(ErrorCode.INTERNAL, "the engine ended the run without the container's exit status; see 'enviro ps -a'");
    }

    static void write(LogChunk chunk, PrintStream out, PrintStream err) {
        write(chunk, out, err, true);
    }

    static void write(LogChunk chunk, PrintStream out, PrintStream err, boolean now) {
        PrintStream target = chunk.getStream() == LogChunk.Stream.STDERR ? err : out;
        // A PrintStream never throws; a closed pipe shows as checkError, as for any Unix filter.
        target.writeBytes(chunk.getData().toByteArray());
        if (now) target.flush();
    }
}
