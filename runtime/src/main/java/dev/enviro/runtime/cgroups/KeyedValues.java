package dev.enviro.runtime.cgroups;

/** The {@code key value} lines of files such as memory.stat, memory.events and cpu.stat. */
final class KeyedValues {
    private KeyedValues() {}

    static long get(String text, String key, long absent) {
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space == key.length() && line.startsWith(key)) return Long.parseLong(line.substring(space + 1).strip());
        }
        return absent;
    }
}
