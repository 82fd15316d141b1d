#define _GNU_SOURCE
#include "mounts.h"

#include "volumes.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc 2.36 has no wrapper, and <linux/mount.h> clashes with <sys/mount.h>: declare the ABI here. */
struct enviro_mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define ENVIRO_MOUNT_ATTR_RDONLY 0x00000001
#define ENVIRO_MOUNT_ATTR_NOSUID 0x00000002
#define ENVIRO_MOUNT_ATTR_NODEV 0x00000004
#define ENVIRO_MOUNT_ATTR_NOEXEC 0x00000008
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* A bind mount ignores MS_RDONLY and friends; they need a second step. mount_setattr applies them to
 * the whole tree of a recursive bind (a remount would only reach the top mount). */
static int restrict_bind(const struct plan_mount *m, const char *target) {
    struct enviro_mount_attr attr = {0};
    if (m->flags & MS_RDONLY) attr.attr_set |= ENVIRO_MOUNT_ATTR_RDONLY;
    if (m->flags & MS_NOSUID) attr.attr_set |= ENVIRO_MOUNT_ATTR_NOSUID;
    if (m->flags & MS_NODEV) attr.attr_set |= ENVIRO_MOUNT_ATTR_NODEV;
    if (m->flags & MS_NOEXEC) attr.attr_set |= ENVIRO_MOUNT_ATTR_NOEXEC;
    if (attr.attr_set == 0) return 0;
    unsigned flags = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, target, flags, &attr, sizeof attr);
}

/* The part of a host path under the root, or NULL: "/proc" for "<rootfs>/proc". */
static const char *under_root(const struct plan *plan, const char *path) {
    size_t n = strlen(plan->rootfs);
    return strncmp(path, plan->rootfs, n) == 0 && path[n] == '/' ? path + n : NULL;
}

/* A target under the root is resolved inside it (volumes.c: an image whose /proc or /dev is a symlink to
 * "/" or "../.." cannot send a mount to the host's tree), then mounted onto through the fd's magic link,
 * so the path checked is the path mounted on. *root_fd is opened once the root (the first mount) is up. */
static int mount_one(const struct plan *plan, int *root_fd, const struct plan_mount *m) {
    const char *target = m->target, *in = under_root(plan, m->target);
    char fd_path[64];
    int fd = -1;
    if (in != NULL) {
        if (*root_fd < 0 && (*root_fd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) return -1;
        enum path_make make = (m->step & STEP_MKFILE) ? PATH_MAKE_FILE : (m->step & STEP_MKDIR) ? PATH_MAKE_DIRS : PATH_EXISTING;
        if ((fd = path_in_root(*root_fd, in, make)) < 0) return -1;
        snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
        target = fd_path;
    }
    const char *data = m->data[0] ? m->data : NULL;
    int rc;
    if (fd >= 0 && (m->flags & MS_BIND)) {
        rc = bind_at(m->source, m->flags, fd);
    } else {
        rc = mount(m->source, target, m->type, (unsigned long)m->flags, data);
        if (rc == 0 && (m->flags & MS_BIND)) rc = restrict_bind(m, target);
    }
    int err = errno;
    if (fd >= 0) close(fd);
    errno = err;
    return rc;
}

/* The path as the container will see it, to name a step: "mount /sys", not a long host path. */
static const char *inside(const struct plan *plan, const char *path) {
    size_t n = strlen(plan->rootfs);
    if (strncmp(path, plan->rootfs, n) == 0 && path[n] == '/') return path + n;
    return path;
}

/* Masked paths (OCI maskedPaths): /dev/null over a file, an empty read-only tmpfs over a directory,
 * so that reading gives nothing and writing fails. Read-only paths: bound onto themselves, then
 * made read-only with their whole subtree. Both run after /proc and /sys are mounted and before
 * pivot_root, while the host's /dev/null is still at hand; paths the kernel lacks are skipped.
 * lstat, not stat: a symlink is never followed to somewhere else. */
static int mask_paths(const struct plan *plan, struct step_error *e) {
    struct stat st;
    for (size_t i = 0; i < plan->n_masked; i++) {
        const char *p = plan->masked[i];
        if (lstat(p, &st) < 0) {
            if (errno == ENOENT) continue;
            return fail_step(e, "mask %s", inside(plan, p));
        }
        int rc = S_ISDIR(st.st_mode)
                     ? mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555")
                     : mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (rc < 0) return fail_step(e, "mask %s", inside(plan, p));
    }
    for (size_t i = 0; i < plan->n_readonly; i++) {
        const char *p = plan->readonly[i];
        if (lstat(p, &st) < 0) {
            if (errno == ENOENT) continue;
            return fail_step(e, "read-only %s", inside(plan, p));
        }
        struct enviro_mount_attr attr = {.attr_set = ENVIRO_MOUNT_ATTR_RDONLY | ENVIRO_MOUNT_ATTR_NOSUID |
                                                     ENVIRO_MOUNT_ATTR_NODEV | ENVIRO_MOUNT_ATTR_NOEXEC};
        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
            syscall(SYS_mount_setattr, AT_FDCWD, p, AT_RECURSIVE, &attr, sizeof attr) < 0)
            return fail_step(e, "read-only %s", inside(plan, p));
    }
    return 0;
}

int mounts_apply(const struct plan *plan, struct step_error *e) {
    /* Nothing done below may propagate back to the host's mount namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail_step(e, "make / private");

    int root_fd = -1;
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        int rc = mount_one(plan, &root_fd, m);
        if (m->step & STEP_OR_NEXT) {
            if (rc == 0) i++; /* the next record is the fallback: not needed */
            continue;
        }
        if (rc < 0) {
            fail_step(e, "mount %s", inside(plan, m->target));
            if (root_fd >= 0) close(root_fd);
            return -1;
        }
    }
    if (root_fd >= 0) close(root_fd);
    if (mask_paths(plan, e) < 0) return -1;
    for (size_t i = 0; i < plan->n_symlinks; i++) {
        const struct plan_symlink *s = &plan->symlinks[i];
        if (symlink(s->target, s->path) < 0 && errno != EEXIST) return fail_step(e, "symlink %s", inside(plan, s->path));
    }
    /* volumes last: they may cover anything above, and the read-only root must not stop the steps before */
    if (volumes_apply(plan, e) < 0) return -1;

    /* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then detaches
     * the old root and leaves the new one, without needing a directory for the old root. */
    if (chdir(plan->rootfs) < 0) return fail_step(e, "chdir rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0) return fail_step(e, "pivot_root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return fail_step(e, "make old root slave");
    if (umount2(".", MNT_DETACH) < 0) return fail_step(e, "umount old root");
    if (chdir("/") < 0) return fail_step(e, "chdir /");
    return 0;
}
