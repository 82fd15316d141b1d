package dev.enviro.actors;

import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;

/**
 * Container names: users' names are checked as Docker checks them; unnamed containers get a
 * memorable {@code adjective_noun} (nouns are pioneers of computing and of operating systems).
 */
final class ContainerNames {

    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private static final List<String> ADJECTIVES = List.of(
            "agile", "bold", "brave", "calm", "clever", "crisp", "eager", "fair", "gentle", "happy",
            "keen", "kind", "lucid", "merry", "nimble", "noble", "quiet", "quick", "sharp", "steady",
            "swift", "tidy", "vivid", "wise", "zealous", "patient", "modest", "jolly", "hopeful", "sober");

    private static final List<String> NOUNS = List.of(
            "hopper", "lovelace", "turing", "ritchie", "thompson", "torvalds", "knuth", "dijkstra",
            "hamilton", "liskov", "lamport", "backus", "kernighan", "mccarthy", "allen", "goldberg",
            "hoare", "wirth", "tanenbaum", "bach", "cerf", "shannon", "neumann", "perlman", "hellman",
            "diffie", "stallman", "pike", "joy", "corbato");

    private ContainerNames() {}

    /** Null when valid, else the one-line reason. */
    static String invalidReason(String name) {
        if (VALID.matcher(name).matches() && name.length() <= 128) {
            return null;
        }
        return "invalid container name \"" + dev.enviro.errors.Echo.of(name) + "\": use 1 to 128 of [a-zA-Z0-9_.-], starting with a letter or digit";
    }

    /**
     * A name not in {@code taken}. {@code random} gives a number in {@code [0, bound)}. After a few
     * collisions a digit is appended, as Docker does, so the search always ends.
     */
    static String generate(Set<String> taken, IntUnaryOperator random) {
        for (int attempt = 0; ; attempt++) {
            String name = ADJECTIVES.get(random.applyAsInt(ADJECTIVES.size())) + "_"
                    + NOUNS.get(random.applyAsInt(NOUNS.size()));
            if (attempt >= 10) {
                name = name + random.applyAsInt(10_000);
            }
            if (!taken.contains(name)) {
                return name;
            }
        }
    }
}
