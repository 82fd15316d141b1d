package dev.enviro.runtime.nativeexec;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.Mount;
import dev.enviro.images.ResolvedImage;
import dev.enviro.images.Snapshotter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;

/**
 * The overlay the real snapshotter returns (docs/contracts.md, "Rootfs"), over one fixed lower
 * directory instead of an image's unpacked layers: the helper's mount path is the same.
 */
final class LowerDirSnapshotter implements Snapshotter {
    private final Path lower;

    LowerDirSnapshotter(Path lower) {
        this.lower = lower;
    }

    @Override
    public List<Mount> prepare(ResolvedImage image, IdMap idMap, Path containerDir) throws EnviroError {
        try {
            Path upper = Files.createDirectories(containerDir.resolve("upper"));
            Path work = Files.createDirectories(containerDir.resolve("work"));
            Path rootfs = Files.createDirectories(containerDir.resolve("rootfs"));
            for (Path p : List.of(upper, work)) chown(p, idMap.hostUid(0), idMap.hostGid(0));
            return List.of(new Mount("overlay", "overlay", rootfs.toString(), List.of(
                    "lowerdir=" + lower, "upperdir=" + upper, "workdir=" + work)));
        } catch (IOException e) {
            throw new EnviroError(ErrorCode.INTERNAL, "cannot prepare " + containerDir + ": " + e.getMessage(), e);
        }
    }

    private static void chown(Path p, int uid, int gid) throws IOException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(lookup.lookupPrincipalByName(Integer.toString(uid)));
        view.setGroup(lookup.lookupPrincipalByGroupName(Integer.toString(gid)));
    }

    @Override
    public void remove(Path containerDir) throws EnviroError {
        for (String d : List.of("upper", "work", "rootfs")) {
            Path dir = containerDir.resolve(d);
            try {
                NativeExecutor.deleteTree(dir);
            } catch (IOException e) {
                throw new EnviroError(ErrorCode.INTERNAL, "cannot remove " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
