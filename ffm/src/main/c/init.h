#ifndef ENVIRO_INIT_H
#define ENVIRO_INIT_H

/* --init: forks just before execve. The child returns (and goes on to exec the command); the parent
 * stays as the container's pid 1, running from the helper's sealed memfd: it forwards every signal
 * it can catch to the command, reaps every zombie re-parented to it, and exits with the command's
 * status (128 + signal when it was killed, as a shell reports it). exec_pipe is closed in the parent
 * so that the monitor sees the command's execve, not init's. */
void init_fork(int exec_pipe);

#endif
