/* enviro-helper: the one native program of Enviro. A multi-threaded JVM cannot fork and then set up
 * namespaces, so the engine sends this helper a plan on fd 3 and the helper does the rest:
 * it forks the monitor and exits; the monitor clones the container (monitor.c), the container applies
 * the plan and execs (container.c). Protocol: protocol.h; plan format: plan.h. */
#define _GNU_SOURCE
#include "monitor.h"
#include "plan.h"
#include "protocol.h"
#include "selfexec.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--dump-plan") == 0) return dump_plan();
    if (argc != 1) return fprintf(stderr, "usage: enviro-helper (plan on fd 3) | enviro-helper --dump-plan < plan\n"), 2;

    /* nothing of the engine's may reach the monitor or the container, whatever the engine leaked */
    if (syscall(SYS_close_range, HELPER_FD + 1, ~0U, 0) < 0) return send_failed(HELPER_FD, "close_range", errno), 1;
    /* The monitor (this process's fork) stays for the container's whole life: it must not run from a
     * file on disk, which the container could reach for writing through /proc/<pid>/exe if it ever saw
     * the monitor. Re-executed from a sealed memfd, there is nothing writable behind /proc/<pid>/exe. */
    if (selfexec_sealed(argv) < 0) return send_failed(HELPER_FD, "re-exec from sealed memfd", errno), 1;

    uint8_t *buf = malloc(PLAN_MAX_BYTES + sizeof(uint32_t));
    if (buf == NULL) return send_failed(HELPER_FD, "malloc", ENOMEM), 1;
    ssize_t n;
    do n = recv(HELPER_FD, buf, PLAN_MAX_BYTES + sizeof(uint32_t), MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return send_failed(HELPER_FD, "recv PLAN", errno), 1;
    uint32_t type;
    if (n < (ssize_t)sizeof type || n > (ssize_t)(PLAN_MAX_BYTES + sizeof type)) return send_failed(HELPER_FD, "recv PLAN", EMSGSIZE), 1;
    memcpy(&type, buf, sizeof type);
    if (type != MSG_PLAN) return send_failed(HELPER_FD, "recv PLAN", EPROTO), 1;

    struct plan plan;
    const char *error;
    if (plan_parse(buf + sizeof type, (size_t)n - sizeof type, &plan, &error) < 0) {
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
