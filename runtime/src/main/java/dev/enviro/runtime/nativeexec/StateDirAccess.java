package dev.enviro.runtime.nativeexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The container's root is an unprivileged host id, and it mounts its overlay from inside its user
 * namespace, so it must be able to search every directory on the way to the layers and the
 * container directory. The engine opens the state directory itself to search-only for others
 * (0711: nothing can be listed) and refuses, with the fix, when a parent it does not own is closed.
 */
final class StateDirAccess {

    static void ensureSearchable(Path stateDir, boolean mappedIdsAreOthers) throws IOException {
        Path dir = stateDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        if (!mappedIdsAreOthers) {
            return; // rootless: container root is the engine's own user
        }
        Set<PosixFilePermission> own = EnumSet.copyOf(Files.getPosixFilePermissions(dir));
        if (own.add(PosixFilePermission.OTHERS_EXECUTE) | own.add(PosixFilePermission.GROUP_EXECUTE)) {
            Files.setPosixFilePermissions(dir, own);
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("state directory " + dir + ": its parent " + p
                        + " is not searchable by the containers' unprivileged root: run 'chmod o+x " + p
                        + "' or choose another --state-dir");
            }
        }
    }

    private StateDirAccess() {}
}
