/* enviro-relay: the `enviro` command users type. Every verb runs in the engine's JVM, warm (the
 * client/server model of Bazel and Nailgun); this program only carries bytes and frames between the
 * caller and the engine's CLI socket, and knows no verb:
 *   - it sends argv, the environment, which of fds 0-2 are terminals and the window's size;
 *   - it writes what the engine sends to stdout and stderr, and ends with the exit code it sends;
 *   - it opens, reads, writes and renames files, and reads stdin, only when the engine asks, with the
 *     caller's own rights, in the caller's working directory (the engine never opens a path a
 *     client names);
 *   - it puts the terminal in raw or no-echo mode when asked, and restores it before it exits;
 *   - it forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT and window-size changes.
 * The frames are described in docs/relay.md and read by dev.enviro.cli.relay.RelayFrames.
 *
 * bin/enviro is a symlink to this binary (no shell in between: bash's start was a third of a verb's
 * time). With no engine answering, `daemon`, help and version lines are handed to the Java CLI in a
 * JVM of its own, bin/enviro-jvm beside that symlink in the checkout this binary was built in
 * (ffm/target/enviro-relay), as is every line under ENVIRO_CLIENT=java; any other line fails at once. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define PROTOCOL_VERSION 1
#define MAX_FRAME (16u << 20)
#define MAX_CHUNK (1u << 20)
#define MAX_PENDING 8
#define MAX_OPEN 16

/* relay -> engine */
enum { TO_HELLO = 'V', TO_ARG = 'A', TO_ENV = 'E', TO_TTY = 'T', TO_RUN = 'R',
       TO_SIGNAL = 'S', TO_WINCH = 'W', TO_REPLY = 'F' };
/* engine -> relay */
enum { FROM_STDOUT = 'O', FROM_STDERR = 'e', FROM_EXIT = 'X', FROM_MODE = 'M', FROM_OPEN = 'o',
       FROM_READ = 'r', FROM_WRITE = 'w', FROM_CLOSE = 'c', FROM_RENAME = 'n', FROM_MKDIR = 'd',
       FROM_UNLINK = 'u' };
/* FROM_OPEN flags */
enum { OPEN_READ = 0, OPEN_CREATE_NEW = 2 };
/* FROM_MODE modes */
enum { MODE_RESTORE = 0, MODE_RAW = 1, MODE_NO_ECHO = 2 };

static int sock = -1;
/* The engine closed its end (it does right after EXIT): what we would still send goes nowhere, and the
 * EXIT waiting in the socket must still be read. */
static int engine_gone;
static int signal_pipe[2] = {-1, -1};
static struct termios saved_termios;
static int termios_changed;
/* the files the engine opened through us: it may read, write and close these, and stdin, nothing else */
static int opened[MAX_OPEN];
static struct pending { uint32_t id; int fd; uint32_t max; } pending[MAX_PENDING];
static int pending_count;

static void restore_terminal(void) {
    if (termios_changed) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
        termios_changed = 0;
    }
}

static _Noreturn void finish(int code) {
    restore_terminal();
    _exit(code);
}

static _Noreturn void lost(const char *what, int err) {
    restore_terminal();
    if (err) fprintf(stderr, "Error: %s: %s\n", what, strerror(err));
    else fprintf(stderr, "Error: %s\n", what);
    _exit(125);
}

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int write_all(int fd, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd w = {.fd = fd, .events = POLLOUT};
            poll(&w, 1, -1);
            continue;
        }
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The command line's frames (hello, argv, environment, terminal, run) gathered for one write: a
 * frame per variable was a hundred writes, and as many wake-ups of the engine, before every verb. */
static uint8_t *start_batch;
static size_t start_len, start_cap;

static void batch(const void *data, size_t len) {
    if (len == 0) return;
    if (start_len + len > start_cap) {
        while (start_len + len > start_cap) start_cap *= 2;
        if ((start_batch = realloc(start_batch, start_cap)) == NULL) lost("out of memory", 0);
    }
    memcpy(start_batch + start_len, data, len);
    start_len += len;
}

/* A write to the engine failed: an engine that went away is told by the read loop, anything else ends here. */
static void send_failed(void) {
    if (errno != EPIPE && errno != ECONNRESET) lost("lost the connection to the engine", errno);
    engine_gone = 1;
}

