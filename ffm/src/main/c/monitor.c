#define _GNU_SOURCE
#include "monitor.h"

#include "container.h"
#include "exec.h"
#include "fail.h"
#include "logfile.h"
#include "protocol.h"
#include "terminal.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A line longer than this is split into partial ("P") records, as the CRI log format requires. */
#define LOG_LINE_MAX 16384
/* After init exits the kernel kills the rest of its pid namespace; wait this long for the pipes' EOF. */
#define DRAIN_AFTER_EXIT_MS 2000

struct stream {
    int fd;
    const char *name;
    int tty; /* a pty's output: what came is logged at once, a prompt has no newline */
    size_t len;
    char buf[LOG_LINE_MAX];
};

static void log_record(struct logfile *log, const char *stream, char tag, const char *data, size_t len) {
    struct timespec now;
    struct tm tm;
    char prefix[64];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    int n = snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec, stream, tag);
    struct iovec iov[3] = {{prefix, (size_t)n}, {(void *)data, len}, {"\n", 1}};
    /* one writev on an O_APPEND file: records of stdout and stderr never interleave */
    logfile_append(log, iov, 3);
}

/* Emits every complete line in the buffer, and the buffer itself as a partial line when it is full. */
static void log_lines(struct logfile *log, struct stream *s) {
    size_t start = 0;
    for (;;) {
        char *nl = memchr(s->buf + start, '\n', s->len - start);
        if (nl == NULL) break;
        log_record(log, s->name, 'F', s->buf + start, (size_t)(nl - (s->buf + start)));
        start = (size_t)(nl - s->buf) + 1;
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
    if (s->len == sizeof s->buf || (s->tty && s->len > 0)) {
        log_record(log, s->name, 'P', s->buf, s->len);
        s->len = 0;
    }
}

/* Reads what is available; at EOF, a last line without newline is still a whole line. */
static void pump(struct logfile *log, struct stream *s) {
    ssize_t n;
    do n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return; /* a pty master is non-blocking (terminal.c writes to it) */
    if (n > 0) {
        s->len += (size_t)n;
        log_lines(log, s);
        return;
    }
    if (s->len > 0) log_record(log, s->name, 'F', s->buf, s->len);
    s->len = 0;
    close(s->fd);
    s->fd = -1;
}

/* The exit record's space, taken before the command runs: a container may fill the state directory's
 * filesystem, and its exit code must still be written then. Written in place at the end (no new block is
 * needed), cut to its length, fsynced, renamed over the status path. -1 with errno when it cannot be had. */
static int reserve_status(const char *path) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return errno = ENAMETOOLONG, -1;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    static const char page[4096];
    int rc = fallocate(fd, 0, 0, sizeof page);
    if (rc < 0 && errno == EOPNOTSUPP) rc = write(fd, page, sizeof page) == (ssize_t)sizeof page ? 0 : -1;
    if (rc < 0 || fsync(fd) < 0) {
        int err = errno;
        close(fd);
        unlink(tmp);
        return errno = err, -1;
    }
    return fd;
}

