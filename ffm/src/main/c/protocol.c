#include "protocol.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static int send_all(int fd, const void *msg, size_t len) {
    ssize_t n;
    do n = send(fd, msg, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)len ? 0 : -1;
}

int send_child(int fd, int pid, int monitor_pid) {
    struct msg_child m = {MSG_CHILD, pid, monitor_pid};
    return send_all(fd, &m, sizeof m);
}

int send_started(int fd, int pid) {
    struct msg_started m = {MSG_STARTED, pid};
    return send_all(fd, &m, sizeof m);
}

int send_failed(int fd, const char *step, int err) {
    struct msg_failed m = {MSG_FAILED, err, {0}};
    strncpy(m.step, step, sizeof m.step - 1);
    return send_all(fd, &m, sizeof m);
}

int await_mapped(int fd) {
    uint32_t type;
    ssize_t n;
    do n = recv(fd, &type, sizeof type, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    if (n == 0) return errno = ECONNRESET, -1;
    if (n != sizeof type || type != MSG_MAPPED) return errno = ECANCELED, -1;
    return 0;
}
