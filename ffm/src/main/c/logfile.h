#ifndef ENVIRO_LOGFILE_H
#define ENVIRO_LOGFILE_H

#include <stdint.h>
#include <sys/uio.h>

/* The container's log as the monitor writes it: one file, renamed away when the next record would
 * make it pass max_bytes (ctr.log -> ctr.log.1 -> ctr.log.2 …), keeping max_files files in all, so a
 * flood of output is bounded on disk. A record never straddles two files. */
struct logfile {
    int fd;
    const char *path;
    uint64_t size, max_bytes; /* max_bytes 0: never rotate */
    uint32_t max_files;
};

int logfile_open(struct logfile *log, const char *path, uint64_t max_bytes, uint32_t max_files);
/* Appends one record (one writev on an O_APPEND file), rotating first when needed. Errors are dropped:
 * a full disk must not stop the container, whose output then goes unrecorded. */
void logfile_append(struct logfile *log, const struct iovec *iov, int n);
void logfile_close(struct logfile *log);

#endif
