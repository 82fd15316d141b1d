package dev.enviro.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerNamesTest {

    @Test
    void acceptsDockerStyleNamesAndRefusesOthers() {
        assertNull(ContainerNames.invalidReason("web"));
        assertNull(ContainerNames.invalidReason("web-1.prod_2"));
        assertNotNull(ContainerNames.invalidReason("-web"));
        assertNotNull(ContainerNames.invalidReason("we b"));
        assertNotNull(ContainerNames.invalidReason("web/1"));
        assertNotNull(ContainerNames.invalidReason("x".repeat(129)));
    }

    @Test
    void generatesAdjectiveNounNamesThatAreValid() {
        String name = ContainerNames.generate(Set.of(), new java.util.Random(1)::nextInt);
        assertTrue(name.matches("[a-z]+_[a-z]+"), name);
        assertNull(ContainerNames.invalidReason(name));
    }

    @Test
    void evenARandomSourceThatAlwaysCollidesEndsWithAFreeName() {
        // A source that always picks the first words: after ten collisions a number makes it unique.
        Set<String> taken = new HashSet<>(Set.of("agile_hopper"));
        int[] calls = {0};
        String name = ContainerNames.generate(taken, bound -> bound == 10_000 ? 42 + calls[0]++ : 0);
        assertEquals("agile_hopper42", name);
    }
}
