/* Messages on fd 3 (SOCK_SEQPACKET: one send is one message). Fixed little-endian layouts, each
 * starting with its type. Mirrored by dev.enviro.ffm.helper.HelperMessage; keep both in step.
 *
 *   engine -> helper   PLAN     {type} with one fd (SCM_RIGHTS): a memfd holding the binary plan (plan.h);
 *                               a message of its own could carry only what the socket buffer holds
 *                               (~200 KiB), and argv and the environment alone may take 6 MiB
 *   monitor -> engine  CHILD    {pid, monitor_pid}: write the id maps, move the pid to its cgroup
 *   engine -> child    MAPPED   go on   |  ABORT  give up (the child exits)
 *   monitor -> engine  STARTED  {pid}: execve succeeded
 *   monitor -> engine  FAILED   {errno, step}: the named step failed, nothing runs */
#ifndef ENVIRO_PROTOCOL_H
#define ENVIRO_PROTOCOL_H

#include <stdint.h>

#define HELPER_FD 3
#define STEP_NAME_MAX 48

enum msg_type {
    MSG_PLAN = 1,
    MSG_CHILD = 2,
    MSG_MAPPED = 3,
    MSG_ABORT = 4,
    MSG_STARTED = 5,
    MSG_FAILED = 6,
};

struct msg_child {
    uint32_t type;
    int32_t pid, monitor_pid;
};

struct msg_started {
    uint32_t type;
    int32_t pid;
};

struct msg_failed {
    uint32_t type;
    int32_t err;
    char step[STEP_NAME_MAX]; /* NUL-padded */
};

int send_child(int fd, int pid, int monitor_pid);
int send_started(int fd, int pid);
int send_failed(int fd, const char *step, int err);
/* Waits for MAPPED. Returns 0, or -1 with errno set (ECANCELED on ABORT, ECONNRESET on EOF). */
int await_mapped(int fd);

#endif
