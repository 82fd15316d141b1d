package dev.enviro.actors;

import dev.enviro.persistence.SecuritySettings;
import dev.enviro.runtime.SecurityOptions;

/** The security flags between the runtime's type and the journal's plain record. */
final class JournalSecurity {
    private JournalSecurity() {}

    static SecuritySettings of(SecurityOptions o) {
        return new SecuritySettings(o.capAdd(), o.capDrop(), o.privileged(), o.securityOpt(), o.ulimits());
    }

    /** An event written before the flags existed replays as the defaults. */
    static SecurityOptions options(SecuritySettings s) {
        return s == null ? SecurityOptions.DEFAULT : new SecurityOptions(s.capAdd(), s.capDrop(), s.privileged(), s.securityOpt(), s.ulimits());
    }
}
