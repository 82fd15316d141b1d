package dev.enviro.cli;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Adds the verbs to the root command: only the one the command line names when it names a known
 * verb, none for {@code --version}, else all of them (for {@code --help}, a typo's "did you mean",
 * or no verb at all). Building the model of one verb instead of 28 is most of a client verb's
 * start-up after the JVM's own.
 */
final class Verbs {
    /** Root options that take a value in the next argument (their {@code --opt=value} form needs no skip). */
    private static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--host", "--state-dir");

    private Verbs() {}

    static void add(CommandLine root, String[] args, List<Class<?>> moreVerbs) {
        String named = named(args);
        // `enviro --version` prints the root's version: no verb is needed, and building them all
        // (InspectCommand's JSON mapper among them) was most of its time.
        if (named == null && asksForVersionOnly(args)) return;
        List<Class<?>> verbs = new java.util.ArrayList<>(moreVerbs);
        verbs.addAll(EnviroCommand.VERBS);
        boolean known = named != null && verbs.stream().anyMatch(v -> name(v).equals(named));
        for (Class<?> verb : verbs) {
            if (!known || name(verb).equals(named)) root.addSubcommand(verb);
        }
    }

    /** The first argument that is not a root option or its value: the verb, if the line has one. */
    static String named(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (ROOT_OPTIONS_WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static boolean asksForVersionOnly(String[] args) {
        List<String> line = List.of(args);
        return (line.contains("-V") || line.contains("--version")) && !line.contains("-h") && !line.contains("--help");
    }

    private static String name(Class<?> verb) {
        return verb.getAnnotation(Command.class).name();
    }
}
