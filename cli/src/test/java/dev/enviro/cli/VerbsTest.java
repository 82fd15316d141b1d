package dev.enviro.cli;

import dev.enviro.errors.ErrorCode;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Only the verb a command line names gets a model; anything else gets all of them. */
class VerbsTest {

    private static Set<String> built(String... args) {
        EnviroCommand root = new EnviroCommand(new LocalCaller(System.out, System.err, java.io.InputStream.nullInputStream(), Map.of()), null);
        return Main.commandLine(root, args).getSubcommands().keySet();
    }

    @Test
    void theVerbIsTheFirstArgumentThatIsNoRootOptionOrItsValue() {
        assertEquals("ps", Verbs.named(new String[] {"--host", "unix:///x.sock", "ps", "-a"}));
        assertEquals("ps", Verbs.named(new String[] {"--host=unix:///x.sock", "--state-dir", "/s", "ps"}));
        assertEquals("run", Verbs.named(new String[] {"run", "--rm", "img", "ps"}));
        assertNull(Verbs.named(new String[] {"--help"}));
        assertNull(Verbs.named(new String[] {"--host", "ps"}), "ps is the value of --host here");
    }

    @Test
    void aKnownVerbIsBuiltAlone() {
        assertEquals(Set.of("ps"), built("--host", "unix:///x.sock", "ps"));
        assertEquals(Set.of("image"), built("image", "prune", "-a"));
    }

    @Test
    void versionAloneNeedsNoVerb() {
        assertEquals(Set.of(), built("--version"));
        assertEquals(Set.of(), built("--host", "unix:///x.sock", "-V"));
        assertEquals(EnviroCommand.VERBS.size(), built("--version", "--help").size());
        var out = new java.io.ByteArrayOutputStream();
        assertEquals(0, Main.execute(new String[] {"--version"}, new java.io.PrintStream(out, true), System.err, Map.of()));
        assertEquals("enviro 0.1.0", out.toString().strip());
    }

    @Test
    void noVerbOrAnUnknownOneBuildsAllSoHelpAndSuggestionsStayWhole() {
        assertEquals(EnviroCommand.VERBS.size(), built("--help").size());
        assertEquals(EnviroCommand.VERBS.size(), built("rn", "busybox").size());
        assertTrue(built().contains("run"));
    }

    @Test
    void aTypoStillGetsOneLineAndTheHelpHint() {
        var err = new java.io.ByteArrayOutputStream();
        int rc = Main.execute(new String[] {"rn", "busybox"}, System.out, new java.io.PrintStream(err, true), Map.of());
        assertEquals(ErrorCode.ENGINE_FAILURE_EXIT, rc);
        String text = err.toString();
        assertTrue(text.startsWith("Error: "), text);
        assertTrue(text.contains("See 'enviro --help'"), text);
        assertEquals(1, text.strip().lines().count(), text);
    }

    @Test
    void everyVerbHasAUniqueName() {
        assertEquals(EnviroCommand.VERBS.size(), EnviroCommand.VERBS.stream()
                .map(v -> v.getAnnotation(CommandLine.Command.class).name()).distinct().count());
    }
}
