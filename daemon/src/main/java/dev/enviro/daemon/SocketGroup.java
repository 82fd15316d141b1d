package dev.enviro.daemon;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code enviro daemon --group GROUP}, as dockerd's: the engine's sockets become 0660 and GROUP's, so
 * that its members may use the engine. What they may reach through it is still only what their own
 * rights reach: files a command line names are opened by their relay, as them (docs/relay.md).
 */
final class SocketGroup {

    private SocketGroup() {}

    static void grant(String group, Path... sockets) throws IOException {
        GroupPrincipal principal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        for (Path socket : sockets) {
            Files.getFileAttributeView(socket, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(principal);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        }
        // the default socket directory is the engine's own, 0700: the group may pass through it, no more
        Path dir = sockets[0].getParent();
        if (PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)).equals("rwx------")
                && Files.getOwner(dir).equals(Files.getOwner(Path.of("/proc/self")))) {
            Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(principal);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x---"));
        }
    }
}
