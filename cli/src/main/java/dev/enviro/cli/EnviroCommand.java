package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.grpc.EffectiveUser;
import dev.enviro.grpc.EngineAddress;
import dev.enviro.grpc.EnviroClient;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root command: global options, and what every verb shares (streams, environment, the client). */
@Command(name = "enviro", mixinStandardHelpOptions = true, version = "enviro 0.1.0",
        description = "A rootless container engine.")
public final class EnviroCommand implements Runnable {

    /**
     * The verbs, in the order {@code enviro --help} lists them. Not in the annotation: picocli would
     * build the model of every verb (reflection over all their options) on each start, and a client
     * verb is a fresh JVM each time; {@link Verbs} adds only the one the command line names.
     */
    static final java.util.List<Class<?>> VERBS = java.util.List.of(
            RunCommand.class, PsCommand.class, LogsCommand.class, StopCommand.class,
            KillCommand.class, RmCommand.class, InspectCommand.class, ImagesCommand.class, LoadCommand.class,
            WaitCommand.class, EventsCommand.class, PullCommand.class, LoginCommand.class, LogoutCommand.class,
            StatsCommand.class, UpdateCommand.class, PauseCommand.class, UnpauseCommand.class, ExecCommand.class,
            RmiCommand.class, TagCommand.class, SaveCommand.class, ImageCommand.class, InfoCommand.class,
            ServiceCommand.class, AttachCommand.class, TopCommand.class, PortCommand.class);

    @Option(names = "--host", scope = ScopeType.INHERIT, paramLabel = "unix:///PATH",
            description = "The engine's socket (default: $ENVIRO_HOST, else /run/enviro/enviro.sock as root, $XDG_RUNTIME_DIR/enviro/enviro.sock rootless).")
    String host;

    @Option(names = "--state-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The engine's state directory (default: $ENVIRO_STATE_DIR, else /var/lib/enviro as root, $XDG_DATA_HOME/enviro rootless).")
    String stateDir;

    final Caller caller;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    /** The engine this command runs in (for a relay), or null: connect to {@link #address()}. */
    private final Supplier<EnviroClient> engine;

    EnviroCommand(Caller caller, Supplier<EnviroClient> engine) {
        this.caller = caller;
        this.out = caller.out();
        this.err = caller.err();
        this.env = caller.env();
        this.engine = engine;
    }

    public Caller caller() {
        return caller;
    }

    /** {@code --state-dir}, or null. */
    public String stateDir() {
        return stateDir;
    }

    /** True when this command runs inside an engine, for a relay. */
    public boolean inEngine() {
        return engine != null;
    }

    @Override
    public void run() {
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "a command is required. See 'enviro --help'.");
    }

    public EngineAddress address() {
        if (engine != null) return engine.get().address();
        try {
            return EngineAddress.resolve(host, env, EffectiveUser.uid());
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /** A client of the engine; client verbs keep Netty's logging in the JDK's logger, so logback never starts on their path. */
    EnviroClient client() {
        if (engine != null) return engine.get();
        QuietLogging.forClient();
        return EnviroClient.connect(address());
    }
}
