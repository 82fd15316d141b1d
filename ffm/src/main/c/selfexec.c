#define _GNU_SOURCE
#include "selfexec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* On Linux >= 6.3 a memfd meant to be executed says so (MFD_EXEC); older kernels reject the flag. */
static int exec_memfd(void) {
    int fd = memfd_create("enviro-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) fd = memfd_create("enviro-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd;
}

int selfexec_sealed(char **argv) {
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0) return -1;
    /* a regular file has no seals (EINVAL); our own copy has exactly these */
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & SEALS) == SEALS) {
        close(self);
        return 0;
    }
    struct stat st;
    int err, copy = exec_memfd();
    if (copy < 0 || fstat(self, &st) < 0) goto fail;
    for (off_t done = 0; done < st.st_size;) {
        ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
        if (n <= 0) {
            if (n == 0) errno = EIO;
            goto fail;
        }
        done += n;
    }
    if (fcntl(copy, F_ADD_SEALS, SEALS) < 0) goto fail;
    close(self);
    /* the copy is CLOEXEC: once executing, the kernel holds it, and no fd of it is left to anyone */
    syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
    err = errno;
    close(copy);
    errno = err;
    return -1;
fail:
    err = errno;
    close(self);
    if (copy >= 0) close(copy);
    errno = err;
    return -1;
}
