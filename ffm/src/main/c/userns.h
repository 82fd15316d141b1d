#ifndef ENVIRO_USERNS_H
#define ENVIRO_USERNS_H

/* enviro-helper --user-namespace PROGRAM [ARG...]: execs PROGRAM as root of a user namespace that maps
 * the caller's subordinate ranges, or as it is when it has none (userns.c). Returns only on failure. */
int userns_run(char **argv);

#endif
