/* The container's security steps: rlimits, capabilities, no_new_privs, seccomp. Each is decided in
 * Java (dev.enviro.runtime.security) and only applied here. container.c calls them in this order:
 *
 *   security_rlimits          while still root: nothing below may need a limit the plan lowers
 *   security_seccomp (early)  only when no_new_privs is off: installing a filter then needs
 *                             CAP_SYS_ADMIN, which the next steps drop (crun does the same)
 *   security_bounding         drops the bounding set and asks to keep the permitted set across setuid
 *   (setgroups, setresgid, setresuid)
 *   security_capset           effective, permitted, inheritable; then ambient, cleared and raised
 *   security_no_new_privs
 *   (stdio, fds, chdir)
 *   security_seccomp          the last step before execve: from here on only execve, write (to report
 *                             a failed exec) and exit_group are called, all three allowed by any
 *                             filter that lets the container run at all */
#ifndef ENVIRO_SECURITY_H
#define ENVIRO_SECURITY_H

#include "fail.h"
#include "plan.h"

int security_rlimits(const struct plan *plan, struct step_error *e);
int security_bounding(const struct plan *plan, struct step_error *e);
int security_capset(const struct plan *plan, struct step_error *e);
int security_no_new_privs(const struct plan *plan, struct step_error *e);
int security_seccomp(const struct plan *plan, struct step_error *e);

#endif
