#ifndef ENVIRO_MOUNTS_H
#define ENVIRO_MOUNTS_H

#include "fail.h"
#include "plan.h"

/* Makes the inherited mounts private, performs the plan's mounts and symlinks (host paths under the
 * new root), pivots into the root and detaches the old one. Returns 0, or -1 with *e filled. */
int mounts_apply(const struct plan *plan, struct step_error *e);

#endif