static int write_status(int fd, const char *path, int wstatus) {
    char tmp[PATH_MAX], text[128], dir[PATH_MAX];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int code = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
    int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    int len = snprintf(text, sizeof text, "exit_code=%d\nsignal=%d\nfinished_at=%lld\n", code, sig,
                       (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
    if (pwrite(fd, text, (size_t)len, 0) != len || ftruncate(fd, len) < 0 || fsync(fd) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) return -1;
    /* the rename itself must survive a crash too */
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* Reaps every exited child (we are a subreaper); returns 1 when the container's init was among them. */
static int reap(pid_t init, int *init_status) {
    int found = 0, st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (pid == init) {
            *init_status = st;
            found = 1;
        }
    }
    return found;
}

int monitor_run(const struct plan *plan) {
    if (setsid() < 0) return send_failed(HELPER_FD, "setsid", errno), 1;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return send_failed(HELPER_FD, "PR_SET_CHILD_SUBREAPER", errno), 1;

    int out[2], err[2], exec_pipe[2];
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) return send_failed(HELPER_FD, "open /dev/null", errno), 1;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(exec_pipe, O_CLOEXEC) < 0)
        return send_failed(HELPER_FD, "pipe2", errno), 1;
    struct logfile log;
    if (logfile_open(&log, plan->log_path, plan->log_max_bytes, plan->log_max_files) < 0)
        return send_failed(HELPER_FD, "open log", errno), 1;
    int status_fd = reserve_status(plan->status_path);
    if (status_fd < 0) return send_failed(HELPER_FD, "reserve exit status", errno), 1;

    /* the attach socket is bound before the command exists, so a client never finds it missing while the
     * container runs; with -t, the container opens its pty and sends the master here (terminal.c) */
    static struct terminal term;
    const char *term_step;
    if (terminal_open(&term, plan, &term_step) < 0) return send_failed(HELPER_FD, term_step, errno), 1;

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sig_fd < 0) return send_failed(HELPER_FD, "signalfd", errno), 1;

    struct container_fds child_fds = {HELPER_FD, exec_pipe[1], null_fd, out[1], err[1], term.pty_sock[1]};
    if (term.stdin_r >= 0) child_fds.stdin_fd = term.stdin_r;
    pid_t pid;
    if (plan->join_pid) {
        /* exec: the same container side, in the namespaces of a running container (exec.c) */
        const char *step = "join";
        pid = exec_join(plan, &child_fds, &step);
        if (pid < 0) return send_failed(HELPER_FD, step, errno), 1;
    } else {
        /* clone without a new stack behaves like fork: the child runs on a copy of this stack */
        pid = (pid_t)syscall(SYS_clone, (unsigned long)plan->clone_flags | SIGCHLD, NULL, NULL, NULL, 0UL);
        if (pid < 0) return send_failed(HELPER_FD, "clone", errno), 1;
        if (pid == 0) container_run(plan, &child_fds);
    }
    close(exec_pipe[1]);
    close(out[1]);
    close(err[1]);
    close(null_fd);
    terminal_after_clone(&term);

    send_child(HELPER_FD, pid, getpid());
    /* sync point: EOF on the CLOEXEC pipe means execve succeeded; a record means a step failed */
    struct step_error e;
    ssize_t n;
    do n = read(exec_pipe[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(exec_pipe[0]);
    if (n == (ssize_t)sizeof e) {
        e.step[sizeof e.step - 1] = 0;
        send_failed(HELPER_FD, e.step, e.err);
    } else if (plan->tty && terminal_receive_master(&term) < 0) {
        /* the command runs, but without its terminal nobody can reach it: end it */
        send_failed(HELPER_FD, "receive pty master", errno);
        kill(pid, SIGKILL);
    } else {
        send_started(HELPER_FD, pid);
    }
    /* from here on the monitor holds nothing of the engine's */
    close(HELPER_FD);

    static struct stream streams[2];
    streams[0] = (struct stream){.fd = out[0], .name = "stdout"};
    streams[1] = (struct stream){.fd = err[0], .name = "stderr"};
    if (term.master >= 0) {
        /* with a pty, stdout and stderr are one stream; the pipes' write ends went unused and are closed */
        close(out[0]);
        close(err[0]);
        streams[0] = (struct stream){.fd = fcntl(term.master, F_DUPFD_CLOEXEC, 0), .name = "stdout", .tty = 1};
        streams[1].fd = -1;
    }
    int init_status = 0, init_done = 0;
    for (;;) {
        init_done |= reap(pid, &init_status);
        if (init_done && streams[0].fd < 0 && streams[1].fd < 0) break;
        struct pollfd fds[3 + TERMINAL_POLL_FDS] = {{streams[0].fd, POLLIN, 0}, {streams[1].fd, POLLIN, 0}, {sig_fd, POLLIN, 0}};
        int nfds = 3 + terminal_poll_fds(&term, fds + 3);
        int ready = poll(fds, (nfds_t)nfds, init_done ? DRAIN_AFTER_EXIT_MS : -1);
        if (ready < 0 && errno != EINTR) break;
        if (ready == 0) break; /* init is gone and something still holds a pipe: stop waiting for it */
        for (int i = 0; i < 2; i++)
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) pump(&log, &streams[i]);
        if (fds[2].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(sig_fd, &info, sizeof info) > 0) {
            }
        }
        terminal_handle(&term, fds + 3, nfds - 3);
    }
    terminal_close(&term);
    for (int i = 0; i < 2; i++)
        if (streams[i].fd >= 0 && streams[i].len > 0) log_record(&log, streams[i].name, 'F', streams[i].buf, streams[i].len);
    logfile_close(&log);
    return write_status(status_fd, plan->status_path, init_status) < 0 ? 1 : 0;
}
