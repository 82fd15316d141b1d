#define _GNU_SOURCE
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* The socket lives in the container's directory, whose path may be longer than sun_path (108 bytes):
 * bind through /proc/self/fd/<dir> instead, as the engine connects. */
static int bind_attach(struct terminal *t, const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) return errno = EINVAL, -1;
    *slash = 0;
    const char *name = slash + 1;
    int dfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    unlinkat(dfd, name, 0); /* a socket left by an earlier run of this container */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, name) >= (int)sizeof addr.sun_path) {
        close(dfd);
        return errno = ENAMETOOLONG, -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return close(dfd), -1;
    /* created 0600 from the start: only the engine's user may type into the container */
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (r < 0 || listen(fd, ATTACH_MAX_CLIENTS) < 0) {
        int err = errno;
        close(fd), close(dfd);
        return errno = err, -1;
    }
    close(dfd);
    t->listen_fd = fd;
    t->attach_path = (char *)path;
    return 0;
}

int terminal_open(struct terminal *t, const struct plan *plan, const char **step) {
    t->master = t->stdin_w = t->stdin_r = t->listen_fd = -1;
    t->pty_sock[0] = t->pty_sock[1] = -1;
    t->attach_path = NULL;
    t->pending_len = 0;
    for (int i = 0; i < ATTACH_MAX_CLIENTS; i++) t->clients[i].fd = -1;
    if (plan->tty) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, t->pty_sock) < 0) return *step = "socketpair pty", -1;
    } else if (plan->open_stdin) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) return *step = "pipe2 stdin", -1;
        t->stdin_r = p[0];
        t->stdin_w = p[1];
        if (fcntl(t->stdin_w, F_SETFL, O_NONBLOCK) < 0) return *step = "fcntl stdin", -1;
    }
    if (plan->attach_path && bind_attach(t, plan->attach_path) < 0) return *step = "bind attach socket", -1;
    return 0;
}

void terminal_after_clone(struct terminal *t) {
    if (t->pty_sock[1] >= 0) close(t->pty_sock[1]);
    if (t->stdin_r >= 0) close(t->stdin_r);
    t->pty_sock[1] = t->stdin_r = -1;
}

int terminal_receive_master(struct terminal *t) {
    char byte;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n;
    do n = recvmsg(t->pty_sock[0], &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    close(t->pty_sock[0]);
    t->pty_sock[0] = -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n != 1 || c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) return errno = EPROTO, -1;
    memcpy(&t->master, CMSG_DATA(c), sizeof(int));
    /* non-blocking: input is written as the command takes it, never stalling the log (flush_pending) */
    if (fcntl(t->master, F_SETFL, O_NONBLOCK) < 0) return -1;
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    ioctl(t->master, TIOCSWINSZ, &ws);
    return 0;
}

int terminal_container_pty(int sock, const char **step) {
    /* /dev/ptmx is the container's: a link to its own devpts instance (pts/ptmx) */
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return *step = "open /dev/ptmx", -1;
    if (unlockpt(master) < 0) return *step = "unlockpt", -1;
    /* the peer through the master itself: no path lookup */
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) return *step = "TIOCGPTPEER", -1;
    /* a shell needs a controlling terminal for job control and ^C: a new session takes the pty */
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) return *step = "set controlling terminal", -1;
    char byte = 0;
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof(int));
    if (sendmsg(sock, &msg, 0) != 1) return *step = "send pty master", -1;
    close(master);
    close(sock);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) return *step = "dup2 pty", -1;
    if (slave > 2) close(slave);
    return 0;
}

static int input_fd(const struct terminal *t) {
    return t->master >= 0 ? t->master : t->stdin_w;
}

