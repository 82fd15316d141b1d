/* One error shape for the container's set-up: the step that failed and its errno. The container side
 * fills it and hands it to the monitor through the exec pipe; the monitor forwards it as FAILED. */
#ifndef ENVIRO_FAIL_H
#define ENVIRO_FAIL_H

#include "protocol.h"

#include <errno.h>
#include <stdio.h>

struct step_error {
    int err;
    char step[STEP_NAME_MAX];
};

/* Records errno and the step (printf-style, truncated to fit) and returns -1. */
#define FAIL(e, ...) (snprintf((e)->step, sizeof (e)->step, __VA_ARGS__), (e)->err = errno, -1)

#endif
