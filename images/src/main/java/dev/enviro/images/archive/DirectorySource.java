package dev.enviro.images.archive;

import dev.enviro.images.unpack.EntryPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** An OCI image layout directory. Members are regular files reached without following symbolic links. */
final class DirectorySource implements ArchiveSource {
    private final Path root;

    DirectorySource(Path root) {
        this.root = root;
    }

    private Path file(String path) throws IOException {
        Path p = root;
        for (String c : EntryPath.components(path)) {
            p = p.resolve(c);
            if (Files.isSymbolicLink(p)) throw new IOException(path + " is a symbolic link");
        }
        return p;
    }

    @Override
    public boolean exists(String path) {
        try {
            return Files.isRegularFile(file(path), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        Path p = file(path);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw new IOException(path + " is missing");
        return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void close() {}
}
