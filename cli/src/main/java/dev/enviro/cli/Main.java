package dev.enviro.cli;

import dev.enviro.errors.ErrorCode;
import java.io.PrintStream;
import dev.enviro.grpc.EnviroClient;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/** {@code enviro}: parses the command line and ends the process with the verb's exit code. */
public final class Main {

    private Main() {}

    /** The CLI without {@code enviro daemon} (the daemon module's {@code Launcher} has every verb). */
    public static void main(String[] args) {
        System.exit(execute(args, LocalCaller.ofThisProcess(), null));
    }

    /** Runs one command line; everything it prints goes to {@code out} and {@code err}. */
    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return execute(args, new LocalCaller(out, err, java.io.InputStream.nullInputStream(), env), null);
    }

    /**
     * Runs one command line for {@code caller}. {@code engine} gives the client of the engine this runs
     * in (the relay's case); null: connect to the address the line or the environment names.
     */
    public static int execute(String[] args, Caller caller, Supplier<EnviroClient> engine) {
        return execute(args, caller, engine, List.of());
    }

    /** As above, with verbs of a module above this one ({@code daemon}) listed first. */
    public static int execute(String[] args, Caller caller, Supplier<EnviroClient> engine, List<Class<?>> moreVerbs) {
        return commandLine(new EnviroCommand(caller, engine), args, moreVerbs).execute(args);
    }

    /** The command line for {@code args}: the root, the verb it names (or all), and the error handling. */
    static CommandLine commandLine(EnviroCommand root, String[] args) {
        return commandLine(root, args, List.of());
    }

    static CommandLine commandLine(EnviroCommand root, String[] args, List<Class<?>> moreVerbs) {
        CommandLine cli = new CommandLine(root);
        Verbs.add(cli, args, moreVerbs);
        cli.setOut(new java.io.PrintWriter(root.out, true));
        cli.setErr(new java.io.PrintWriter(root.err, true));
        // `enviro run IMAGE ls -la`: everything after the image is the container's command, options included.
        for (String verb : new String[] {"run", "exec"}) {
            CommandLine sub = cli.getSubcommands().get(verb);
            if (sub != null) sub.setStopAtPositional(true);
        }
        cli.setParameterExceptionHandler((e, ignored) -> {
            root.err.println("Error: " + oneLine(e.getMessage()) + hint(e.getCommandLine()));
            return ErrorCode.ENGINE_FAILURE_EXIT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> ExitCodes.report(e, root.err));
        return cli;
    }

    private static String hint(CommandLine command) {
        return ". See '" + command.getCommandSpec().qualifiedName() + " --help'.";
    }

    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
