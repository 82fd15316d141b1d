/* The container's terminal side, kept by the monitor: a pty (with -t) and the attach socket through
 * which the engine sends input and window sizes (with -i or -t). Output does not pass here: it goes
 * to the log, and clients follow the log.
 *
 * Attach socket frames (client -> monitor), little-endian:  u8 type, u32 length, length bytes
 *   ATTACH_STDIN   bytes for the command's stdin (the pty master, or the stdin pipe)
 *   ATTACH_RESIZE  u16 rows, u16 cols: TIOCSWINSZ on the master (the kernel sends SIGWINCH)
 *   ATTACH_CLOSE   end of input: the stdin pipe is closed (with a pty, ^D travels as a byte instead)
 * Mirrored by dev.enviro.runtime.terminal.AttachFrame; keep both in step. */
#ifndef ENVIRO_TERMINAL_H
#define ENVIRO_TERMINAL_H

#include "plan.h"

#include <poll.h>
#include <stddef.h>

#define ATTACH_STDIN 1
#define ATTACH_RESIZE 2
#define ATTACH_CLOSE 3
#define ATTACH_MAX_PAYLOAD 32768
#define ATTACH_MAX_CLIENTS 4
/* the pollfds terminal_poll_fds may fill: the listener, the clients, the input target */
#define TERMINAL_POLL_FDS (ATTACH_MAX_CLIENTS + 2)

struct attach_client {
    int fd;
    size_t len;
    unsigned char buf[5 + ATTACH_MAX_PAYLOAD];
};

struct terminal {
    int master;    /* pty master, -1 without -t */
    int pty_sock[2]; /* -t: [0] the monitor's end, [1] the container's (until the clone) */
    int stdin_w;   /* write end of the stdin pipe (-i without -t), -1 otherwise */
    int stdin_r;   /* the command's stdin (-i without -t) until the clone */
    int listen_fd; /* the attach socket, -1 when the plan has none */
    char *attach_path;
    struct attach_client clients[ATTACH_MAX_CLIENTS];
    size_t pending_len; /* input not yet taken by the pty or pipe (it is non-blocking) */
    unsigned char pending[2 * ATTACH_MAX_PAYLOAD];
};

/* Before the clone: the socketpair the container sends its pty master back on (-t), or the stdin pipe
 * (-i without -t), and the attach socket (0600). Returns 0, or -1 with *step. */
int terminal_open(struct terminal *t, const struct plan *plan, const char **step);
/* After the command exec'd (-t): receives the master the container opened (terminal_container_pty). */
int terminal_receive_master(struct terminal *t);
/* In the container, after pivot_root: opens a pty in the container's own devpts (so that ttyname, tty(1)
 * and ps see /dev/pts/N), makes its slave the controlling terminal of a new session and stdin, stdout
 * and stderr, and sends the master to the monitor on sock. Returns 0, or -1 with *step and errno. */
int terminal_container_pty(int sock, const char **step);
/* After the clone: drops what only the command needed. */
void terminal_after_clone(struct terminal *t);
/* Fills fds (at most TERMINAL_POLL_FDS) and returns how many; terminal_handle reads them back. */
int terminal_poll_fds(struct terminal *t, struct pollfd *fds);
void terminal_handle(struct terminal *t, const struct pollfd *fds, int n);
void terminal_close(struct terminal *t);

#endif
