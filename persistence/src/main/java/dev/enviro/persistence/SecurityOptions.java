package dev.enviro.persistence;

import java.util.List;

/**
 * The security flags of {@code run}, as the user typed them; the runtime's {@code SecurityProfile}
 * turns them into what the helper applies. Kept as text so that the journal replays them as given.
 *
 * @param capAdd      {@code --cap-add}: names with or without {@code CAP_}, or {@code ALL}
 * @param capDrop     {@code --cap-drop}: names, or {@code ALL}
 * @param privileged  {@code --privileged}: every capability, no seccomp filter, no masked paths (still in a user namespace)
 * @param securityOpt {@code --security-opt}: {@code seccomp=unconfined|PROFILE.json|<json>}, {@code no-new-privileges[=true|false]}
 * @param ulimits     {@code --ulimit}: {@code name=soft[:hard]}
 */
public record SecurityOptions(List<String> capAdd, List<String> capDrop, boolean privileged, List<String> securityOpt, List<String> ulimits)
        implements JournalSerializable {

    public static final SecurityOptions DEFAULT = new SecurityOptions(List.of(), List.of(), false, List.of(), List.of());

    public SecurityOptions {
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    }
}
