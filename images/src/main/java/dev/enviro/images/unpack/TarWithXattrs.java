package dev.enviro.images.unpack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The tar reader, keeping each entry's extended attributes (PAX {@code SCHILY.xattr.NAME} records) as
 * bytes. commons-compress decodes PAX values as UTF-8, which loses binary values such as a file
 * capability granting CAP_SETUID (a 0xc0 byte). The raw records are the bytes this reader itself reads
 * as a local PAX header's data (it parses them through its own {@code read}), so they can never be
 * out of step with the entries it returns: no second parser of the tar stream, whose idea of where a
 * header starts could differ from the reader's (a PAX {@code size} record, a directory with data, GNU
 * sparse headers) and attach one entry's attributes to another.
 */
final class TarWithXattrs extends TarArchiveInputStream {
    private static final String PREFIX = "SCHILY.xattr.";
    /** PAX data kept per entry at most: xattrs are at most 64 KiB each on Linux. */
    private static final int LIMIT = 1 << 20;

    /** The reader reads a PAX header's data, then calls itself for the entry it describes. */
    private int depth;
    private final ByteArrayOutputStream pax = new ByteArrayOutputStream();
    private Map<String, byte[]> current = Map.of();

    TarWithXattrs(InputStream in) {
        super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        TarArchiveEntry e = getCurrentEntry();
        if (n > 0 && depth > 0 && e != null && e.isPaxHeader() && pax.size() + n <= LIMIT) pax.write(b, off, n);
        return n;
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth == 0) pax.reset();
        depth++;
        try {
            return super.getNextEntry();
        } finally {
            if (--depth == 0) current = records(pax.toByteArray());
        }
    }

    /** xattr name (without the SCHILY prefix) to value, of the entry {@link #getNextEntry} returned last. */
    Map<String, byte[]> xattrs() {
        return current;
    }

    /** {@code "LEN KEY=VALUE\n"} records; the xattrs among them, values as bytes (an empty value deletes, as in the reader). */
    private static Map<String, byte[]> records(byte[] data) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int p = 0;
        while (p < data.length) {
            int space = p;
            while (space < data.length && data[space] != ' ') space++;
            if (space >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, p, space - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break; // malformed: the reader itself has refused it by now
            }
            int end = p + len;
            if (len <= space - p + 1 || end > data.length) break;
            int eq = space + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq < end) {
                String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
                if (key.startsWith(PREFIX)) {
                    byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
                    if (value.length == 0) out.remove(key.substring(PREFIX.length()));
                    else out.put(key.substring(PREFIX.length()), value);
                }
            }
            p = end;
        }
        return out;
    }
}
