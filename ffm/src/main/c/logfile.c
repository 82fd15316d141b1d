#define _GNU_SOURCE
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_log(const char *path) {
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int logfile_open(struct logfile *log, const char *path, uint64_t max_bytes, uint32_t max_files) {
    struct stat st;
    log->path = path;
    log->max_bytes = max_bytes;
    log->max_files = max_files ? max_files : 1;
    log->fd = open_log(path);
    if (log->fd < 0) return -1;
    log->size = fstat(log->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* Renames from the oldest down, so that at every instant each name holds a whole file: a reader that
 * lists ctr.log.N … ctr.log sees every record at most once (it may miss the ones renamed under it). */
static void rotate(struct logfile *log) {
    char from[PATH_MAX], to[PATH_MAX];
    if (log->max_files == 1) {
        /* nothing is kept: start the one file over */
        if (ftruncate(log->fd, 0) == 0) log->size = 0;
        return;
    }
    for (uint32_t i = log->max_files - 1; i >= 1; i--) {
        if (i == 1) snprintf(from, sizeof from, "%s", log->path);
        else snprintf(from, sizeof from, "%s.%u", log->path, i - 1);
        snprintf(to, sizeof to, "%s.%u", log->path, i);
        if (rename(from, to) < 0 && errno != ENOENT) return;
    }
    int fd = open_log(log->path);
    if (fd < 0) return;
    close(log->fd);
    log->fd = fd;
    log->size = 0;
}

void logfile_append(struct logfile *log, const struct iovec *iov, int n) {
    size_t len = 0;
    for (int i = 0; i < n; i++) len += iov[i].iov_len;
    if (log->max_bytes && log->size > 0 && log->size + len > log->max_bytes) rotate(log);
    ssize_t written = writev(log->fd, iov, n);
    if (written > 0) log->size += (uint64_t)written;
}

void logfile_close(struct logfile *log) {
    if (log->fd < 0) return;
    fsync(log->fd);
    close(log->fd);
    log->fd = -1;
}