/* The rest of a writev that wrote only `done` bytes: the pieces it did not reach, one write each. */
static int write_rest(int fd, const struct iovec *iov, int count, size_t done) {
    for (int i = 0; i < count; i++) {
        if (done >= iov[i].iov_len) {
            done -= iov[i].iov_len;
            continue;
        }
        if (write_all(fd, (const uint8_t *)iov[i].iov_base + done, iov[i].iov_len - done) < 0) return -1;
        done = 0;
    }
    return 0;
}

/* One frame: u32 length of what follows, u8 type, then the head and the body (either may be empty);
 * one writev, or appended to the start batch while it is being gathered. */
static void send_frame(uint8_t type, const void *head, size_t head_len, const void *body, size_t body_len) {
    if (engine_gone) return;
    uint8_t prefix[5];
    put32(prefix, (uint32_t)(1 + head_len + body_len));
    prefix[4] = type;
    struct iovec iov[3] = {{prefix, sizeof prefix}, {(void *)head, head_len}, {(void *)body, body_len}};
    if (start_cap != 0) {
        for (int i = 0; i < 3; i++) batch(iov[i].iov_base, iov[i].iov_len);
        return;
    }
    ssize_t n;
    do n = writev(sock, iov, 3); while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) n = 0;
    if (n < 0 || write_rest(sock, iov, 3, (size_t)n) < 0) send_failed();
}

/* A reply to the engine's request `id`: result >= 0 (a fd, a count) or -errno, with the reason as body. */
static void reply(uint32_t id, int64_t result, const void *body, size_t body_len) {
    uint8_t head[12];
    put32(head, id);
    put32(head + 4, (uint32_t)((uint64_t)result >> 32));
    put32(head + 8, (uint32_t)result);
    send_frame(TO_REPLY, head, sizeof head, body, body_len);
}

static void reply_errno(uint32_t id, int err) {
    const char *reason = strerror(err);
    reply(id, -(int64_t)err, reason, strlen(reason));
}

/* rows and columns of the caller's terminal, big-endian u16 each; zeros when there is none */
static void window_size(uint8_t out[4]) {
    struct winsize ws = {0};
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0) ws.ws_row = ws.ws_col = 0;
    out[0] = ws.ws_row >> 8, out[1] = (uint8_t)ws.ws_row, out[2] = ws.ws_col >> 8, out[3] = (uint8_t)ws.ws_col;
}

/* How many times each signal came: the third SIGINT, SIGTERM or SIGHUP ends the relay itself, so that
 * an engine that does not answer (or a blocked write) never leaves a user without a way out. */
static volatile sig_atomic_t signal_count[65];

static void on_signal(int signo) {
    int saved = errno;
    if (signo != SIGWINCH && signo < 65 && ++signal_count[signo] >= 3) {
        if (termios_changed) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
        _exit(128 + signo);
    }
    uint8_t b = (uint8_t)signo;
    (void)!write(signal_pipe[1], &b, 1);
    errno = saved;
}

static int is_opened(int fd) {
    for (int i = 0; i < MAX_OPEN; i++) if (opened[i] == fd && fd >= 0) return 1;
    return 0;
}

static void set_mode(int mode) {
    if (!isatty(STDIN_FILENO)) return;
    if (mode == MODE_RESTORE) return restore_terminal();
    if (!termios_changed) {
        if (tcgetattr(STDIN_FILENO, &saved_termios) < 0) return;
        termios_changed = 1;
    }
    struct termios t = saved_termios;
    if (mode == MODE_RAW) cfmakeraw(&t);
    else t.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
}

static void do_open(uint32_t id, const uint8_t *p, size_t len) {
    if (len < 8) lost("the engine sent a malformed open request", 0);
    uint32_t flags = get32(p), mode = get32(p + 4);
    char *path = strndup((const char *)p + 8, len - 8);
    int slot = -1;
    for (int i = 0; i < MAX_OPEN; i++) if (opened[i] < 0) { slot = i; break; }
    /* the engine reads files and creates new ones (then renamed into place); it never truncates one */
    if (flags != OPEN_READ && flags != OPEN_CREATE_NEW) {
        free(path);
        return reply_errno(id, EINVAL);
    }
    int oflags = flags == OPEN_READ ? O_RDONLY : O_WRONLY | O_CREAT | O_EXCL;
    int fd = slot < 0 ? (errno = EMFILE, -1) : open(path, oflags | O_CLOEXEC | O_NOCTTY, (mode_t)(mode & 07777));
    free(path);
    if (fd < 0) return reply_errno(id, errno);
    opened[slot] = fd;
    reply(id, fd, NULL, 0);
}

