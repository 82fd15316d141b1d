#define _GNU_SOURCE
#include "container.h"
#include "net.h"

#include "fail.h"
#include "init.h"
#include "mounts.h"
#include "protocol.h"
#include "security.h"
#include "terminal.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

/* Docker's default, used when the plan's environment has no PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(const struct plan *plan) {
    for (size_t i = 0; i < plan->envc; i++)
        if (strncmp(plan->envp[i], "PATH=", 5) == 0) return plan->envp[i] + 5;
    return DEFAULT_PATH;
}

/* execvp's search, against the container's PATH rather than the helper's own environment. Returns
 * only on failure: ENOENT when nothing was found, EACCES when something was found but not runnable. */
static void exec_search(const struct plan *plan) {
    const char *file = plan->argv[0];
    if (strchr(file, '/') != NULL) {
        execve(file, plan->argv, plan->envp);
        return;
    }
    int seen_eacces = 0;
    const char *p = env_path(plan);
    char candidate[PATH_MAX];
    for (;;) {
        const char *end = strchrnul(p, ':');
        size_t dir_len = (size_t)(end - p);
        const char *dir = dir_len ? p : ".";
        if (dir_len == 0) dir_len = 1;
        if (dir_len + 1 + strlen(file) < sizeof candidate) {
            memcpy(candidate, dir, dir_len);
            candidate[dir_len] = '/';
            strcpy(candidate + dir_len + 1, file);
            execve(candidate, plan->argv, plan->envp);
            if (errno == EACCES) seen_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR) return;
        }
        if (*end == 0) break;
        p = end + 1;
    }
    errno = seen_eacces ? EACCES : ENOENT;
}

_Noreturn static void give_up(const struct container_fds *fds, const struct step_error *e, int code) {
    ssize_t ignored = write(fds->exec_pipe, e, sizeof *e);
    (void)ignored;
    _exit(code);
}

__attribute__((format(printf, 2, 3))) _Noreturn static void die(const struct container_fds *fds, const char *fmt, ...) {
    struct step_error e = {errno, {0}};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.step, sizeof e.step, fmt, ap);
    va_end(ap);
    give_up(fds, &e, 125);
}

_Noreturn void container_run(const struct plan *plan, const struct container_fds *fds) {
    struct step_error e = {0};

    /* sync point: the engine writes uid_map/gid_map and moves us into our cgroup, then says MAPPED */
    if (await_mapped(fds->engine) < 0) {
        die(fds, "await MAPPED");
    }
    close(fds->engine);

    /* the cgroup namespace is taken only now, so that its root is the cgroup the engine chose; an exec
     * joined the container's (exec.c) */
    if (!plan->join_pid && plan->unshare_flags && unshare((int)plan->unshare_flags) < 0) {
        die(fds, "unshare");
    }
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
        die(fds, "become root in user namespace");
    }
    /* an exec enters the container's mount namespace at its root, already pivoted and mounted */
    if (!plan->join_pid && mounts_apply(plan, &e) < 0) give_up(fds, &e, 125);
    if (!plan->join_pid && plan->hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0) {
        die(fds, "sethostname");
    }
    /* a namespace of its own starts with lo down: even 127.0.0.1 would not answer (docs/network.md) */
    if (!plan->join_pid && (plan->clone_flags & CLONE_NEWNET) && net_loopback_up() < 0) {
        die(fds, "bring up lo");
    }
    if (!plan->join_pid && plan->if_name) {
        const char *step = NULL;
        if (net_interface_up(plan->if_name, plan->if_address, plan->if_prefix, plan->if_gateway, &step) < 0) {
            die(fds, "%s %s", plan->if_name, step);
        }
    }
    if (security_rlimits(plan, &e) < 0) give_up(fds, &e, 125);
    if (!plan->no_new_privs && security_seccomp(plan, &e) < 0) give_up(fds, &e, 125);
    if (security_bounding(plan, &e) < 0) give_up(fds, &e, 125);
    /* groups first: after setresuid to a non-root user we may no longer change them */
    if (plan->set_groups && setgroups(plan->n_groups, (const gid_t *)plan->groups) < 0) {
        die(fds, "setgroups");
    }
    if (setresgid(plan->gid, plan->gid, plan->gid) < 0) {
        die(fds, "setresgid %u", plan->gid);
    }
    if (setresuid(plan->uid, plan->uid, plan->uid) < 0) {
        die(fds, "setresuid %u", plan->uid);
    }
    if (security_capset(plan, &e) < 0) give_up(fds, &e, 125);
    if (security_no_new_privs(plan, &e) < 0) give_up(fds, &e, 125);
    if (fds->pty_sock >= 0) {
        const char *step;
        if (terminal_container_pty(fds->pty_sock, &step) < 0) die(fds, "%s", step);
    } else if (dup2(fds->stdin_fd, 0) < 0 || dup2(fds->stdout_fd, 1) < 0 || dup2(fds->stderr_fd, 2) < 0) {
        die(fds, "dup2 stdio");
    }
    /* Only 0, 1, 2 and the exec pipe (as 3, CLOEXEC: it must stay open until execve itself) survive,
     * and they do before chdir: a workdir like /proc/self/fd/N must find no inherited directory to
     * resolve through (CVE-2024-21626). The monitor's fds were inherited by clone; none is needed here. */
    struct container_fds own = *fds;
    if (own.exec_pipe != 3) {
        if (dup3(own.exec_pipe, 3, O_CLOEXEC) < 0) die(fds, "dup3 exec pipe");
        own.exec_pipe = 3;
    }
    fds = &own;
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0) {
        die(fds, "close_range");
    }
    if (plan->cwd && chdir(plan->cwd) < 0) {
        die(fds, "chdir %s", plan->cwd);
    }
    /* a cwd reached through a path outside the root reads "(unreachable)/..." */
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL || cwd[0] != '/') {
        errno = EPERM;
        die(fds, "chdir %s: outside the root", plan->cwd ? plan->cwd : "/");
    }
    /* the monitor blocks SIGCHLD for its signalfd; the command starts with a clean signal state */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);

    if (plan->no_new_privs && security_seccomp(plan, &e) < 0) give_up(fds, &e, 125);
    if (plan->init) init_fork(fds->exec_pipe);
    exec_search(plan);
    int err = errno;
    fail_step(&e, "execve %s", plan->argv[0]);
    give_up(fds, &e, err == ENOENT ? 127 : err == EACCES ? 126 : 125);
}
