package dev.enviro.ffm.helper;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Encodes a {@link HelperPlan} in the helper's binary format (little-endian TLV, see plan.h). */
public final class PlanWriter {
    private PlanWriter() {}

    public static final int MAGIC = 0x504e5645, VERSION = 1, MAX_BYTES = 16 << 20;

    static final int TAG_CLONE_FLAGS = 1, TAG_UNSHARE_FLAGS = 2, TAG_MOUNT = 3, TAG_SYMLINK = 4, TAG_ROOTFS = 5,
            TAG_HOSTNAME = 6, TAG_ARG = 7, TAG_ENV = 8, TAG_CWD = 9, TAG_UID = 10, TAG_GID = 11, TAG_GROUP = 12,
            TAG_SET_GROUPS = 13, TAG_LOG_PATH = 14, TAG_STATUS_PATH = 15;
    static final int TAG_CAPS = 16, TAG_NO_NEW_PRIVS = 17, TAG_SECCOMP = 18, TAG_RLIMIT = 19, TAG_MASK = 20, TAG_READONLY = 21;
    static final int TAG_VOLUME = 22, TAG_READONLY_ROOTFS = 23, TAG_JOIN = 24, TAG_INIT = 25, TAG_LOG_ROTATE = 26;
    static final int TAG_TERMINAL = 27, TAG_CGROUP_SELF = 28, TAG_INTERFACE = 29;

    public static byte[] write(HelperPlan plan) {
        Out out = new Out();
        out.u32(MAGIC).u16(VERSION).u16(0);
        out.record(TAG_CLONE_FLAGS, new Out().u64(plan.cloneFlags()));
        out.record(TAG_UNSHARE_FLAGS, new Out().u64(plan.unshareFlags()));
        for (HelperPlan.Mount m : plan.mounts()) {
            out.record(TAG_MOUNT, new Out().u64(m.flags()).u32(m.step())
                    .str(m.type()).str(m.source()).str(m.target()).str(m.data()));
        }
        for (HelperPlan.Symlink s : plan.symlinks()) out.record(TAG_SYMLINK, new Out().str(s.target()).str(s.path()));
        out.record(TAG_ROOTFS, new Out().str(plan.rootfs()));
        if (plan.hostname() != null) out.record(TAG_HOSTNAME, new Out().str(plan.hostname()));
        for (String arg : plan.argv()) out.record(TAG_ARG, new Out().str(arg));
        for (String env : plan.env()) out.record(TAG_ENV, new Out().str(env));
        if (plan.cwd() != null) out.record(TAG_CWD, new Out().str(plan.cwd()));
        out.record(TAG_UID, new Out().u32(plan.uid()));
        out.record(TAG_GID, new Out().u32(plan.gid()));
        for (int g : plan.groups()) out.record(TAG_GROUP, new Out().u32(g));
        out.record(TAG_SET_GROUPS, new Out().u8(plan.setGroups() ? 1 : 0));
        out.record(TAG_LOG_PATH, new Out().str(plan.logPath()));
        out.record(TAG_STATUS_PATH, new Out().str(plan.statusPath()));
        writeSecurity(out, plan.security());
        for (HelperPlan.Volume v : plan.storage().volumes()) {
            out.record(TAG_VOLUME, new Out().u64(v.flags()).u32(v.kind().ordinal()).str(v.source()).str(v.target()).str(v.data()));
        }
        if (plan.storage().readOnlyRootfs()) out.record(TAG_READONLY_ROOTFS, new Out().u8(1));
        if (plan.join() != null) {
            out.record(TAG_JOIN, new Out().u32(plan.join().pid()).u64(plan.join().startTime()));
            for (String tasks : plan.join().cgroupTasks()) out.record(TAG_CGROUP_SELF, new Out().str(tasks));
        }
        if (plan.init()) out.record(TAG_INIT, new Out().u8(1));
        if (plan.logRotation() != null) {
            out.record(TAG_LOG_ROTATE, new Out().u64(plan.logRotation().maxBytes()).u32(plan.logRotation().maxFiles()));
        }
        if (plan.terminal() != null) {
            HelperPlan.Terminal t = plan.terminal();
            out.record(TAG_TERMINAL, new Out().u8(t.tty() ? 1 : 0).u8(t.openStdin() ? 1 : 0).str(t.attachSocket()));
        }
        if (plan.network() != null) {
            HelperPlan.Interface n = plan.network();
            Out r = new Out().str(n.name());
            r.bytes.writeBytes(n.address());
            r.u8(n.prefix());
            r.bytes.writeBytes(n.gateway());
            out.record(TAG_INTERFACE, r);
        }
        byte[] bytes = out.bytes();
        if (bytes.length > MAX_BYTES) throw new IllegalArgumentException("plan is " + bytes.length + " bytes, the helper takes at most " + MAX_BYTES);
        return bytes;
    }

    private static void writeSecurity(Out out, HelperPlan.Security s) {
        if (s.capabilities() != null) {
            var c = s.capabilities();
            out.record(TAG_CAPS, new Out().u64(c.bounding()).u64(c.effective()).u64(c.permitted()).u64(c.inheritable()).u64(c.ambient()));
        }
        if (s.noNewPrivileges()) out.record(TAG_NO_NEW_PRIVS, new Out().u8(1));
        byte[] filter = s.seccompFilter();
        if (filter.length > 0) {
            Out f = new Out();
            f.bytes.writeBytes(filter);
            out.record(TAG_SECCOMP, f);
        }
        for (var l : s.rlimits()) out.record(TAG_RLIMIT, new Out().u32(l.resource().number).u64(l.soft()).u64(l.hard()));
        for (String p : s.maskedPaths()) out.record(TAG_MASK, new Out().str(p));
        for (String p : s.readOnlyPaths()) out.record(TAG_READONLY, new Out().str(p));
    }

    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Out u8(int v) { bytes.write(v); return this; }

        Out u16(int v) { return put(scratch.clear().putShort((short) v)); }

        Out u32(int v) { return put(scratch.clear().putInt(v)); }

        Out u64(long v) { return put(scratch.clear().putLong(v)); }

        Out str(String s) {
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in a plan string: " + s.replace('\0', '@'));
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            bytes.writeBytes(b);
            return this;
        }

        Out record(int tag, Out value) {
            byte[] v = value.bytes();
            u32(tag).u32(v.length);
            bytes.writeBytes(v);
            return this;
        }

        private Out put(ByteBuffer b) {
            bytes.write(b.array(), 0, b.position());
            return this;
        }

        byte[] bytes() { return bytes.toByteArray(); }
    }
}
