package dev.enviro.cli;

import java.io.ByteArrayOutputStream;

/**
 * Docker's detach sequence, Ctrl-P then Ctrl-Q, found in what the user types on an attached terminal:
 * the keys before it are sent, the sequence itself is not, and the session ends with the container
 * still running. A Ctrl-P followed by any other key is sent as typed, both bytes, even when the two
 * arrive in different reads.
 */
final class DetachKeys {
    static final byte CTRL_P = 0x10, CTRL_Q = 0x11;

    private boolean afterCtrlP;

    /**
     * Scans {@code n} bytes of {@code typed}; what is to be sent goes to {@code send}. Answers true when
     * the sequence completed (nothing after it is looked at).
     */
    boolean scan(byte[] typed, int n, ByteArrayOutputStream send) {
        for (int i = 0; i < n; i++) {
            byte b = typed[i];
            if (afterCtrlP) {
                afterCtrlP = false;
                if (b == CTRL_Q) return true;
                send.write(CTRL_P);
            }
            if (b == CTRL_P) {
                afterCtrlP = true;
                continue;
            }
            send.write(b);
        }
        return false;
    }
}
