package dev.enviro.cli;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import java.util.Locale;
import java.util.Map;

/** Linux signal names and numbers, as {@code kill -s} and {@code enviro kill -s} accept them. */
final class Signals {

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
            Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13),
            Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17),
            Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20), Map.entry("TTIN", 21),
            Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24), Map.entry("XFSZ", 25),
            Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28), Map.entry("IO", 29),
            Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    private static final int SIGRTMIN = 34;
    private static final int SIGRTMAX = 64;

    private Signals() {}

    /** {@code KILL}, {@code SIGKILL}, {@code kill}, {@code 9}, {@code RTMIN+3}. */
    static int parse(String text) {
        String name = text.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        try {
            int number = Integer.parseInt(name);
            if (number >= 1 && number <= SIGRTMAX) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            Integer known = NUMBERS.get(name);
            if (known != null) {
                return known;
            }
            Integer realtime = realtime(name);
            if (realtime != null) {
                return realtime;
            }
        }
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "invalid signal '" + text + "': expected a name such as TERM or KILL, or a number from 1 to 64");
    }

    private static Integer realtime(String name) {
        try {
            if (name.equals("RTMIN")) return SIGRTMIN;
            if (name.equals("RTMAX")) return SIGRTMAX;
            if (name.startsWith("RTMIN+")) {
                int n = SIGRTMIN + Integer.parseInt(name.substring(6));
                return n <= SIGRTMAX ? n : null;
            }
            if (name.startsWith("RTMAX-")) {
                int n = SIGRTMAX - Integer.parseInt(name.substring(6));
                return n >= SIGRTMIN ? n : null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
