package dev.enviro.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void aShellsCodesForTheCommandDockersForEverythingElse() {
        for (ErrorCode code : ErrorCode.values()) {
            int expected = switch (code) {
                case COMMAND_NOT_FOUND -> 127;
                case COMMAND_NOT_RUNNABLE -> 126;
                default -> 125;
            };
            assertEquals(expected, new EnviroError(code, "x").exitCode(), code.name());
        }
    }

    @Test
    void withinKeepsTheCodeAndTheCause() {
        EnviroError inner = new EnviroError(ErrorCode.CONFLICT, "image \"a\" is used by container b");
        EnviroError outer = inner.within("cannot remove image a: ");
        assertEquals(ErrorCode.CONFLICT, outer.code());
        assertEquals("cannot remove image a: image \"a\" is used by container b", outer.getMessage());
        assertSame(inner, outer.getCause());
    }
}