/* Writes what the pty or pipe takes now; the rest waits for POLLOUT. */
static void flush_pending(struct terminal *t) {
    int fd = input_fd(t);
    if (fd < 0) {
        t->pending_len = 0; /* nobody reads stdin: input is dropped, as with a closed stdin */
        return;
    }
    while (t->pending_len > 0) {
        ssize_t n = write(fd, t->pending, t->pending_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {
            t->pending_len = 0; /* EIO/EPIPE: the command is gone */
            return;
        }
        memmove(t->pending, t->pending + n, t->pending_len - (size_t)n);
        t->pending_len -= (size_t)n;
    }
}

static void drop_client(struct attach_client *c) {
    close(c->fd);
    c->fd = -1;
    c->len = 0;
}

/* Acts on every whole frame in the client's buffer while the pending input has room. */
static void frames(struct terminal *t, struct attach_client *c) {
    size_t start = 0;
    while (c->len - start >= 5) {
        unsigned char *f = c->buf + start;
        uint32_t len = (uint32_t)f[1] | (uint32_t)f[2] << 8 | (uint32_t)f[3] << 16 | (uint32_t)f[4] << 24;
        if (len > ATTACH_MAX_PAYLOAD) {
            drop_client(c); /* not our protocol */
            return;
        }
        if (c->len - start < 5 + len) break;
        if (f[0] == ATTACH_STDIN) {
            if (t->pending_len + len > sizeof t->pending) break; /* back-pressure: wait for the command to read */
            memcpy(t->pending + t->pending_len, f + 5, len);
            t->pending_len += len;
        } else if (f[0] == ATTACH_RESIZE && len == 4 && t->master >= 0) {
            struct winsize ws = {.ws_row = (unsigned short)(f[5] | f[6] << 8), .ws_col = (unsigned short)(f[7] | f[8] << 8)};
            ioctl(t->master, TIOCSWINSZ, &ws);
        } else if (f[0] == ATTACH_CLOSE && t->stdin_w >= 0) {
            flush_pending(t);
            if (t->pending_len == 0) {
                close(t->stdin_w);
                t->stdin_w = -1;
            } else {
                break; /* close once what came before it is written */
            }
        }
        start += 5 + len;
    }
    memmove(c->buf, c->buf + start, c->len - start);
    c->len -= start;
    flush_pending(t);
}

int terminal_poll_fds(struct terminal *t, struct pollfd *fds) {
    int n = 0;
    fds[n++] = (struct pollfd){t->listen_fd, POLLIN, 0};
    for (int i = 0; i < ATTACH_MAX_CLIENTS; i++) {
        struct attach_client *c = &t->clients[i];
        /* a client whose buffer is full waits until the pending input drains */
        short want = c->fd >= 0 && c->len < sizeof c->buf ? POLLIN : 0;
        fds[n++] = (struct pollfd){want ? c->fd : -1, want, 0};
    }
    fds[n++] = (struct pollfd){t->pending_len > 0 ? input_fd(t) : -1, POLLOUT, 0};
    return n;
}

void terminal_handle(struct terminal *t, const struct pollfd *fds, int n) {
    if (n < TERMINAL_POLL_FDS) return;
    if (fds[ATTACH_MAX_CLIENTS + 1].revents) {
        flush_pending(t);
        for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
            if (t->clients[i].fd >= 0) frames(t, &t->clients[i]);
    }
    for (int i = 0; i < ATTACH_MAX_CLIENTS; i++) {
        struct attach_client *c = &t->clients[i];
        if (fds[1 + i].fd < 0 || !(fds[1 + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) {
            drop_client(c);
            continue;
        }
        c->len += (size_t)r;
        frames(t, c);
    }
    if (fds[0].fd >= 0 && (fds[0].revents & POLLIN)) {
        int fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        for (int i = 0; i < ATTACH_MAX_CLIENTS; i++) {
            if (t->clients[i].fd < 0) {
                t->clients[i].fd = fd;
                t->clients[i].len = 0;
                return;
            }
        }
        close(fd); /* all places taken */
    }
}

void terminal_close(struct terminal *t) {
    for (int i = 0; i < ATTACH_MAX_CLIENTS; i++)
        if (t->clients[i].fd >= 0) drop_client(&t->clients[i]);
    if (t->listen_fd >= 0) {
        close(t->listen_fd);
        /* unlink(2) has no sun_path limit: the full path will do */
        unlink(t->attach_path);
    }
    if (t->stdin_w >= 0) close(t->stdin_w);
    t->listen_fd = t->stdin_w = -1;
}
