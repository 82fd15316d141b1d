package dev.enviro.persistence;

import java.util.List;

/**
 * A container's security flags as the user gave them ({@code --cap-add}, {@code --cap-drop},
 * {@code --privileged}, {@code --security-opt}, {@code --ulimit}): plain strings, so that a replayed
 * journal means what it meant when written. Null reads as "no flags" (the defaults).
 */
public record SecuritySettings(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpt,
        List<String> ulimits) implements JournalSerializable {

    public SecuritySettings {
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    }

    public boolean isDefault() {
        return capAdd.isEmpty() && capDrop.isEmpty() && !privileged && securityOpt.isEmpty() && ulimits.isEmpty();
    }
}