static void do_read(uint32_t id, const uint8_t *p, size_t len) {
    if (len < 8) lost("the engine sent a malformed read request", 0);
    int fd = (int)get32(p);
    uint32_t max = get32(p + 4);
    if (fd != STDIN_FILENO && !is_opened(fd)) return reply_errno(id, EBADF);
    /* one read per fd at a time: a second would block this loop once the first took what was there */
    for (int i = 0; i < pending_count; i++) if (pending[i].fd == fd) return reply_errno(id, EBUSY);
    if (pending_count == MAX_PENDING) return reply_errno(id, EBUSY);
    /* read when the fd is ready, so that a keyboard that says nothing never stops the output */
    pending[pending_count++] = (struct pending){id, fd, max > MAX_CHUNK ? MAX_CHUNK : max};
}

static void complete_read(int index) {
    static uint8_t buf[MAX_CHUNK];
    struct pending r = pending[index];
    pending[index] = pending[--pending_count];
    ssize_t n;
    do n = read(r.fd, buf, r.max); while (n < 0 && errno == EINTR);
    if (n < 0) return reply_errno(r.id, errno);
    reply(r.id, n, buf, (size_t)n);
}

static void do_write(uint32_t id, const uint8_t *p, size_t len) {
    if (len < 4) lost("the engine sent a malformed write request", 0);
    int fd = (int)get32(p);
    if (!is_opened(fd)) return reply_errno(id, EBADF);
    if (write_all(fd, p + 4, len - 4) < 0) return reply_errno(id, errno);
    reply(id, (int64_t)(len - 4), NULL, 0);
}

static void do_close(uint32_t id, const uint8_t *p, size_t len) {
    if (len < 5) lost("the engine sent a malformed close request", 0);
    int fd = (int)get32(p);
    if (!is_opened(fd)) return reply_errno(id, EBADF);
    for (int i = 0; i < MAX_OPEN; i++) if (opened[i] == fd) opened[i] = -1;
    /* a read still waiting on it would read whatever file reuses the number */
    for (int i = pending_count - 1; i >= 0; i--) {
        if (pending[i].fd != fd) continue;
        reply_errno(pending[i].id, EBADF);
        pending[i] = pending[--pending_count];
    }
    int err = p[4] && fsync(fd) < 0 ? errno : 0;
    if (close(fd) < 0 && !err) err = errno;
    if (err) return reply_errno(id, err);
    reply(id, 0, NULL, 0);
}

/* old NUL new: renamed, then the new name's directory fsynced (the rename itself must survive a crash) */
static void do_rename(uint32_t id, const uint8_t *p, size_t len) {
    const uint8_t *nul = memchr(p, 0, len);
    if (nul == NULL) lost("the engine sent a malformed rename request", 0);
    char *from = strndup((const char *)p, (size_t)(nul - p));
    char *to = strndup((const char *)nul + 1, len - (size_t)(nul - p) - 1);
    int err = rename(from, to) < 0 ? errno : 0;
    if (!err) {
        char *slash = strrchr(to, '/');
        if (slash == to) slash[1] = 0; else if (slash) *slash = 0; else strcpy(to, ".");
        int dir = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) { fsync(dir); close(dir); }
    }
    free(from);
    free(to);
    if (err) return reply_errno(id, err);
    reply(id, 0, NULL, 0);
}

static void do_path(uint8_t type, uint32_t id, const uint8_t *p, size_t len) {
    uint32_t mode = 0;
    if (type == FROM_MKDIR) {
        if (len < 4) lost("the engine sent a malformed mkdir request", 0);
        mode = get32(p);
        p += 4;
        len -= 4;
    }
    char *path = strndup((const char *)p, len);
    int rc = type == FROM_MKDIR ? mkdir(path, (mode_t)(mode & 07777)) : unlink(path);
    int err = errno;
    free(path);
    if (rc < 0) return reply_errno(id, err);
    reply(id, 0, NULL, 0);
}

