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
 * names, symlinks and hard links pointing out, over a target inside a sandbox directory, in both
 * forms (flattened layers, overlay layers). Whatever the input, the applier may refuse it with an
 * IOException or IllegalArgumentException, but nothing in the sandbox outside the target may change.
 * {@code mvn verify} fuzzes for the bounded time below (JAZZER_FUZZ is set by the module's pom).
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
            for (int i = 0; i < layers; i++) {
                byte[] tar = data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 4096)) : generated(data, sandbox);
                Path dir = overlay ? Files.createDirectories(root.resolve("l" + i)) : root;
                try {
                    LayerApplier applier = overlay ? LayerApplier.overlayLayer(dir, IdMap.single(0, 0), i == 0 ? List.of() : List.of(root.resolve("l" + (i - 1))))
                            : new LayerApplier(dir, IdMap.single(0, 0));
                    applier.apply(new ByteArrayInputStream(tar));
                } catch (IOException | IllegalArgumentException refused) {
                    // a refusal is a fine answer to a hostile or broken layer
                }
            }
            assertEquals(before, snapshot(sandbox, root), "nothing outside the target may change");
        } finally {
            Tree.delete(sandbox);
        }
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
                    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
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
                else what = "file " + Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) + " "
                        + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) + " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                out.put(sandbox.relativize(p).toString(), what);
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
