#ifndef ENVIRO_VOLUMES_H
#define ENVIRO_VOLUMES_H

#include "fail.h"
#include "plan.h"

/* Opens (O_PATH) the path `path` inside the root `root_fd`, resolved as if root_fd were "/": symlinks
 * in the image or in earlier volumes ("/data -> /", "../../..") cannot lead outside it, and magic
 * links (/proc/self/fd/N) are refused. Missing components are created one at a time under a directory
 * already resolved inside the root (directories, and the last one as an empty file with PATH_MAKE_FILE);
 * with PATH_EXISTING nothing is created. Returns the fd, or -1 with errno set. */
enum path_make { PATH_EXISTING = 0, PATH_MAKE_DIRS = 1, PATH_MAKE_FILE = 2 };
int path_in_root(int root_fd, const char *path, enum path_make make);

/* A bind of the host path `source` (recursive with MS_REC) onto target_fd, with MS_RDONLY, MS_NOSUID,
 * MS_NODEV, MS_NOEXEC of ms_flags set on the detached copy before it is attached (a bind made with
 * mount(2) needs a second, path-based step for them). Returns 0, or -1 with errno set. */
int bind_at(const char *source, uint64_t ms_flags, int target_fd);

/* Mounts the plan's volumes (binds and tmpfs) onto targets resolved with path_in_root, through the new
 * mount API (the mount is attached to the resolved fd: no path is looked up twice), then makes the root
 * mount itself read-only when the plan says so. Runs before pivot_root, in the container's mount
 * namespace. Returns 0, or -1 with *e filled. */
int volumes_apply(const struct plan *plan, struct step_error *e);

#endif
