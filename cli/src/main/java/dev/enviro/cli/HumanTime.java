package dev.enviro.cli;

import java.time.Duration;

/** Durations as {@code docker ps} words them ("Up 3 seconds", "2 minutes ago"). */
final class HumanTime {

    private HumanTime() {}

    static String of(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = Math.round(d.toSeconds() / 3600.0);
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        long days = hours / 24;
        if (days < 7 * 2) return days + " days";
        if (days < 30 * 3) return days / 7 + " weeks";
        if (days < 365 * 2) return days / 30 + " months";
        return days / 365 + " years";
    }
}