static void handle(uint8_t type, const uint8_t *p, size_t len) {
    switch (type) {
    case FROM_STDOUT:
    case FROM_STDERR:
        /* a closed stdout (| head) loses what follows, as a write that fails would; the verb goes on */
        (void)write_all(type == FROM_STDOUT ? STDOUT_FILENO : STDERR_FILENO, p, len);
        return;
    case FROM_EXIT:
        if (len < 4) lost("the engine sent a malformed exit", 0);
        finish((int)get32(p) & 0xff);
    case FROM_MODE:
        if (len >= 1) set_mode(p[0]);
        return;
    }
    if (len < 4) lost("the engine sent a malformed request", 0);
    uint32_t id = get32(p);
    p += 4;
    len -= 4;
    switch (type) {
    case FROM_OPEN: return do_open(id, p, len);
    case FROM_READ: return do_read(id, p, len);
    case FROM_WRITE: return do_write(id, p, len);
    case FROM_CLOSE: return do_close(id, p, len);
    case FROM_RENAME: return do_rename(id, p, len);
    case FROM_MKDIR:
    case FROM_UNLINK: return do_path(type, id, p, len);
    default: return reply_errno(id, ENOSYS);
    }
}

/* The engine's socket: --host before the verb, else ENVIRO_HOST, else the default for this user, as
 * dev.enviro.grpc.EngineAddress resolves it; the CLI socket is that path with ".cli" appended.
 * Returns 0 when the line names an address this program cannot use (the JVM then says why). */
static int engine_socket(int argc, char **argv, char *out, size_t size) {
    const char *host = NULL;
    for (int i = 1; i < argc && host == NULL; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--host") == 0) { if (i + 1 < argc) host = argv[i + 1]; else return 0; }
        else if (strncmp(a, "--host=", 7) == 0) host = a + 7;
        else if (strcmp(a, "--state-dir") == 0) i++;
        else if (a[0] != '-') break;
    }
    if (host == NULL || host[0] == 0) host = getenv("ENVIRO_HOST");
    if (host != NULL && host[0] != 0) {
        if (strncmp(host, "unix:///", 8) != 0) return 0;
        return snprintf(out, size, "%s", host + 7) < (int)size;
    }
    if (geteuid() == 0) return snprintf(out, size, "/run/enviro/enviro.sock") < (int)size;
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (runtime != NULL && runtime[0] == '/') return snprintf(out, size, "%s/enviro/enviro.sock", runtime) < (int)size;
    return snprintf(out, size, "/tmp/enviro-run-%u/enviro/enviro.sock", (unsigned)geteuid()) < (int)size;
}

/* With no engine answering: `daemon`, --help and --version are the JVM's to answer. */
static int jvm_answers(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--host") == 0 || strcmp(a, "--state-dir") == 0) i++;
        else if (a[0] != '-') return strcmp(a, "daemon") == 0;
    }
    return argc == 1; /* a bare `enviro` prints the usage */
}

static int connect_engine(const char *socket_path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s.cli", socket_path) >= (int)sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int err = errno;
        close(fd);
        return errno = err, -1;
    }
    return fd;
}

static void send_start(int argc, char **argv) {
    start_cap = 16384; /* gather from here */
    if ((start_batch = malloc(start_cap)) == NULL) lost("out of memory", 0);
    uint8_t version[4];
    put32(version, PROTOCOL_VERSION);
    send_frame(TO_HELLO, version, 4, NULL, 0);
    for (int i = 1; i < argc; i++) send_frame(TO_ARG, argv[i], strlen(argv[i]), NULL, 0);
    for (char **e = environ; *e != NULL; e++) send_frame(TO_ENV, *e, strlen(*e), NULL, 0);
    uint8_t tty[5] = {(uint8_t)(isatty(STDIN_FILENO) | isatty(STDOUT_FILENO) << 1 | isatty(STDERR_FILENO) << 2)};
    window_size(tty + 1);
    send_frame(TO_TTY, tty, sizeof tty, NULL, 0);
    send_frame(TO_RUN, NULL, 0, NULL, 0);
    size_t len = start_len;
    start_len = start_cap = 0; /* frames from here go out one by one */
    if (write_all(sock, start_batch, len) < 0) send_failed();
    free(start_batch);
    start_batch = NULL;
}

