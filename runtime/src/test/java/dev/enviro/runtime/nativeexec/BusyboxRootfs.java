package dev.enviro.runtime.nativeexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** An image's unpacked files without the images module: busybox-static, its applets, passwd and group. */
final class BusyboxRootfs {
    private BusyboxRootfs() {}

    static final List<String> APPLETS = List.of("sh", "ls", "cat", "echo", "hostname", "id", "sleep", "true", "false", "ps", "grep", "wc", "readlink", "env", "pwd");

    static Path create(Path dir) throws IOException {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc", "root", "home/app")) Files.createDirectories(dir.resolve(d));
        Files.writeString(dir.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1000:app:/home/app:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                """);
        Files.writeString(dir.resolve("etc/group"), """
                root:x:0:
                app:x:1000:
                audio:x:29:app
                nogroup:x:65534:
                """);
        // The engine binds its own over these; its container root (a mapped id) could not create them in this
        // /etc, which is the host root's here (an image's layers are unpacked for the map and are its root's).
        for (String f : List.of("hosts", "hostname", "resolv.conf")) Files.writeString(dir.resolve("etc").resolve(f), "");
        // a file that exists but is not executable, for exit 126
        Files.writeString(dir.resolve("bin/not-executable"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve("bin/not-executable"), PosixFilePermissions.fromString("rw-r--r--"));
        return dir;
    }
}
