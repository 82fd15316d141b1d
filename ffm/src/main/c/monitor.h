#ifndef ENVIRO_MONITOR_H
#define ENVIRO_MONITOR_H

#include "plan.h"

/* The container's parent for its whole life: clones it, reports CHILD and STARTED/FAILED on fd 3,
 * then closes fd 3, keeps its stdout/stderr in the CRI log, reaps (as subreaper) and records the
 * exit status. Returns the monitor's own exit code. */
int monitor_run(const struct plan *plan);

#endif
