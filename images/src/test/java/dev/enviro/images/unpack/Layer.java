package dev.enviro.images.unpack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** A layer tar built in memory, entry by entry (tests of the unpacker and the snapshotters). */
public final class Layer {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    public final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    public Layer() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public Layer dir(String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        e.setModTime(new Date(1_000_000_000L));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public Layer file(String name, String content, int mode, int uid) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true); // preserve leading '/' and '..' as a hostile archive would
        e.setSize(b.length);
        e.setMode(0100000 | mode);
        e.setUserId(uid);
        e.setGroupId(uid);
        e.setModTime(new Date(1_500_000_000_000L));
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
        return this;
    }

    /** A regular file with extended attributes, as PAX {@code SCHILY.xattr.NAME} headers (docker's form). */
    public Layer fileWithXattrs(String name, String content, java.util.Map<String, String> xattrs) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(b.length);
        e.setMode(0100755);
        e.setModTime(new Date(1_500_000_000_000L));
        xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
        return this;
    }

    /**
     * A PAX extended header written by hand, so that values are the exact bytes given (the tar writer
     * would encode a String): it describes the entry that follows.
     */
    public Layer rawPaxXattrs(java.util.Map<String, byte[]> xattrs) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (var x : xattrs.entrySet()) {
            byte[] kv = ("SCHILY.xattr." + x.getKey() + "=").getBytes(StandardCharsets.UTF_8);
            int body = kv.length + x.getValue().length + 1; // + newline
            int len = body + 2;
            while (len != body + 1 + Integer.toString(len).length()) len = body + 1 + Integer.toString(len).length();
            records.write((len + " ").getBytes(StandardCharsets.US_ASCII));
            records.write(kv);
            records.write(x.getValue());
            records.write('\n');
        }
        byte[] data = records.toByteArray();
        TarArchiveEntry e = new TarArchiveEntry("PaxHeaders/next", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
        return this;
    }

    public Layer file(String name, String content) throws IOException {
        return file(name, content, 0644, 0);
    }

    public Layer link(String name, String target, byte type) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public Layer symlink(String name, String target) throws IOException {
        return link(name, target, TarConstants.LF_SYMLINK);
    }

    public Layer hardlink(String name, String target) throws IOException {
        return link(name, target, TarConstants.LF_LINK);
    }

    /** A FIFO (named pipe). */
    public Layer fifo(String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
        e.setMode(0010000 | mode);
        e.setModTime(new Date(1_500_000_000_000L));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    /** A device node: {@code type} {@link TarConstants#LF_CHR} or {@link TarConstants#LF_BLK}. */
    public Layer device(String name, byte type, int major, int minor) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(0666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setModTime(new Date(1_500_000_000_000L));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public byte[] bytes() throws IOException {
        tar.close();
        return bytes.toByteArray();
    }
}
