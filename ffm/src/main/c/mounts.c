#include "mounts.h"

#include <fcntl.h>
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

static int mkdir_p(const char *path, mode_t mode) {
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return errno = ENAMETOOLONG, -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    return 0;
}

static int touch(const char *path) {
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir) return errno = ENAMETOOLONG, -1;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash != NULL && slash != dir) {
        *slash = 0;
        if (mkdir_p(dir, 0755) < 0) return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/* A bind mount ignores MS_RDONLY and friends; they need a second step. mount_setattr applies them to
 * the whole tree of a recursive bind (a remount would only reach the top mount). */
static int restrict_bind(const struct plan_mount *m) {
    struct enviro_mount_attr attr = {0};
    if (m->flags & MS_RDONLY) attr.attr_set |= ENVIRO_MOUNT_ATTR_RDONLY;
    if (m->flags & MS_NOSUID) attr.attr_set |= ENVIRO_MOUNT_ATTR_NOSUID;
    if (m->flags & MS_NODEV) attr.attr_set |= ENVIRO_MOUNT_ATTR_NODEV;
    if (m->flags & MS_NOEXEC) attr.attr_set |= ENVIRO_MOUNT_ATTR_NOEXEC;
    if (attr.attr_set == 0) return 0;
    unsigned flags = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, m->target, flags, &attr, sizeof attr);
}

static int mount_one(const struct plan_mount *m) {
    if ((m->step & STEP_MKDIR) && mkdir_p(m->target, 0755) < 0) return -1;
    if ((m->step & STEP_MKFILE) && touch(m->target) < 0) return -1;
    const char *data = m->data[0] ? m->data : NULL;
    if (mount(m->source, m->target, m->type, (unsigned long)m->flags, data) < 0) return -1;
    if ((m->flags & MS_BIND) && restrict_bind(m) < 0) return -1;
    return 0;
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

    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        int rc = mount_one(m);
        if (m->step & STEP_OR_NEXT) {
            if (rc == 0) i++; /* the next record is the fallback: not needed */
            continue;
        }
        if (rc < 0) return fail_step(e, "mount %s", inside(plan, m->target));
    }
    if (mask_paths(plan, e) < 0) return -1;
    for (size_t i = 0; i < plan->n_symlinks; i++) {
        const struct plan_symlink *s = &plan->symlinks[i];
        if (symlink(s->target, s->path) < 0 && errno != EEXIST) return fail_step(e, "symlink %s", inside(plan, s->path));
    }

    /* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then detaches
     * the old root and leaves the new one, without needing a directory for the old root. */
    if (chdir(plan->rootfs) < 0) return fail_step(e, "chdir rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0) return fail_step(e, "pivot_root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return fail_step(e, "make old root slave");
    if (umount2(".", MNT_DETACH) < 0) return fail_step(e, "umount old root");
    if (chdir("/") < 0) return fail_step(e, "chdir /");
    return 0;
}
