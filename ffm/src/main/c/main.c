/* enviro-helper: the one native program of Enviro. A multi-threaded JVM cannot fork and then set up
 * namespaces, so the engine sends this helper a plan on fd 3 and the helper does the rest:
 * it forks the monitor and exits; the monitor clones the container (monitor.c), the container applies
 * the plan and execs (container.c). Protocol: protocol.h; plan format: plan.h. */
#define _GNU_SOURCE
#include "monitor.h"
#include "plan.h"
#include "protocol.h"
#include "selfexec.h"
#include "userns.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

static int dump_plan(void) {
    uint8_t *buf = malloc(PLAN_MAX_BYTES);
    size_t len = 0;
    ssize_t n;
    if (buf == NULL) return 1;
    while ((n = read(0, buf + len, PLAN_MAX_BYTES - len)) > 0) len += (size_t)n;
    if (n < 0) return perror("read stdin"), 1;
    struct plan plan;
    const char *error;
    if (plan_parse(buf, len, &plan, &error) < 0) return fprintf(stderr, "invalid plan: %s\n", error), 2;
    plan_dump(&plan, stdout);
    return 0;
}

/* PLAN: its type, and the memfd that holds the plan (protocol.h). NULL after FAILED is sent. */
static uint8_t *receive_plan(size_t *len) {
    uint32_t type;
    struct iovec iov = {.iov_base = &type, .iov_len = sizeof type};
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    ssize_t n;
    do n = recvmsg(HELPER_FD, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return send_failed(HELPER_FD, "recv PLAN", errno), NULL;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    }
    if (n != (ssize_t)sizeof type || type != MSG_PLAN || fd < 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        if (fd >= 0) close(fd);
        return send_failed(HELPER_FD, "recv PLAN", EPROTO), NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) return close(fd), send_failed(HELPER_FD, "fstat PLAN", errno), NULL;
    if (st.st_size <= 0 || (uint64_t)st.st_size > PLAN_MAX_BYTES) return close(fd), send_failed(HELPER_FD, "recv PLAN", EMSGSIZE), NULL;
    uint8_t *buf = malloc((size_t)st.st_size);
    if (buf == NULL) return close(fd), send_failed(HELPER_FD, "malloc", ENOMEM), NULL;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int err = r < 0 ? errno : EIO;
            return free(buf), close(fd), send_failed(HELPER_FD, "read PLAN", err), NULL;
        }
        got += (size_t)r;
    }
    close(fd);
    *len = got;
    return buf;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--dump-plan") == 0) return dump_plan();
    if (argc >= 3 && strcmp(argv[1], "--user-namespace") == 0) return userns_run(argv + 2);
    if (argc != 1) {
        return fprintf(stderr, "usage: enviro-helper (plan on fd 3) | enviro-helper --dump-plan < plan"
                " | enviro-helper --user-namespace PROGRAM [ARG...]\n"), 2;
    }

    /* nothing of the engine's may reach the monitor or the container, whatever the engine leaked */
    if (syscall(SYS_close_range, HELPER_FD + 1, ~0U, 0) < 0) return send_failed(HELPER_FD, "close_range", errno), 1;
    /* The monitor (this process's fork) stays for the container's whole life: it must not run from a
     * file on disk, which the container could reach for writing through /proc/<pid>/exe if it ever saw
     * the monitor. Re-executed from a sealed memfd, there is nothing writable behind /proc/<pid>/exe. */
    if (selfexec_sealed(argv) < 0) return send_failed(HELPER_FD, "re-exec from sealed memfd", errno), 1;

    size_t len;
    uint8_t *buf = receive_plan(&len);
    if (buf == NULL) return 1;
    struct plan plan;
    const char *error;
    if (plan_parse(buf, len, &plan, &error) < 0) {
        char step[STEP_NAME_MAX];
        snprintf(step, sizeof step, "plan: %s", error);
        return send_failed(HELPER_FD, step, EINVAL), 1;
    }

    /* The monitor must not be the engine's child: an engine that dies or restarts must not take the
     * container's parent with it. The engine reaps this process; the monitor is re-parented. */
    pid_t monitor = fork();
    if (monitor < 0) return send_failed(HELPER_FD, "fork monitor", errno), 1;
    if (monitor == 0) _exit(monitor_run(&plan));
    return 0;
}
