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

    static dev.enviro.persistence.RunSettings of(dev.enviro.runtime.RunOptions o) {
        return new dev.enviro.persistence.RunSettings(o.volumes(), o.tmpfs(), o.readOnly(), o.logOpts(), o.init(),
                o.tty(), o.interactive());
    }

    /** Storage, log and init flags; an event written before they existed replays as the defaults. */
    static dev.enviro.runtime.RunOptions options(dev.enviro.persistence.RunSettings s) {
        return s == null ? dev.enviro.runtime.RunOptions.DEFAULT
                : new dev.enviro.runtime.RunOptions(s.volumes(), s.tmpfs(), s.readOnly(), s.logOpts(), s.init(),
                        s.tty(), s.interactive());
    }
}
