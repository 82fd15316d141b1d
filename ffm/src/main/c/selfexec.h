#ifndef ENVIRO_SELFEXEC_H
#define ENVIRO_SELFEXEC_H

/* Makes sure this process runs from a sealed memfd copy of its own executable (re-executing itself
 * into one if not), so that neither the monitor nor the container's set-up half runs from a file
 * anyone can write: the runc /proc/self/exe class (CVE-2019-5736). Returns 0 when already sealed;
 * on success of the re-exec it does not return; -1 with errno on failure. */
int selfexec_sealed(char **argv);

#endif
