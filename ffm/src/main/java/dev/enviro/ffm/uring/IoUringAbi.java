package dev.enviro.ffm.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The io_uring ABI as the kernel defines it in {@code linux/io_uring.h} (x86_64, little endian).
 * Unions are laid out as the member this package writes; the layouts' sizes are checked against
 * the kernel's (64-byte SQE, 16-byte CQE, 120-byte params) when the class loads.
 */
final class IoUringAbi {
    private IoUringAbi() {}

    // enum io_uring_op
    static final byte OP_NOP = 0, OP_POLL_ADD = 6, OP_ASYNC_CANCEL = 14, OP_READ = 22, OP_WRITE = 23;

    // io_uring_setup flags and features
    static final int SETUP_CLAMP = 1 << 4, SETUP_SUBMIT_ALL = 1 << 7, SETUP_COOP_TASKRUN = 1 << 8;
    static final int FEAT_SINGLE_MMAP = 1, FEAT_NODROP = 1 << 1, FEAT_RW_CUR_POS = 1 << 3;

    // io_uring_enter flags
    static final int ENTER_GETEVENTS = 1;

    // mmap offsets
    static final long OFF_SQ_RING = 0L, OFF_SQES = 0x10000000L;

    // sqe->cancel_flags
    static final int ASYNC_CANCEL_ALL = 1, ASYNC_CANCEL_ANY = 1 << 2;

    static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("resv2"));

    static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("resv2"));

    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"));

    static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),           // union: off / addr2
            JAVA_LONG.withName("addr"),          // union: addr / splice_off_in
            JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"),       // union: rw_flags / poll32_events / cancel_flags / ...
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"), paddingLayout(8));

    static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    static long offset(StructLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) elements[i] = groupElement(path[i]);
        return layout.byteOffset(elements);
    }

    static final long SQE_OPCODE = offset(SQE, "opcode"), SQE_FD = offset(SQE, "fd"), SQE_OFF = offset(SQE, "off"),
            SQE_ADDR = offset(SQE, "addr"), SQE_LEN = offset(SQE, "len"), SQE_OP_FLAGS = offset(SQE, "op_flags"),
            SQE_USER_DATA = offset(SQE, "user_data");
    static final long CQE_USER_DATA = offset(CQE, "user_data"), CQE_RES = offset(CQE, "res"), CQE_FLAGS = offset(CQE, "flags");

    static {
        if (SQE.byteSize() != 64 || CQE.byteSize() != 16 || PARAMS.byteSize() != 120) {
            throw new ExceptionInInitializerError("io_uring ABI layout mismatch: sqe=" + SQE.byteSize()
                    + " cqe=" + CQE.byteSize() + " params=" + PARAMS.byteSize());
        }
    }
}
