package dev.enviro.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A throw-away unprivileged user for rootless tests: created with useradd, removed with userdel. */
final class UnprivilegedUser implements AutoCloseable {
    final String name;
    final int uid;
    final int gid;
    /** The first of the 65536 subordinate ids {@link #grantRanges} gave this user, or -1. */
    private int rangeStart = -1;

    UnprivilegedUser() throws IOException, InterruptedException {
        this.name = "enviro-e2e-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        exec(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name));
        this.uid = Integer.parseInt(output(List.of("id", "-u", name)));
        this.gid = Integer.parseInt(output(List.of("id", "-g", name)));
    }

    /** The command prefix that runs a program as this user with the caller's environment. */
    List<String> prefix() {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    /**
     * Grants this user 65536 subordinate uids and gids (/etc/subuid, /etc/subgid) at a random offset far
     * above any account's id and the root engine's 100000 range; {@link #close} takes them back.
     */
    int grantRanges() throws IOException, InterruptedException {
        int start = 1_000_000 + ThreadLocalRandom.current().nextInt(0, 4096) * 65536;
        String range = start + "-" + (start + 65535);
        exec(List.of("usermod", "--add-subuids", range, "--add-subgids", range, name));
        rangeStart = start;
        return start;
    }

    void own(Path p) throws IOException, InterruptedException {
        exec(List.of("chown", "-R", uid + ":" + gid, p.toString()));
    }

    @Override
    public void close() throws Exception {
        // Any process of this user that a failed test left is ended by PID before the user goes.
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            try {
                Path status = Path.of("/proc/" + h.pid() + "/status");
                if (Files.readAllLines(status).stream().anyMatch(l -> l.matches("Uid:\\s+" + uid + "\\s.*"))) {
                    h.destroyForcibly();
                    h.onExit().join();
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        if (rangeStart >= 0) {
            String range = rangeStart + "-" + (rangeStart + 65535);
            exec(List.of("usermod", "--del-subuids", range, "--del-subgids", range, name));
        }
        exec(List.of("userdel", name));
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    private static String output(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed");
        return out;
    }
}
