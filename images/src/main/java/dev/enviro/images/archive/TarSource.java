package dev.enviro.images.archive;

import dev.enviro.images.unpack.EntryPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A tar archive read with random access. Every member name is checked when the archive is opened;
 * symbolic links between members ({@code docker save} links repeated layers) are resolved inside
 * the archive and may not point out of it. A member whose data runs past the end of the file
 * (a truncated archive) is rejected before anything is read.
 */
final class TarSource implements ArchiveSource {
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    TarSource(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        long length = channel.size();
        this.tar = new TarFile(channel);
        try {
            for (TarArchiveEntry e : tar.getEntries()) {
                String name = cleanName(e.getName());
                if (e.isSymbolicLink() || e.isLink()) {
                    String target = e.isSymbolicLink() ? resolveLink(name, e.getLinkName()) : cleanName(e.getLinkName());
                    links.put(name, target);
                } else if (e.isFile()) {
                    if (e.getDataOffset() + e.getSize() > length) throw new IOException("member " + name + " is truncated");
                    files.put(name, e);
                }
            }
        } catch (IOException | RuntimeException e) {
            tar.close();
            throw e;
        }
    }

    private static String cleanName(String name) throws IOException {
        try {
            return EntryPath.clean(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("unsafe member: " + e.getMessage());
        }
    }

    /** A relative symlink target, taken from the member's directory, as a clean member path. */
    private static String resolveLink(String member, String target) throws IOException {
        if (target.startsWith("/")) throw new IOException("member " + member + " links to absolute path " + target);
        List<String> parts = new java.util.ArrayList<>(List.of(member.split("/")));
        parts.removeLast();
        for (String c : target.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (parts.isEmpty()) throw new IOException("member " + member + " links out of the archive: " + target);
                parts.removeLast();
            } else {
                parts.add(c);
            }
        }
        return String.join("/", parts);
    }

    private TarArchiveEntry entry(String path) throws IOException {
        String p = cleanName(path);
        for (int hops = 0; hops < 16 && !files.containsKey(p) && links.containsKey(p); hops++) p = links.get(p);
        TarArchiveEntry e = files.get(p);
        if (e == null) throw new IOException(path + " is missing");
        return e;
    }

    @Override
    public boolean exists(String path) {
        try {
            entry(path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        return tar.getInputStream(entry(path));
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
