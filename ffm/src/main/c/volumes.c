#define _GNU_SOURCE
#include "volumes.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* RESOLVE_IN_ROOT returns EAGAIN when a rename raced the lookup; a few retries settle it. */
static int open_in_root(int root_fd, const char *path, int flags) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    for (int attempt = 0;; attempt++) {
        long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN || attempt == 16) return (int)fd;
    }
}

int path_in_root(int root_fd, const char *path, enum path_make make) {
    int fd = open_in_root(root_fd, path, O_PATH);
    if (fd >= 0 || errno != ENOENT || make == PATH_EXISTING) return fd;

    char prefix[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof prefix) return errno = ENAMETOOLONG, -1;
    memcpy(prefix, path, n + 1);
    int dir = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    if (dir < 0) return -1;
    /* Each missing component is made under `dir`, a directory already resolved inside the root, by a
     * plain name (no slash, never followed): mkdirat/openat with O_NOFOLLOW cannot leave `dir`. The
     * prefix is then resolved again in the root, so a symlink someone put there is still confined. */
    for (char *p = prefix; *p;) {
        while (*p == '/') p++;
        if (*p == 0) break;
        char *end = strchrnul(p, '/');
        int last = end[strspn(end, "/")] == 0;
        char saved = *end;
        *end = 0;
        int next = open_in_root(root_fd, prefix, O_PATH);
        if (next < 0 && errno == ENOENT && strcmp(p, "..") != 0 && strcmp(p, ".") != 0) {
            int made;
            if (last && make == PATH_MAKE_FILE) {
                made = openat(dir, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (made >= 0) close(made);
            } else {
                made = mkdirat(dir, p, 0755);
            }
            if (made < 0 && errno != EEXIST) {
                int err = errno;
                close(dir);
                return errno = err, -1;
            }
            next = open_in_root(root_fd, prefix, O_PATH);
        }
        int err = errno;
        close(dir);
        if (next < 0) return errno = err, -1;
        dir = next;
        *end = saved;
        p = end;
    }
    return dir;
}

static uint64_t attr_of(uint64_t ms_flags) {
    uint64_t a = 0;
    if (ms_flags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
    if (ms_flags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
    if (ms_flags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
    if (ms_flags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
    return a;
}

/* A detached copy of the host tree at `source` (recursive, as Docker's rbind: a non-recursive bind
 * could uncover what a locked sub-mount hides), private, with the volume's flags set on every mount of
 * the copy before it is attached anywhere. */
static int bind_tree(const char *source, uint64_t ms_flags, int recursive) {
    unsigned rec = recursive ? AT_RECURSIVE : 0;
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
    if (tree < 0) return -1;
    struct mount_attr attr = {.attr_set = attr_of(ms_flags), .propagation = MS_PRIVATE};
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0) {
        int err = errno;
        close(tree);
        return errno = err, -1;
    }
    return tree;
}

/* A new tmpfs through fsopen/fsconfig/fsmount; `data` is "key=value,flag,…" as mount(8) takes it. */
static int new_tmpfs(const struct plan_volume *v) {
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0) return -1;
    char options[1024];
    int err = 0;
    if (strlen(v->data) >= sizeof options) {
        err = EINVAL;
        goto out;
    }
    strcpy(options, v->data);
    for (char *save = NULL, *o = strtok_r(options, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(o, '=');
        long rc;
        if (eq) {
            *eq = 0;
            rc = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, o, eq + 1, 0);
        } else {
            rc = syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, o, NULL, 0);
        }
        if (rc < 0) {
            err = errno;
            goto out;
        }
    }
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
        err = errno;
        goto out;
    }
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned)attr_of(v->flags));
    if (mnt < 0) err = errno;
    close(fs);
    return mnt < 0 ? (errno = err, -1) : mnt;
out:
    close(fs);
    return errno = err, -1;
}

int bind_at(const char *source, uint64_t ms_flags, int target_fd) {
    int tree = bind_tree(source, ms_flags, (ms_flags & MS_REC) != 0);
    if (tree < 0) return -1;
    long rc = syscall(SYS_move_mount, tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int err = errno;
    close(tree);
    return rc < 0 ? (errno = err, -1) : 0;
}

static int is_dir(const char *host_path) {
    struct stat st;
    return stat(host_path, &st) == 0 && S_ISDIR(st.st_mode);
}

int volumes_apply(const struct plan *plan, struct step_error *e) {
    if (plan->n_volumes == 0 && !plan->readonly_rootfs) return 0;
    int root = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return fail_step(e, "open rootfs");
    for (size_t i = 0; i < plan->n_volumes; i++) {
        const struct plan_volume *v = &plan->volumes[i];
        int source = v->kind == VOLUME_BIND ? bind_tree(v->source, v->flags, 1) : new_tmpfs(v);
        if (source < 0) {
            fail_step(e, "volume %s", v->kind == VOLUME_BIND ? v->source : v->target);
            close(root);
            return -1;
        }
        enum path_make make = v->kind == VOLUME_BIND && !is_dir(v->source) ? PATH_MAKE_FILE : PATH_MAKE_DIRS;
        int target = path_in_root(root, v->target, make);
        long rc = target < 0 ? -1
                             : syscall(SYS_move_mount, source, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        int err = errno;
        close(source);
        if (target >= 0) close(target);
        if (rc < 0) {
            errno = err;
            fail_step(e, "mount volume %s", v->target);
            close(root);
            return -1;
        }
    }
    /* The root mount alone, not its sub-mounts: /proc, /dev, /dev/shm, tmpfs and rw volumes stay writable. */
    if (plan->readonly_rootfs) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (syscall(SYS_mount_setattr, root, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
            fail_step(e, "read-only rootfs");
            close(root);
            return -1;
        }
    }
    close(root);
    return 0;
}
