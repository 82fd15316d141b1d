#ifndef ENVIRO_CONTAINER_H
#define ENVIRO_CONTAINER_H

#include "plan.h"

/* The fds the cloned child needs: the engine socket (for MAPPED), the write end of the exec pipe
 * (CLOEXEC: EOF there means execve succeeded) and the container's stdio. */
struct container_fds {
    int engine, exec_pipe, stdin_fd, stdout_fd, stderr_fd;
    int pty_sock; /* -t: where the pty master goes (terminal_container_pty); -1 otherwise */
};

/* The container's side, in one straight line: wait for the id maps, become root in the user
 * namespace, mount, pivot, set identity, exec. Never returns; a failed step is written to the exec
 * pipe and the child exits 125 (126/127 for a command that cannot run / does not exist). */
_Noreturn void container_run(const struct plan *plan, const struct container_fds *fds);

#endif
