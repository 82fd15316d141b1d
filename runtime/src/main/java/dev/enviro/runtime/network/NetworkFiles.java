package dev.enviro.runtime.network;

import dev.enviro.ffm.IdMap;
import dev.enviro.ffm.MountOptions;
import dev.enviro.ffm.helper.HelperPlan;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A container's /etc/hosts, /etc/hostname and /etc/resolv.conf: written at each start into its
 * directory, owned by its root (who may edit them, as in docker), and bind-mounted over the image's.
 */
public record NetworkFiles(List<HelperPlan.Volume> binds) {

    static final List<String> TARGETS = List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

    /** {@code address}: the container's own on its network (the bridge's), or null. */
    public static NetworkFiles write(Path containerDir, ContainerNetwork network, String hostname, String name, IdMap idMap,
            java.net.InetAddress address) throws IOException {
        List<String> contents = List.of(network.hostsFile(hostname, name, HostFiles.hosts(), address), hostname + "\n",
                network.resolvConf(HostFiles.resolvConf()));
        List<HelperPlan.Volume> binds = new ArrayList<>();
        for (int i = 0; i < TARGETS.size(); i++) {
            String target = TARGETS.get(i);
            Path file = containerDir.resolve(target.substring("/etc/".length()));
            write(file, contents.get(i), idMap);
            binds.add(new HelperPlan.Volume(HelperPlan.Volume.Kind.BIND, file.toString(), target,
                    MountOptions.MS_NOSUID | MountOptions.MS_NODEV | MountOptions.MS_NOEXEC, ""));
        }
        return new NetworkFiles(binds);
    }

    /** {@code storage} with these files mounted first, except where a volume of the user's takes the same path. */
    public HelperPlan.Storage over(HelperPlan.Storage storage) {
        Set<String> taken = storage.volumes().stream().map(v -> Path.of(v.target()).normalize().toString()).collect(Collectors.toSet());
        List<HelperPlan.Volume> volumes = new ArrayList<>();
        for (HelperPlan.Volume v : binds) if (!taken.contains(v.target())) volumes.add(v);
        volumes.addAll(storage.volumes());
        return new HelperPlan.Storage(volumes, storage.readOnlyRootfs());
    }

    /** Temp file and rename (a reader never sees half of one), given to the container's root, mode 0644. */
    private static void write(Path file, String content, IdMap idMap) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
            ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        int uid = idMap.hostUid(0), gid = idMap.hostGid(0);
        if (uid >= 0) Files.setAttribute(tmp, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        if (gid >= 0) Files.setAttribute(tmp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
