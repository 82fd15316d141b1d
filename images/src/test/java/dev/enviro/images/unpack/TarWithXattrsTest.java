package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;

/**
 * Each entry gets exactly the xattrs of its own PAX header, as bytes, also where a tar stream's
 * header positions cannot be told from the header blocks alone (tars written by hand here).
 */
class TarWithXattrsTest {

    private static byte[] header(String name, char type, long sizeField) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", sizeField));
        put(h, 136, "00000000000\0");
        h[156] = (byte) type;
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o\0 ", sum));
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** One PAX record, its length counting itself. */
    private static byte[] record(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length() + 1;
        while (Integer.toString(len).length() + body.length() != len) len++;
        return (len + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void entry(ByteArrayOutputStream tar, byte[] header, byte[] data) throws IOException {
        tar.write(header);
        tar.write(data);
        tar.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void pax(ByteArrayOutputStream tar, byte[] records) throws IOException {
        entry(tar, header("PaxHeader", 'x', records.length), records);
    }

    /** Entry name to its xattrs (values as ISO-8859-1 text), in the order the reader returns them. */
    private static Map<String, Map<String, String>> read(byte[] tarBytes) throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        try (TarWithXattrs tar = new TarWithXattrs(new ByteArrayInputStream(tarBytes))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Map<String, String> x = new TreeMap<>();
                tar.xattrs().forEach((k, v) -> x.put(k, new String(v, StandardCharsets.ISO_8859_1)));
                out.put(e.getName(), x);
                tar.transferTo(OutputStream.nullOutputStream());
            }
        }
        return out;
    }

    @Test
    void aPaxSizeRecordMovesTheNextHeaderAndNothingInsideTheDataIsTakenForOne() throws Exception {
        // A PAX size= record (Go's archive/tar writes one for files of 8 GiB and more, header size 0);
        // the file's data looks like a PAX header and an entry.
        ByteArrayOutputStream decoy = new ByteArrayOutputStream();
        pax(decoy, record("SCHILY.xattr.user.smuggled", "yes"));
        entry(decoy, header("decoy", '0', 1L << 30), new byte[0]);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        pax(tar, record("size", Integer.toString(decoy.size())));
        entry(tar, header("big", '0', 0), decoy.toByteArray());
        pax(tar, record("SCHILY.xattr.user.mine", "b"));
        entry(tar, header("b", '0', 3), "abc".getBytes(StandardCharsets.US_ASCII));
        entry(tar, header("c", '0', 3), "abc".getBytes(StandardCharsets.US_ASCII));
        tar.write(new byte[1024]);
        Map<String, Map<String, String>> seen = read(tar.toByteArray());
        assertEquals(Map.of("big", Map.of(), "b", Map.of("user.mine", "b"), "c", Map.of()), seen);
    }

    @Test
    void aDirectoryWithASizeFieldDoesNotShiftTheAttributesOfWhatFollows() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        pax(tar, record("SCHILY.xattr.user.dir", "d"));
        tar.write(header("d/", '5', 1024)); // the reader reads no data for a directory
        pax(tar, record("SCHILY.xattr.user.file", "f"));
        entry(tar, header("d/f", '0', 3), "abc".getBytes(StandardCharsets.US_ASCII));
        entry(tar, header("d/g", '0', 3), "abc".getBytes(StandardCharsets.US_ASCII));
        tar.write(new byte[1024]);
        assertEquals(Map.of("d/", Map.of("user.dir", "d"), "d/f", Map.of("user.file", "f"), "d/g", Map.of()), read(tar.toByteArray()));
    }

    @Test
    void binaryValuesArriveExactlyAndAnEmptyValueDeletes() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] records = concat(record("SCHILY.xattr.user.bin", "\u00ff\u0000\u00c0="), record("SCHILY.xattr.user.gone", "x"),
                record("SCHILY.xattr.user.gone", ""));
        pax(tar, records);
        entry(tar, header("f", '0', 1), new byte[] {'x'});
        tar.write(new byte[1024]);
        assertEquals(Map.of("f", Map.of("user.bin", "\u00ff\u0000\u00c0=")), read(tar.toByteArray()));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }
}
