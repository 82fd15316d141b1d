#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Field 22 of /proc/<pid>/stat, read after the last ')' (the command name may hold anything). */
static int start_time(pid_t pid, unsigned long long *ticks) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return errno = ESRCH, -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (p == NULL) return errno = EPROTO, -1;
    /* after ")" each space starts the next field, from field 3: the 20th one starts field 22 */
    for (int field = 3; field <= 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) return errno = EPROTO, -1;
    }
    *ticks = strtoull(p + 1, NULL, 10);
    return 0;
}

/*
 * Joins the container's cgroup v1 hierarchies by writing "0" to each `tasks` file: a single thread moving
 * itself is the one cgroup move that skips the kernel's global threadgroup lock, whose first writer after
 * a quiet spell waits out an RCU grace period (10-15 ms here, most of an exec); a pid written by the
 * engine takes it. The joiner is single-threaded and still sees the host's /sys (before setns), and what
 * it clones next is born inside, limited before its first instruction.
 */
static int join_cgroups(const struct plan *plan) {
    for (size_t i = 0; i < plan->n_cgroup_self; i++) {
        int fd = open(plan->cgroup_self[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        ssize_t n;
        do n = write(fd, "0", 1);
        while (n < 0 && errno == EINTR);
        int err = errno;
        close(fd);
        if (n != 1) return errno = n < 0 ? err : EIO, -1;
    }
    return 0;
}

pid_t exec_join(const struct plan *plan, const struct container_fds *fds, const char **step) {
    /* the pidfd pins the process; its start time, read after opening, proves it is the container's */
    int pidfd = (int)syscall(SYS_pidfd_open, plan->join_pid, 0);
    if (pidfd < 0) return *step = "pidfd_open container", -1;
    unsigned long long ticks;
    if (start_time(plan->join_pid, &ticks) < 0 || ticks != plan->join_start_time) {
        if (errno == 0 || ticks != plan->join_start_time) errno = ESRCH;
        close(pidfd);
        return *step = "container process gone", -1;
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        close(pidfd);
        return *step = "pipe2", -1;
    }
    /* setns(CLONE_NEWPID) moves only the caller's future children, and the monitor must stay in the
     * host's namespaces (it writes the status file by host path): a short-lived child joins, then
     * clones the process with CLONE_PARENT so that the monitor is its parent and reaps it. */
    pid_t joiner = fork();
    if (joiner < 0) {
        int err = errno;
        close(pidfd), close(report[0]), close(report[1]);
        return errno = err, *step = "fork", -1;
    }
    if (joiner == 0) {
        close(report[0]);
        int32_t answer[2] = {0, 0}; /* the pid, or -errno and which step failed (1: cgroup) */
        int ns = (int)(plan->clone_flags | plan->unshare_flags);
        if (join_cgroups(plan) < 0) {
            answer[0] = -errno, answer[1] = 1;
        } else if (setns(pidfd, ns) < 0) {
            answer[0] = -errno;
        } else {
            pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)CLONE_PARENT, NULL, NULL, NULL, 0UL);
            if (pid == 0) {
                close(report[1]);
                close(pidfd);
                container_run(plan, fds);
            }
            answer[0] = pid < 0 ? -errno : pid;
        }
        ssize_t ignored = write(report[1], answer, sizeof answer);
        (void)ignored;
        _exit(0);
    }
    close(report[1]);
    close(pidfd);
    int32_t answer[2] = {-EPIPE, 0};
    ssize_t n;
    do n = read(report[0], answer, sizeof answer);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    while (waitpid(joiner, NULL, 0) < 0 && errno == EINTR) {
    }
    if (n != sizeof answer) answer[0] = -EPIPE, answer[1] = 0;
    if (answer[0] < 0) return errno = -answer[0], *step = answer[1] == 1 ? "join container cgroup" : "setns into container", -1;
    return answer[0];
}
