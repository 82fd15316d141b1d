#ifndef ENVIRO_NET_H
#define ENVIRO_NET_H

/* Sets the loopback interface of the calling process's network namespace up (a new namespace has it
 * down: nothing, not even 127.0.0.1, would answer). Returns 0, or -1 with errno. */
int net_loopback_up(void);

#endif
