package dev.enviro.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code run -it} under a real terminal (a tmux pane, on a tmux server of this test's own), {@code attach}
 * and {@code top}. The pane is the user's terminal: keys typed there travel through the CLI's raw mode,
 * the Attach RPC and the monitor into the container's pty, whose line discipline echoes them back.
 */
class TerminalIT extends WithBusyboxEngine {

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(List.of(), HostTraces.mountsUnder(engine.stateDir), "stray mounts");
    }

    /** A tmux server on its own socket (-L), so that the test touches no tmux of anyone else; killed by close. */
    private record Tmux(String server) implements AutoCloseable {
        /**
         * The CLI with {@code args} in a new pane; the shell then records its exit status in {@code exitFile}
         * (see assertExit) and stays, so the pane's last screen can still be read.
         */
        static Tmux startCli(String args, Path exitFile) throws Exception {
            return start(cli() + " " + args + "; echo EXIT=$? > " + exitFile + "; sleep 600");
        }

        static Tmux start(String command) throws Exception {
            Tmux t = new Tmux("enviro-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            t.run("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", command);
            return t;
        }

        String run(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("tmux " + args[0] + ": " + out);
            return out;
        }

        String screen() throws IOException, InterruptedException {
            return run("capture-pane", "-p", "-t", "t");
        }

        String await(Predicate<String> condition, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String screen = "";
            while (System.nanoTime() < deadline) {
                screen = screen();
                if (condition.test(screen)) return screen;
                Thread.sleep(100);
            }
            throw new AssertionError("no " + what + " on the screen:\n" + screen + "\n" + engine.daemonLog());
        }

        void keys(String... keys) throws IOException, InterruptedException {
            List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
            args.addAll(List.of(keys));
            run(args.toArray(String[]::new));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            // ends this server's session and every process in its panes (the CLI, and through it the container)
            new ProcessBuilder("tmux", "-L", server, "kill-server").redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String cli() {
        return "ENVIRO_HOST=unix://" + engine.socket + " " + Cli.launcher();
    }

    /** Waits (30 s at most) for the shell line around the CLI to record its exit status, then checks it. */
    private static void assertExit(Path exitFile, String expected, Tmux tmux) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.size(exitFile) == 0 && System.nanoTime() < deadline) Thread.sleep(100);
        assertEquals(expected, Files.readString(exitFile).strip(), tmux.screen());
    }

    private static long lines(String screen, String line) {
        return screen.lines().filter(l -> l.strip().equals(line)).count();
    }

    @Test
    void runItIsAShellOnARealTerminal() throws Exception {
        Path exitFile = Files.createTempFile("enviro-tty-exit", ".txt");
        try (Tmux tmux = Tmux.startCli("run -it --rm localhost/busybox sh", exitFile)) {
            tmux.await(s -> s.contains("/ #"), "shell prompt");
            tmux.keys("echo hi", "Enter");
            tmux.await(s -> lines(s, "hi") == 1, "echo's output");
            // stdio is a terminal with the window's size
            tmux.keys("tty >/dev/null && stty size", "Enter");
            tmux.await(s -> lines(s, "24 80") == 1, "the initial window size");
            tmux.run("resize-window", "-t", "t", "-x", "100", "-y", "30");
            // SIGWINCH reaches the CLI while keys already travel: the new size applies a moment later, as in any terminal
            String resized = "";
            for (int i = 0; i < 20 && lines(resized, "30 100") == 0; i++) {
                tmux.keys("stty size", "Enter");
                Thread.sleep(300);
                resized = tmux.screen();
            }
            assertTrue(lines(resized, "30 100") >= 1, "the new window size never reached the container:\n" + resized);
            // Ctrl-C is a byte the container's line discipline turns into SIGINT for its foreground job only
            // (^C only once the shell runs the line, as for cat below)
            tmux.keys("echo sleeping; sleep 300", "Enter");
            tmux.await(s -> lines(s, "sleeping") == 1, "the line running");
            tmux.keys("C-c");
            tmux.keys("echo after-interrupt", "Enter");
            tmux.await(s -> lines(s, "after-interrupt") == 1, "the shell alive after ^C");
            tmux.keys("exit 3", "Enter");
            assertExit(exitFile, "EXIT=3", tmux);
        } finally {
            Files.deleteIfExists(exitFile);
        }
        assertEquals("", engine.cli("ps", "-a", "-q").stdout().strip(), "--rm left the container");
    }

    @Test
    void runIWithoutATerminalPipesStdinAndEndsAtItsEnd() throws Exception {
        Path input = Files.createTempFile("enviro-stdin", ".txt");
        try {
            Files.writeString(input, "one\ntwo\n");
            List<String> cmd = List.of("sh", "-c", Cli.launcher() + " run -i --rm localhost/busybox sh -c 'wc -l; exit 4' < " + input);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(engine.env());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(4, p.exitValue(), out);
            assertEquals("2", out.strip(), out);
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /** Docker's detach keys: Ctrl-P Ctrl-Q ends the CLI (exit 0) and leaves the container running, for run -it, attach and exec -it. */
    @Test
    void ctrlPCtrlQDetachesAndTheContainerKeepsRunning() throws Exception {
        Path exitFile = Files.createTempFile("enviro-detach-exit", ".txt");
        try {
            try (Tmux tmux = Tmux.startCli("run -it --name detached localhost/busybox sh", exitFile)) {
                tmux.await(s -> s.contains("/ #"), "shell prompt");
                tmux.keys("echo before-detach", "Enter");
                tmux.await(s -> lines(s, "before-detach") == 1, "the shell's answer");
                tmux.keys("C-p", "C-q");
                assertExit(exitFile, "EXIT=0", tmux);
            }
            assertTrue(engine.cli("ps").stdout().contains("detached"), "still running after the detach");
            Cli.Result alive = engine.cli("exec", "detached", "echo", "alive");
            assertEquals("alive\n", alive.stdout(), alive.toString());
            // attach again, then detach again: the shell is the same one
            Files.writeString(exitFile, "");
            try (Tmux tmux = Tmux.startCli("attach detached", exitFile)) {
                Thread.sleep(1000);
                tmux.keys("echo $$ again", "Enter");
                tmux.await(s -> lines(s, "1 again") == 1, "the same shell (pid 1) through attach");
                tmux.keys("C-p", "C-q");
                assertExit(exitFile, "EXIT=0", tmux);
            }
            assertTrue(engine.cli("ps").stdout().contains("detached"), "still running after the second detach");
            // exec -it: the exec'd shell keeps running after a detach too
            Files.writeString(exitFile, "");
            try (Tmux tmux = Tmux.startCli("exec -it detached sh", exitFile)) {
                tmux.await(s -> s.contains("/ #"), "the exec's prompt");
                tmux.keys("exec sleep 3600", "Enter");
                tmux.keys("C-p", "C-q"); // (kept by the client: sent or not, the line above reached the shell)
                assertExit(exitFile, "EXIT=0", tmux);
            }
            Cli.Result top = engine.cli("exec", "detached", "ps", "-o", "args");
            for (int i = 0; i < 100 && !top.stdout().contains("sleep 3600"); i++) {
                Thread.sleep(100);
                top = engine.cli("exec", "detached", "ps", "-o", "args");
            }
            assertTrue(top.stdout().contains("sleep 3600"), "the exec'd process still runs:\n" + top);
        } finally {
            Files.deleteIfExists(exitFile);
            engine.cli("rm", "-f", "detached");
        }
    }

    @Test
    void attachReachesARunningContainersShell() throws Exception {
        Cli.Result r = engine.cli("run", "-d", "-it", "--name", "attached", "localhost/busybox", "sh");
        assertEquals(0, r.exitCode(), r.toString());
        Path exitFile = Files.createTempFile("enviro-attach-exit", ".txt");
        try (Tmux tmux = Tmux.startCli("attach attached", exitFile)) {
            Thread.sleep(1000);
            tmux.keys("echo via-attach", "Enter");
            tmux.await(s -> lines(s, "via-attach") == 1, "output through attach");
            tmux.keys("exit 5", "Enter");
            assertExit(exitFile, "EXIT=5", tmux);
        } finally {
            Files.deleteIfExists(exitFile);
            engine.cli("rm", "-f", "attached");
        }
    }

    @Test
    void execItIsAShellOnARealTerminal() throws Exception {
        Cli.Result r = engine.cli("run", "-d", "--name", "execed", "localhost/busybox", "sleep", "600");
        assertEquals(0, r.exitCode(), r.toString());
        Path exitFile = Files.createTempFile("enviro-exec-exit", ".txt");
        try (Tmux tmux = Tmux.startCli("exec -it execed sh", exitFile)) {
            tmux.await(s -> s.contains("/ #"), "shell prompt");
            // its own pty in the container's devpts, as a controlling terminal
            tmux.keys("tty; ps -o pid,tty,args | grep -c pts/", "Enter");
            tmux.await(s -> s.lines().anyMatch(l -> l.strip().matches("/dev/pts/\\d+")), "the exec's pty");
            // Ctrl-D is a byte too: at the start of a line the pty's line discipline makes it cat's end of input
            // typed only once the shell runs the line: keys sent before it has read its command line
            // can be read ahead by ash's line editor and kept for its next prompt, not given to cat
            tmux.keys("echo cat-starts; cat; echo cat-ended", "Enter");
            tmux.await(s -> lines(s, "cat-starts") == 1, "the line running");
            tmux.keys("typed", "Enter");
            tmux.await(s -> lines(s, "typed") == 2, "cat's copy of the line");
            tmux.keys("C-d");
            tmux.await(s -> lines(s, "cat-ended") == 1, "cat ended by ^D");
            tmux.keys("exit 6", "Enter");
            assertExit(exitFile, "EXIT=6", tmux);
        } finally {
            Files.deleteIfExists(exitFile);
            engine.cli("rm", "-f", "execed");
        }
    }

    @Test
    void topListsTheContainersProcesses() throws Exception {
        Cli.Result r = engine.cli("run", "-d", "--name", "topped", "localhost/busybox", "sh", "-c", "sleep 601 & exec sleep 602");
        assertEquals(0, r.exitCode(), r.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Cli.Result top;
            do {
                top = engine.cli("top", "topped");
                assertEquals(0, top.exitCode(), top.toString());
            } while (!top.stdout().contains("sleep 601") && System.nanoTime() < deadline);
            List<String> rows = top.stdout().lines().toList();
            assertTrue(rows.getFirst().startsWith("PID"), top.stdout());
            assertEquals(3, rows.size(), top.stdout());
            String init = rows.stream().filter(l -> l.endsWith("sleep 602")).findFirst().orElseThrow(() -> new AssertionError(rows));
            String[] f = init.split("\\s+");
            assertEquals("1", f[1], "init is pid 1 in the container: " + init);
            assertTrue(ProcessHandle.of(Long.parseLong(f[0])).isPresent(), "the first column is a host pid: " + init);
            // the container's root is an unprivileged host id, shown as such
            assertTrue(!f[2].equals("root"), init);
            assertTrue(rows.stream().anyMatch(l -> l.endsWith("sleep 601")), top.stdout());
        } finally {
            engine.cli("rm", "-f", "topped");
        }
        Cli.Result stopped = engine.cli("top", "no-such-container");
        assertTrue(stopped.exitCode() != 0, stopped.toString());
    }
}
