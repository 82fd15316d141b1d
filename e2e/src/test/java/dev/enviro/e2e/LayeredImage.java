package dev.enviro.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OCI layout: the busybox image plus gzip layers on top, each given as lines {@code d PATH},
 * {@code f PATH CONTENT}, {@code w PATH} (an empty file, e.g. a {@code .wh.} whiteout) or
 * {@code c PATH HEX} (a copy of the host's static busybox, mode 0755, whose {@code security.capability}
 * xattr is the bytes HEX, as a PAX {@code SCHILY.xattr} header the way docker writes it). Images made
 * from it share the busybox layer.
 */
final class LayeredImage {
    private LayeredImage() {}

    static Path build(Path dir, List<List<String>> layers) throws IOException, InterruptedException {
        Path layout = Files.createDirectories(dir);
        run(List.of("tar", "-xf", BusyboxImage.archive().toString(), "-C", layout.toString()));
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", SCRIPT, layout.toString()));
        for (List<String> layer : layers) cmd.add(String.join("\n", layer));
        run(cmd);
        return layout;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(cmd.getFirst() + " failed: " + out);
    }

    private static final String SCRIPT = """
            import gzip, hashlib, io, json, os, sys, tarfile
            root = sys.argv[1]
            def blob(b):
                d = hashlib.sha256(b).hexdigest()
                open(os.path.join(root, "blobs/sha256", d), "wb").write(b)
                return "sha256:" + d, len(b)
            index = json.load(open(os.path.join(root, "index.json")))
            mdesc = index["manifests"][0]
            manifest = json.load(open(os.path.join(root, "blobs/sha256", mdesc["digest"][7:])))
            config = json.load(open(os.path.join(root, "blobs/sha256", manifest["config"]["digest"][7:])))
            for spec in sys.argv[2:]:
                raw = io.BytesIO()
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
                    for line in spec.splitlines():
                        kind, path, *rest = line.split(" ", 2)
                        ti = tarfile.TarInfo(path); ti.mtime = 0
                        if kind == "d":
                            ti.type, ti.mode = tarfile.DIRTYPE, 0o755; t.addfile(ti)
                        elif kind == "c":
                            data = open("/bin/busybox", "rb").read()
                            ti.size, ti.mode = len(data), 0o755
                            # surrogateescape: tarfile then writes the value's bytes exactly (hdrcharset=BINARY)
                            ti.pax_headers = {"SCHILY.xattr.security.capability": bytes.fromhex(rest[0]).decode("utf-8", "surrogateescape")}
                            t.addfile(ti, io.BytesIO(data))
                        else:
                            data = (rest[0] + "\\n").encode() if kind == "f" else b""
                            ti.size, ti.mode = len(data), 0o644; t.addfile(ti, io.BytesIO(data))
                r = raw.getvalue()
                d, n = blob(gzip.compress(r, mtime=0))
                manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
                config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(r).hexdigest())
            cd, cn = blob(json.dumps(config).encode())
            manifest["config"].update(digest=cd, size=cn)
            md, mn = blob(json.dumps(manifest).encode())
            index["manifests"] = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mn}]
            json.dump(index, open(os.path.join(root, "index.json"), "w"))
            """;
}
