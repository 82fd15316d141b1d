#ifndef ENVIRO_NET_H
#define ENVIRO_NET_H

#include <stdint.h>

/* Sets the loopback interface of the calling process's network namespace up (a new namespace has it
 * down: nothing, not even 127.0.0.1, would answer). Returns 0, or -1 with errno. */
int net_loopback_up(void);

/* Sets up interface NAME (made in this namespace by the engine): ADDRESS/PREFIX on it, up, and the
 * default route through GATEWAY. Addresses in network order. Returns 0, or -1 with errno and *step. */
int net_interface_up(const char *name, const uint8_t address[4], unsigned prefix, const uint8_t gateway[4], const char **step);

#endif
