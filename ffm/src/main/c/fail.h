/* One error shape for the container's set-up: the step that failed and its errno. The container side
 * fills it and hands it to the monitor through the exec pipe; the monitor forwards it as FAILED. */
#ifndef ENVIRO_FAIL_H
#define ENVIRO_FAIL_H

#include "protocol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

struct step_error {
    int err;
    char step[STEP_NAME_MAX];
};

/* Records errno (before anything can change it) and the step, printf-style and truncated; returns -1. */
__attribute__((format(printf, 2, 3))) static inline int fail_step(struct step_error *e, const char *fmt, ...) {
    e->err = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->step, sizeof e->step, fmt, ap);
    va_end(ap);
    return -1;
}

#endif
