/* The plan: everything the helper does, decided by the engine and sent as one binary message.
 *
 * Layout (all integers little-endian):
 *   header  u32 magic ("EVNP"), u16 version, u16 reserved (0)
 *   record  u32 tag, u32 length, length bytes of value
 *   string  u32 length, bytes (no terminating NUL; NUL inside is rejected)
 *
 * Unknown tags are rejected: a helper and an engine of different versions must not half-agree.
 * The Java writer is dev.enviro.ffm.helper.PlanWriter; keep both in step. */
#ifndef ENVIRO_PLAN_H
#define ENVIRO_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PLAN_MAGIC 0x504e5645u /* bytes 'E' 'V' 'N' 'P' */
#define PLAN_VERSION 1
#define PLAN_MAX_BYTES (16u << 20)

enum plan_tag {
    TAG_CLONE_FLAGS = 1,   /* u64: namespaces the container is cloned into */
    TAG_UNSHARE_FLAGS = 2, /* u64: namespaces unshared after MAPPED (cgroup: after the cgroup move) */
    TAG_MOUNT = 3,         /* u64 flags, u32 mount_step flags, str type, str source, str target, str data */
    TAG_SYMLINK = 4,       /* str target, str link path (a host path under the root) */
    TAG_ROOTFS = 5,        /* str: the new root, pivoted into after the mounts */
    TAG_HOSTNAME = 6,      /* str */
    TAG_ARG = 7,           /* str, repeated: argv in order */
    TAG_ENV = 8,           /* str, repeated: KEY=VALUE */
    TAG_CWD = 9,           /* str */
    TAG_UID = 10,          /* u32: inside the user namespace */
    TAG_GID = 11,          /* u32 */
    TAG_GROUP = 12,        /* u32, repeated: supplementary groups */
    TAG_SET_GROUPS = 13,   /* u8: 1 = call setgroups (0 when /proc/<pid>/setgroups is "deny") */
    TAG_LOG_PATH = 14,     /* str: the CRI log file the monitor appends to */
    TAG_STATUS_PATH = 15,  /* str: the exit status file the monitor writes */
    TAG_CAPS = 16,         /* u64 x5: bounding, effective, permitted, inheritable, ambient (absent: keep all) */
    TAG_NO_NEW_PRIVS = 17, /* u8: 1 = PR_SET_NO_NEW_PRIVS */
    TAG_SECCOMP = 18,      /* struct sock_filter[]: the classic BPF filter, 8 bytes per instruction */
    TAG_RLIMIT = 19,       /* u32 resource, u64 soft, u64 hard; repeated */
    TAG_MASK = 20,         /* str: a host path under the root to hide (masked path); repeated */
    TAG_READONLY = 21,     /* str: a host path under the root to make read-only; repeated */
    TAG_VOLUME = 22,       /* u64 flags, u32 volume_kind, str source, str target (a path inside the root), str data */
    TAG_READONLY_ROOTFS = 23, /* u8: 1 = the root mount itself read-only (its sub-mounts keep their flags) */
    TAG_JOIN = 24,         /* u32 pid, u64 start time (clock ticks): exec, join this process's namespaces */
    TAG_INIT = 25,         /* u8: 1 = the helper stays as pid 1, reaping zombies and forwarding signals */
    TAG_LOG_ROTATE = 26,   /* u64 max bytes of the log file, u32 files kept in all (the live one included) */
    TAG_TERMINAL = 27,     /* u8 tty, u8 stdin open, str attach socket path: a pty and/or client input (terminal.c) */
    TAG_CGROUP_SELF = 28,  /* str, repeated: a cgroup v1 `tasks` file an exec's joiner writes "0" to, joining it itself (exec.c) */
    TAG_INTERFACE = 29,    /* str name, 4 bytes address, u8 prefix, 4 bytes gateway (IPv4, network order): set up inside (net.c) */
};

/* What a volume is; mounted onto a target resolved inside the root (volumes.c). */
enum volume_kind {
    VOLUME_BIND = 0,  /* source: an absolute host path (a directory or a file) */
    VOLUME_TMPFS = 1, /* data: tmpfs options */
};

struct plan_volume {
    uint64_t flags;
    uint32_t kind;
    char *source, *target, *data;
};

/* Flags of one mount step: what to do around mount(2), not mount(2)'s own flags. */
enum mount_step_flags {
    STEP_MKDIR = 1u << 0,   /* create the target directory (and parents) first */
    STEP_MKFILE = 1u << 1,  /* create the target as an empty file first (bind of a device) */
    STEP_OR_NEXT = 1u << 2, /* if this mount fails, perform the next record instead (else skip it) */
};

struct plan_mount {
    uint64_t flags;
    uint32_t step;
    char *type, *source, *target, *data;
};

struct plan_symlink {
    char *target, *path;
};

struct plan_rlimit {
    uint32_t resource;
    uint64_t soft, hard;
};

struct plan_caps {
    uint64_t bounding, effective, permitted, inheritable, ambient;
};

struct plan {
    uint64_t clone_flags, unshare_flags;
    struct plan_mount *mounts;
    size_t n_mounts;
    struct plan_symlink *symlinks;
    size_t n_symlinks;
    char *rootfs, *hostname, *cwd, *log_path, *status_path;
    char **argv; /* NULL-terminated */
    size_t argc;
    char **envp; /* NULL-terminated */
    size_t envc;
    uint32_t uid, gid;
    uint32_t *groups;
    size_t n_groups;
    int set_groups;
    int has_caps, no_new_privs;
    struct plan_caps caps;
    uint8_t *seccomp; /* sock_filter instructions */
    size_t seccomp_len;   /* instructions */
    struct plan_rlimit *rlimits;
    size_t n_rlimits;
    char **masked, **readonly;
    size_t n_masked, n_readonly;
    struct plan_volume *volumes;
    size_t n_volumes;
    int readonly_rootfs, init;
    int32_t join_pid; /* 0: create (clone with clone_flags); else exec into this process's namespaces */
    uint64_t join_start_time;
    uint64_t log_max_bytes; /* 0: never rotate */
    uint32_t log_max_files;
    int tty, open_stdin;  /* TAG_TERMINAL */
    char *attach_path;    /* NULL: no attach socket */
    char **cgroup_self;   /* TAG_CGROUP_SELF */
    size_t n_cgroup_self;
    char *if_name;        /* TAG_INTERFACE; NULL: none */
    uint8_t if_address[4], if_gateway[4];
    uint8_t if_prefix;
};

/* Parses buf into plan. Returns 0, or -1 with *error naming what is wrong. */
int plan_parse(const uint8_t *buf, size_t len, struct plan *plan, const char **error);

/* Prints the plan as text, one field per line (the --dump-plan mode, used by the Java tests). */
void plan_dump(const struct plan *plan, FILE *out);

#endif
