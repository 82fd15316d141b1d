#ifndef ENVIRO_EXEC_H
#define ENVIRO_EXEC_H

#include "container.h"
#include "plan.h"

#include <sys/types.h>

/* exec: starts the container side (container_run) in the namespaces of the running process
 * plan->join_pid (checked against plan->join_start_time), as the monitor's child, like a created
 * container but joining instead of cloning namespaces: one path for create and exec. Returns the new
 * process's pid as the host sees it, or -1 with errno set and *step naming what failed. */
pid_t exec_join(const struct plan *plan, const struct container_fds *fds, const char **step);

#endif
