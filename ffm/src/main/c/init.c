#define _GNU_SOURCE
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void init_fork(int exec_pipe) {
    sigset_t all, old;
    sigfillset(&all);
    /* blocked before the fork, so that no signal meant for the command is lost in between */
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t child = fork();
    if (child < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return; /* no init then: the command runs as pid 1, as without --init */
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
    close(exec_pipe);
    /* init holds none of the container's stdio: the monitor sees EOF when the command's side closes */
    for (int fd = 0; fd <= 2; fd++) close(fd);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig < 0) {
            if (errno == EINTR) continue;
            _exit(125);
        }
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != child) continue;
            _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
        }
    }
}
