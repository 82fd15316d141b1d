/* A syscall probe for the escape tests: performs one syscall and prints "ok" or the errno name,
 * so a test can tell "denied by seccomp/capabilities" from "not visible" from "allowed". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long rc) {
    if (rc >= 0) { puts("ok"); return 0; }
    const char *name = errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : errno == ESRCH ? "ESRCH"
        : errno == EACCES ? "EACCES" : errno == EINVAL ? "EINVAL" : NULL;
    if (name) puts(name); else printf("errno %d\n", errno);
    return 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "keyctl") == 0) {
        /* KEYCTL_JOIN_SESSION_KEYRING (1) with a new anonymous keyring: the classic escape primitive */
        return report(syscall(SYS_keyctl, 1, NULL, 0, 0, 0));
    }
    if (argc >= 2 && strcmp(argv[1], "add_key") == 0) {
        return report(syscall(SYS_add_key, "user", "enviro-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */));
    }
    if (argc >= 3 && strcmp(argv[1], "ptrace") == 0) {
        return report(ptrace(PTRACE_ATTACH, (pid_t)atoi(argv[2]), NULL, NULL));
    }
    fprintf(stderr, "usage: probe keyctl | add_key | ptrace PID\n");
    return 2;
}