static void install_signals(void) {
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) lost("pipe", errno);
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup's SIGHUP) stays ignored */
        if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(forwarded[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
}

/* The Java CLI: bin/enviro-jvm of the checkout this binary was built in (<root>/ffm/target/enviro-relay). */
static _Noreturn void exec_jvm(char **argv) {
    char self[PATH_MAX], launcher[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) lost("cannot find the Java CLI: readlink /proc/self/exe", errno);
    self[n] = 0;
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(self, '/');
        if (slash == NULL) lost("cannot find the Java CLI beside this enviro", 0);
        *slash = 0;
    }
    snprintf(launcher, sizeof launcher, "%s/bin/enviro-jvm", self);
    argv[0] = launcher;
    execv(launcher, argv);
    fprintf(stderr, "Error: cannot start the Java CLI %s: %s\n", launcher, strerror(errno));
    _exit(125);
}

int main(int argc, char **argv) {
    /* fds 0-2 closed by the caller: the socket or the signal pipe must not take their numbers */
    for (int fd = open("/dev/null", O_RDWR); fd >= 0; fd = open("/dev/null", O_RDWR)) {
        if (fd > STDERR_FILENO) { close(fd); break; }
    }
    const char *client = getenv("ENVIRO_CLIENT");
    if (client != NULL && strcmp(client, "java") == 0) exec_jvm(argv);
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int usable = engine_socket(argc, argv, socket_path, sizeof socket_path);
    sock = usable ? connect_engine(socket_path) : -1;
    if (sock < 0) {
        int err = errno;
        if (!usable || jvm_answers(argc, argv)) exec_jvm(argv);
        /* the line dev.enviro.grpc.ApiErrors.fromStatus gives an unreachable engine */
        fprintf(stderr, "Error: cannot reach the Enviro engine at unix://%s (connect: %s). "
                        "Start one with 'enviro daemon' (or set ENVIRO_HOST).\n", socket_path, strerror(err));
        return 125;
    }
    for (int i = 0; i < MAX_OPEN; i++) opened[i] = -1;
    install_signals();
    send_start(argc, argv);

    size_t cap = 64 << 10, have = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) lost("out of memory", 0);
    for (;;) {
        struct pollfd fds[2 + MAX_PENDING];
        fds[0] = (struct pollfd){.fd = sock, .events = POLLIN};
        fds[1] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
        for (int i = 0; i < pending_count; i++) fds[2 + i] = (struct pollfd){.fd = pending[i].fd, .events = POLLIN};
        if (poll(fds, (nfds_t)(2 + pending_count), -1) < 0) {
            if (errno == EINTR) continue;
            lost("poll", errno);
        }
        if (fds[1].revents & POLLIN) {
            uint8_t signo;
            while (read(signal_pipe[0], &signo, 1) == 1) {
                if (signo == SIGWINCH) {
                    uint8_t size[4];
                    window_size(size);
                    send_frame(TO_WINCH, size, 4, NULL, 0);
                }
                else send_frame(TO_SIGNAL, &signo, 1, NULL, 0);
            }
        }
        /* highest first: completing one moves the last into its place */
        for (int i = pending_count - 1; i >= 0; i--)
            if (fds[2 + i].revents) complete_read(i);
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        /* room is always left: a frame that does not fit grows the buffer below, a handled one is moved out */
        ssize_t n = read(sock, buf + have, cap - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) lost("lost the connection to the engine", errno);
        if (n == 0) lost("the engine ended the command without its exit status (was it stopped?)", 0);
        have += (size_t)n;
        size_t at = 0;
        while (have - at >= 5) {
            uint32_t len = get32(buf + at);
            if (len == 0 || len > MAX_FRAME) lost("the engine sent a malformed frame", 0);
            if (have - at - 4 < len) {
                if (len + 4 > cap) {
                    cap = len + 4;
                    memmove(buf, buf + at, have - at);
                    have -= at;
                    at = 0;
                    if ((buf = realloc(buf, cap)) == NULL) lost("out of memory", 0);
                }
                break;
            }
            handle(buf[at + 4], buf + at + 5, len - 1);
            at += 4 + len;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
    }
}
