package dev.enviro.daemon;

import dev.enviro.cli.LocalCaller;
import dev.enviro.cli.Main;
import java.util.List;

/**
 * The JVM entry point bin/enviro-jvm starts: the CLI with every verb, {@code enviro daemon} included
 * (which the {@code cli} module cannot name: the daemon is built above it).
 */
public final class Launcher {

    /** The verbs this module adds to the CLI's, for a JVM of its own and for the engine's relay sessions alike. */
    public static final List<Class<?>> VERBS = List.of(DaemonCommand.class);

    private Launcher() {}

    public static void main(String[] args) {
        System.exit(Main.execute(args, LocalCaller.ofThisProcess(), null, VERBS));
    }
}
