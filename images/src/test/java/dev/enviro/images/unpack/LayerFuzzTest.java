package dev.enviro.images.unpack;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.enviro.ffm.IdMap;
import dev.enviro.images.content.Tree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Feeds the layer applier arbitrary tar bytes and generated archives full of {@code ../}, absolute
 * names, symlinks and hard links pointing out, FIFOs and device nodes, over a target inside a sandbox
 * directory, in both forms (flattened layers, overlay layers over the ones before). Whatever the input,
 * the applier may refuse it with an IOException or IllegalArgumentException, but nothing in the sandbox
 * outside the target may change. And the check at load ({@link LayerScan} and {@link ImageModel},
 * writing nothing) must agree: it refuses the same layers at the same place, so that what load accepts
 * unpacks and what it refuses could not have. {@code mvn verify} fuzzes for the bounded time below
 * (JAZZER_FUZZ is set by the module's pom).
 */
class LayerFuzzTest {
    private static final List<String> NAMES = List.of("a", "b", "..", ".", "", "a/b", "bait", "sub", ".wh.a", ".wh..wh..opq", ".wh.bait", "/");
    private static final List<String> TARGETS = List.of("/", "..", "../..", "../bait", "/bait", "a", "a/b", "../../..", "sub/../..", "bait");

    @FuzzTest(maxDuration = "30s")
    void nothingLandsOutsideTheTarget(FuzzedDataProvider data) throws IOException {
        Path sandbox = Files.createTempDirectory("enviro-fuzz-");
        try {
            Path root = Files.createDirectory(sandbox.resolve("target"));
            Files.writeString(sandbox.resolve("bait"), "bait");
            Files.createDirectory(sandbox.resolve("sub"));
            Map<String, String> before = snapshot(sandbox, root);
            boolean overlay = data.consumeBoolean();
            int layers = data.consumeInt(1, 3);
            List<byte[]> tars = new ArrayList<>();
            List<Path> below = new ArrayList<>(); // top first
            int refusedAt = -1;
            Exception refusal = null;
            for (int i = 0; i < layers; i++) {
                byte[] tar = data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 4096)) : generated(data, sandbox);
                tars.add(tar);
                Path dir = overlay ? Files.createDirectories(root.resolve("l" + i)) : root;
                try {
                    LayerApplier applier = overlay ? LayerApplier.overlayLayer(dir, IdMap.single(0, 0), List.copyOf(below)) : new LayerApplier(dir, IdMap.single(0, 0));
                    applier.apply(new ByteArrayInputStream(tar));
                } catch (IOException | IllegalArgumentException refused) {
                    // a refusal is a fine answer to a hostile or broken layer
                    if (refusedAt < 0) {
                        refusedAt = i;
                        refusal = refused;
                    }
                }
                below.addFirst(dir);
            }
            assertEquals(before, snapshot(sandbox, root), "nothing outside the target may change");
            if (refusedAt >= 0) layers = refusedAt + 1; // what came after a refusal was applied over a partial layer
            int checkRefusedAt = -1;
            Exception checkRefusal = null;
            ImageModel model = new ImageModel();
            for (int i = 0; i < layers && checkRefusedAt < 0; i++) {
                try {
                    model.apply(LayerScan.read(new ByteArrayInputStream(tars.get(i)), true));
                } catch (IOException | IllegalArgumentException refused) {
                    checkRefusedAt = i;
                    checkRefusal = refused;
                }
            }
            assertEquals(refusedAt, checkRefusedAt, "the check at load refuses where unpacking does: unpacking " + refusal + ", the check " + checkRefusal
                    + (overlay ? " (overlay) " : " (flattened) ") + describe(tars));
            if (refusal instanceof UnsafeEntryException) assertEquals(refusal.getMessage(), checkRefusal.getMessage(), "in the same words " + describe(tars));
        } finally {
            Tree.delete(sandbox);
        }
    }

    /** The layers' entries, for a finding's message: type, name, link. */
    private static String describe(List<byte[]> tars) {
        StringBuilder b = new StringBuilder();
        for (byte[] tar : tars) {
            b.append("\n layer:");
            try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar))) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    b.append(" [").append((char) e.getLinkFlag()).append(' ').append(e.getName());
                    if (!e.getLinkName().isEmpty()) b.append(" -> ").append(e.getLinkName());
                    b.append(']');
                }
            } catch (IOException | RuntimeException unreadable) {
                b.append(" (").append(unreadable.getMessage()).append(')');
            }
        }
        return b.toString();
    }

    /** A tar of entries drawn from names and link targets chosen to climb out. */
    private static byte[] generated(FuzzedDataProvider data, Path sandbox) throws IOException {
        Layer layer = new Layer();
        int n = data.consumeInt(0, 12);
        for (int i = 0; i < n; i++) {
            String name = path(data);
            switch (data.consumeInt(0, 4)) {
                case 0 -> layer.dir(name, 0755);
                case 1 -> layer.file(name.isEmpty() || name.endsWith("/") ? name + "f" : name, data.consumeString(16), 0644, 0); // "x/" would be a directory
                case 2 -> layer.symlink(name, data.consumeBoolean() ? data.pickValue(TARGETS) : sandbox.toString());
                case 3 -> layer.hardlink(name, data.consumeBoolean() ? data.pickValue(TARGETS) : path(data));
                default -> {
                    byte type = data.pickValue(new Byte[] {TarConstants.LF_FIFO, TarConstants.LF_CHR, TarConstants.LF_BLK});
                    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
                    if (type != TarConstants.LF_FIFO && data.consumeBoolean()) { // else 0/0: a whiteout's form
                        e.setDevMajor(1);
                        e.setDevMinor(3);
                    }
                    layer.tar.putArchiveEntry(e);
                    layer.tar.closeArchiveEntry();
                }
            }
        }
        return layer.bytes();
    }

    private static String path(FuzzedDataProvider data) {
        List<String> parts = new ArrayList<>();
        int n = data.consumeInt(1, 4);
        for (int i = 0; i < n; i++) parts.add(data.pickValue(NAMES));
        return String.join("/", parts);
    }

    /** Every entry of the sandbox outside the target: its type, size, link count and content or link target. */
    private static Map<String, String> snapshot(Path sandbox, Path target) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(sandbox)) {
            for (Path p : walk.filter(p -> !p.startsWith(target)).toList()) {
                String what;
                if (Files.isSymbolicLink(p)) what = "link " + Files.readSymbolicLink(p);
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) what = "dir " + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) what = "other " + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS); // never opened
                else what = "file " + Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) + " "
                        + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) + " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                out.put(sandbox.relativize(p).toString(), what);
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
