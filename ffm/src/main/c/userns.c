/* enviro-helper --user-namespace PROGRAM [ARG...]: how a rootless engine gets more than one id.
 *
 * An unprivileged user may map only its own id into a user namespace; the ranges /etc/subuid and
 * /etc/subgid grant it are mapped by the setuid programs newuidmap and newgidmap (Debian's uidmap).
 * As podman's rootless engine does, the engine itself then runs as root of one user namespace: the
 * user's own id is its 0 and the subordinate range its 1..N. Every container's namespace is nested
 * in it with the same ids, and what the engine does to their files (unpack layers with their owners,
 * remove directories a container's users made) it does as that namespace's root, in Java, as a root
 * engine would.
 *
 * A user without ranges, or without newuidmap, runs PROGRAM as it is (containers get one id: root),
 * with ENVIRO_ID_MAP_NOTE saying why, which the engine's `info` shows. Ranges that are granted but
 * cannot be mapped are an error: the engine would otherwise come up different from what the user set. */
#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOTE_ENV "ENVIRO_ID_MAP_NOTE"

struct range {
    unsigned long start, count;
};

/* The user's name from /etc/passwd (getpwuid needs NSS, which a static program cannot load);
 * /etc/subuid is a local file, and so is the name it is keyed by. */
static int user_name(uid_t uid, char *name, size_t size) {
    FILE *f = fopen("/etc/passwd", "re");
    if (f == NULL) return -1;
    char line[1024];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f) != NULL) {
        char *user = strtok(line, ":"), *password = strtok(NULL, ":"), *id = strtok(NULL, ":");
        if (user == NULL || password == NULL || id == NULL) continue;
        char *end;
        errno = 0;
        unsigned long value = strtoul(id, &end, 10);
        if (errno == 0 && *end == '\0' && value == uid && strlen(user) < size) {
            strcpy(name, user);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* The first range of FILE granted to NAME or to the numeric UID (subuid(5)): 0 found, -1 none. */
static int granted_range(const char *file, const char *name, uid_t uid, struct range *out) {
    FILE *f = fopen(file, "re");
    if (f == NULL) return -1;
    char line[512], number[16];
    snprintf(number, sizeof number, "%u", (unsigned)uid);
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *owner = strtok(line, ":"), *start = strtok(NULL, ":"), *count = strtok(NULL, ":");
        if (owner == NULL || start == NULL || count == NULL || strtok(NULL, ":") != NULL) continue;
        if (strcmp(owner, name) != 0 && strcmp(owner, number) != 0) continue;
        char *end1, *end2;
        errno = 0;
        out->start = strtoul(start, &end1, 10);
        out->count = strtoul(count, &end2, 10);
        if (errno == 0 && *end1 == '\0' && *end2 == '\0' && out->count > 0 && out->start > 0
                && out->start <= UINT_MAX - out->count) found = 0;
    }
    fclose(f);
    return found;
}

/* True when PROGRAM is an executable file in a directory of PATH (or the standard one). */
static int on_path(const char *program) {
    const char *path = getenv("PATH");
    char dirs[4096], candidate[PATH_MAX];
    snprintf(dirs, sizeof dirs, "%s", path != NULL && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin");
    for (char *save, *dir = strtok_r(dirs, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
        if (snprintf(candidate, sizeof candidate, "%s/%s", dir, program) < (int)sizeof candidate && access(candidate, X_OK) == 0) return 1;
    }
    return 0;
}

/* Runs PROGRAM (newuidmap or newgidmap) for PID: own id to 0, the range to 1..count. 0 when it succeeded. */
static int map(const char *program, pid_t pid, unsigned own, const struct range *r) {
    char target[16], id[16], start[16], count[16];
    snprintf(target, sizeof target, "%d", (int)pid);
    snprintf(id, sizeof id, "%u", own);
    snprintf(start, sizeof start, "%lu", r->start);
    snprintf(count, sizeof count, "%lu", r->count);
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        execlp(program, program, target, "0", id, "1", "1", start, count, (char *)NULL);
        fprintf(stderr, "enviro: cannot run %s: %s\n", program, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int run_as_is(char **argv, const char *note) {
    if (note != NULL) setenv(NOTE_ENV, note, 1);
    execvp(argv[0], argv);
    fprintf(stderr, "enviro: cannot run %s: %s\n", argv[0], strerror(errno));
    return 127;
}

int userns_run(char **argv) {
    unsetenv(NOTE_ENV); /* only this program says why */
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (uid == 0) return run_as_is(argv, NULL); /* root maps its containers itself */

    char name[256], note[512];
    struct range uids, gids;
    if (user_name(uid, name, sizeof name) < 0) snprintf(name, sizeof name, "%u", (unsigned)uid);
    if (granted_range("/etc/subuid", name, uid, &uids) < 0 || granted_range("/etc/subgid", name, uid, &gids) < 0) {
        snprintf(note, sizeof note, "one id (root) only: user %s has no range in /etc/subuid and /etc/subgid;"
                " grant one (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s) and restart the engine", name, name);
        return run_as_is(argv, note);
    }
    if (!on_path("newuidmap") || !on_path("newgidmap")) {
        snprintf(note, sizeof note, "one id (root) only: newuidmap and newgidmap are not installed"
                " (apt-get install uidmap); restart the engine after");
        return run_as_is(argv, note);
    }

    /* The child maps this process once it has its namespace; this process stays the one that execs the
     * engine, so whoever started it (a service manager, a test) keeps the engine's pid. */
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0) return perror("enviro: pipe"), 1;
    pid_t self = getpid();
    pid_t child = fork();
    if (child < 0) return perror("enviro: fork"), 1;
    if (child == 0) {
        close(go[1]);
        char byte;
        ssize_t n;
        do n = read(go[0], &byte, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1) _exit(1); /* no namespace to map */
        _exit(map("newuidmap", self, (unsigned)uid, &uids) == 0 && map("newgidmap", self, (unsigned)gid, &gids) == 0 ? 0 : 1);
    }
    close(go[0]);
    int refused = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
    if (!refused && write(go[1], "u", 1) != 1) refused = errno;
    close(go[1]);
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return perror("enviro: waitpid"), 1;
    }
    if (refused) {
        /* still in the host's namespace: user namespaces are off (a sysctl, a seccomp profile) */
        snprintf(note, sizeof note, "one id (root) only: cannot create a user namespace: %s", strerror(refused));
        return run_as_is(argv, note);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "enviro: newuidmap/newgidmap could not map user %s's ranges (%lu+%lu, %lu+%lu) from /etc/subuid"
                " and /etc/subgid (see above): correct them, or remove them to run with one id\n",
                name, uids.start, uids.count, gids.start, gids.count);
        return 1;
    }
    return run_as_is(argv, NULL);
}
