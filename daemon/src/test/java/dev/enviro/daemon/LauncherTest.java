package dev.enviro.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.cli.LocalCaller;
import dev.enviro.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole CLI as bin/enviro-jvm and the relay sessions run it: the cli module's verbs and `daemon`. */
class LauncherTest {

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.execute(args, new LocalCaller(print, print, InputStream.nullInputStream(), Map.of()), null, Launcher.VERBS));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsDaemonFirstThenTheVerbs() {
        String help = run("--help");
        assertTrue(help.indexOf("  daemon") > 0 && help.indexOf("  daemon") < help.indexOf("  run"), help);
        assertTrue(run("daemon", "--help").startsWith("Usage: enviro daemon"));
    }
}
