#!/usr/bin/env bash
# Builds a reproducible OCI image layout tar of Debian's busybox-static:
#   scripts/busybox-image.sh OUT.tar [NAME]      (NAME defaults to localhost/busybox:latest)
# One gzip layer (/bin/busybox, an applet symlink per applet in /bin, /etc/passwd and /etc/group,
# /tmp 1777, /root), an OCI config (PATH, Cmd ["sh"], linux/amd64) and index.json naming the image.
# Every timestamp is SOURCE_DATE_EPOCH (default 0) and every owner 0:0, so two runs on the same
# busybox binary give the same manifest digest. EXTRA_SYMLINKS="data=/ up=../.." adds symlinks to the
# layer (PATH=TARGET, space-separated): hostile images for the escape tests. EXTRA_OWNED="home/app/=1000:1000:0700
# home/app/key=1000:1000:0600" adds directories (a trailing /) and files (holding their own path) with
# those owners and modes: images whose files belong to several users.
set -euo pipefail

out=${1:?usage: busybox-image.sh OUT.tar [NAME]}
name=${2:-localhost/busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}
epoch=${SOURCE_DATE_EPOCH:-0}

[[ -x $busybox ]] || { echo "busybox-image.sh: $busybox not found: apt-get install busybox-static" >&2; exit 1; }
python3 - "$out" "$name" "$busybox" "$epoch" <<'PY'
import gzip, hashlib, io, json, os, subprocess, sys, tarfile, time

out, name, busybox, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def is_static_elf(path):
    # A dynamically linked busybox has a PT_INTERP program header and would not run in an image without libc.
    import struct
    with open(path, "rb") as fh:
        h = fh.read(64)
        if h[:5] != b"\x7fELF\x02":
            return False
        phoff, = struct.unpack_from("<Q", h, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", h, 0x36)
        fh.seek(phoff)
        table = fh.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))

if not is_static_elf(busybox):
    sys.exit(f"busybox-image.sh: {busybox} is not a static x86-64 binary: apt-get install busybox-static")

def info(path, kind, mode, size=0, link="", uid=0, gid=0):
    t = tarfile.TarInfo(path)
    t.type, t.mode, t.size, t.linkname = kind, mode, size, link
    t.uid, t.gid = uid, gid
    t.uname = t.gname = "root" if uid == 0 else ""
    t.mtime = epoch
    return t

def layer_tar():
    files = []  # (TarInfo, bytes or None), in the order written
    def d(path, mode=0o755): files.append((info(path, tarfile.DIRTYPE, mode), None))
    def f(path, data, mode=0o644): files.append((info(path, tarfile.REGTYPE, mode, len(data)), data))
    def l(path, target): files.append((info(path, tarfile.SYMTYPE, 0o777, link=target), None))
    for p in ["bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "sbin", "var"]:
        d(p)
    d("root", 0o700)
    d("tmp", 0o1777)
    with open(busybox, "rb") as fh:
        f("bin/busybox", fh.read(), 0o755)
    applets = subprocess.run([busybox, "--list"], check=True, capture_output=True, text=True).stdout.split()
    for a in sorted(set(applets) - {"busybox"}):
        if "/" in a or a in (".", ".."):
            sys.exit(f"busybox-image.sh: unexpected applet name {a!r}")
        l("bin/" + a, "busybox")
    if "sh" not in applets:
        l("bin/sh", "busybox")
    f("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    f("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    for spec in os.environ.get("EXTRA_SYMLINKS", "").split():
        path, target = spec.split("=", 1)
        l(path.strip("/"), target)
    for spec in os.environ.get("EXTRA_OWNED", "").split():
        path, owner = spec.split("=", 1)
        uid, gid, mode = owner.split(":")
        name = path.strip("/")
        if path.endswith("/"):
            files.append((info(name, tarfile.DIRTYPE, int(mode, 8), uid=int(uid), gid=int(gid)), None))
        else:
            data = (name + "\n").encode()
            files.append((info(name, tarfile.REGTYPE, int(mode, 8), len(data), uid=int(uid), gid=int(gid)), data))
    buf = io.BytesIO()
    # USTAR: no pax headers carrying atime/ctime, so the bytes depend only on the inputs.
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for ti, data in files:
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()

def digest(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def js(o): return json.dumps(o, sort_keys=True, separators=(",", ":")).encode()

raw = layer_tar()
gz = io.BytesIO()
with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=9) as z:
    z.write(raw)
layer = gz.getvalue()

created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
config = js({
    "architecture": "amd64", "os": "linux", "created": created,
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": [digest(raw)]},
    "history": [{"created": created, "created_by": "scripts/busybox-image.sh"}],
})
manifest = js({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(layer), "size": len(layer)}],
})
index = js({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest),
                   "size": len(manifest), "platform": {"architecture": "amd64", "os": "linux"},
                   "annotations": {"org.opencontainers.image.ref.name": name}}],
})

tmp = out + ".tmp"
with tarfile.open(tmp, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    tar.addfile(info("blobs", tarfile.DIRTYPE, 0o755))
    tar.addfile(info("blobs/sha256", tarfile.DIRTYPE, 0o755))
    for blob in sorted([config, manifest, layer], key=digest):
        tar.addfile(info("blobs/sha256/" + digest(blob)[7:], tarfile.REGTYPE, 0o644, len(blob)), io.BytesIO(blob))
    for n, data in [("index.json", index), ("oci-layout", js({"imageLayoutVersion": "1.0.0"}))]:
        tar.addfile(info(n, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
with open(tmp, "rb+") as fh:
    os.fsync(fh.fileno())
os.replace(tmp, out)
print(digest(manifest))
PY
