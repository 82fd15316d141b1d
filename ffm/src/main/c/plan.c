#include "plan.h"

#include <stdlib.h>
#include <string.h>

struct reader {
    const uint8_t *p, *end;
};

static int take(struct reader *r, void *out, size_t n) {
    if ((size_t)(r->end - r->p) < n) return -1;
    memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

/* The engine and helper run on the same machine; x86_64 and aarch64 are little-endian, as the format. */
static int u32(struct reader *r, uint32_t *v) { return take(r, v, sizeof *v); }
static int u64(struct reader *r, uint64_t *v) { return take(r, v, sizeof *v); }

static int str(struct reader *r, char **out) {
    uint32_t n;
    if (u32(r, &n) < 0 || (size_t)(r->end - r->p) < n) return -1;
    if (memchr(r->p, 0, n) != NULL) return -1;
    char *s = malloc((size_t)n + 1);
    if (s == NULL) return -1;
    memcpy(s, r->p, n);
    s[n] = 0;
    r->p += n;
    *out = s;
    return 0;
}

static int push(void **array, size_t *count, size_t size, const void *item) {
    if (*count >= 65536) return -1;
    /* one spare slot keeps argv and envp NULL-terminated */
    void *grown = realloc(*array, (*count + 2) * size);
    if (grown == NULL) return -1;
    memcpy((char *)grown + *count * size, item, size);
    memset((char *)grown + (*count + 1) * size, 0, size);
    *array = grown;
    (*count)++;
    return 0;
}

int plan_parse(const uint8_t *buf, size_t len, struct plan *plan, const char **error) {
    struct reader r = {buf, buf + len};
    uint32_t magic;
    uint16_t version, reserved;
    memset(plan, 0, sizeof *plan);
    if (u32(&r, &magic) < 0 || magic != PLAN_MAGIC) return *error = "bad magic", -1;
    if (take(&r, &version, 2) < 0 || take(&r, &reserved, 2) < 0) return *error = "short header", -1;
    if (version != PLAN_VERSION) return *error = "unsupported version", -1;
    while (r.p < r.end) {
        uint32_t tag, n;
        if (u32(&r, &tag) < 0 || u32(&r, &n) < 0 || (size_t)(r.end - r.p) < n) return *error = "truncated record", -1;
        struct reader v = {r.p, r.p + n};
        r.p += n;
        int bad = 0;
        switch (tag) {
        case TAG_CLONE_FLAGS: bad = u64(&v, &plan->clone_flags); break;
        case TAG_UNSHARE_FLAGS: bad = u64(&v, &plan->unshare_flags); break;
        case TAG_MOUNT: {
            struct plan_mount m;
            bad = u64(&v, &m.flags) || u32(&v, &m.step) || str(&v, &m.type) || str(&v, &m.source) ||
                  str(&v, &m.target) || str(&v, &m.data) ||
                  push((void **)&plan->mounts, &plan->n_mounts, sizeof m, &m);
            break;
        }
        case TAG_SYMLINK: {
            struct plan_symlink s;
            bad = str(&v, &s.target) || str(&v, &s.path) ||
                  push((void **)&plan->symlinks, &plan->n_symlinks, sizeof s, &s);
            break;
        }
        case TAG_ROOTFS: bad = str(&v, &plan->rootfs); break;
        case TAG_HOSTNAME: bad = str(&v, &plan->hostname); break;
        case TAG_CWD: bad = str(&v, &plan->cwd); break;
        case TAG_LOG_PATH: bad = str(&v, &plan->log_path); break;
        case TAG_STATUS_PATH: bad = str(&v, &plan->status_path); break;
        case TAG_ARG: {
            char *s;
            bad = str(&v, &s) || push((void **)&plan->argv, &plan->argc, sizeof s, &s);
            break;
        }
        case TAG_ENV: {
            char *s;
            bad = str(&v, &s) || push((void **)&plan->envp, &plan->envc, sizeof s, &s);
            break;
        }
        case TAG_UID: bad = u32(&v, &plan->uid); break;
        case TAG_GID: bad = u32(&v, &plan->gid); break;
        case TAG_GROUP: {
            uint32_t g;
            bad = u32(&v, &g) || push((void **)&plan->groups, &plan->n_groups, sizeof g, &g);
            break;
        }
        case TAG_SET_GROUPS: {
            uint8_t b = 0;
            bad = take(&v, &b, 1);
            plan->set_groups = b != 0;
            break;
        }
        case TAG_CAPS:
            plan->has_caps = 1;
            bad = u64(&v, &plan->caps.bounding) || u64(&v, &plan->caps.effective) || u64(&v, &plan->caps.permitted) ||
                  u64(&v, &plan->caps.inheritable) || u64(&v, &plan->caps.ambient);
            break;
        case TAG_NO_NEW_PRIVS: {
            uint8_t b = 0;
            bad = take(&v, &b, 1);
            plan->no_new_privs = b != 0;
            break;
        }
        case TAG_SECCOMP:
            /* BPF_MAXINSNS is 4096; an empty or ragged program is a writer's bug */
            if (n == 0 || n % 8 != 0 || n / 8 > 4096 || (plan->seccomp = malloc(n)) == NULL) {
                bad = 1;
                break;
            }
            bad = take(&v, plan->seccomp, n);
            plan->seccomp_len = n / 8;
            break;
        case TAG_RLIMIT: {
            struct plan_rlimit l;
            bad = u32(&v, &l.resource) || u64(&v, &l.soft) || u64(&v, &l.hard) ||
                  push((void **)&plan->rlimits, &plan->n_rlimits, sizeof l, &l);
            break;
        }
        case TAG_MASK: {
            char *s;
            bad = str(&v, &s) || push((void **)&plan->masked, &plan->n_masked, sizeof s, &s);
            break;
        }
        case TAG_READONLY: {
            char *s;
            bad = str(&v, &s) || push((void **)&plan->readonly, &plan->n_readonly, sizeof s, &s);
            break;
        }
        case TAG_VOLUME: {
            struct plan_volume m;
            bad = u64(&v, &m.flags) || u32(&v, &m.kind) || str(&v, &m.source) || str(&v, &m.target) ||
                  str(&v, &m.data) || m.kind > VOLUME_TMPFS || m.target[0] != '/' ||
                  push((void **)&plan->volumes, &plan->n_volumes, sizeof m, &m);
            break;
        }
        case TAG_READONLY_ROOTFS: {
            uint8_t b = 0;
            bad = take(&v, &b, 1);
            plan->readonly_rootfs = b != 0;
            break;
        }
        case TAG_JOIN: {
            uint32_t pid = 0;
            bad = u32(&v, &pid) || u64(&v, &plan->join_start_time) || pid == 0 || pid > INT32_MAX;
            plan->join_pid = (int32_t)pid;
            break;
        }
        case TAG_INIT: {
            uint8_t b = 0;
            bad = take(&v, &b, 1);
            plan->init = b != 0;
            break;
        }
        case TAG_LOG_ROTATE:
            bad = u64(&v, &plan->log_max_bytes) || u32(&v, &plan->log_max_files) || plan->log_max_files == 0;
            break;
        case TAG_TERMINAL: {
            uint8_t tty = 0, open_stdin = 0;
            bad = take(&v, &tty, 1) || take(&v, &open_stdin, 1) || str(&v, &plan->attach_path);
            plan->tty = tty != 0;
            plan->open_stdin = open_stdin != 0;
            if (!bad && plan->attach_path[0] == 0) plan->attach_path = NULL;
            break;
        }
        case TAG_INTERFACE:
            bad = str(&v, &plan->if_name) || take(&v, plan->if_address, 4) || take(&v, &plan->if_prefix, 1) ||
                  take(&v, plan->if_gateway, 4) || plan->if_name[0] == 0 || strlen(plan->if_name) > 15 ||
                  plan->if_prefix < 1 || plan->if_prefix > 30;
            break;
        case TAG_CGROUP_SELF: {
            char *s;
            bad = str(&v, &s) || s[0] != '/' || push((void **)&plan->cgroup_self, &plan->n_cgroup_self, sizeof s, &s);
            break;
        }
        default: return *error = "unknown tag", -1;
        }
        if (bad || v.p != v.end) return *error = "malformed record", -1;
    }
    if (plan->argc == 0) return *error = "no argv", -1;
    if (plan->rootfs == NULL || plan->log_path == NULL || plan->status_path == NULL) return *error = "missing rootfs, log or status path", -1;
    if (plan->envp == NULL) {
        static char *no_env[] = {NULL};
        plan->envp = no_env;
    }
    return 0;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

void plan_dump(const struct plan *plan, FILE *out) {
    fprintf(out, "clone_flags=0x%llx\n", (unsigned long long)plan->clone_flags);
    fprintf(out, "unshare_flags=0x%llx\n", (unsigned long long)plan->unshare_flags);
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        fprintf(out, "mount type=%s source=%s target=%s flags=0x%llx step=0x%x data=%s\n", m->type, m->source,
                m->target, (unsigned long long)m->flags, m->step, m->data);
    }
    for (size_t i = 0; i < plan->n_symlinks; i++)
        fprintf(out, "symlink %s -> %s\n", plan->symlinks[i].path, plan->symlinks[i].target);
    fprintf(out, "rootfs=%s\n", or_empty(plan->rootfs));
    fprintf(out, "hostname=%s\n", or_empty(plan->hostname));
    for (size_t i = 0; i < plan->argc; i++) fprintf(out, "arg=%s\n", plan->argv[i]);
    for (size_t i = 0; i < plan->envc; i++) fprintf(out, "env=%s\n", plan->envp[i]);
    fprintf(out, "cwd=%s\n", or_empty(plan->cwd));
    fprintf(out, "uid=%u\ngid=%u\n", plan->uid, plan->gid);
    for (size_t i = 0; i < plan->n_groups; i++) fprintf(out, "group=%u\n", plan->groups[i]);
    fprintf(out, "set_groups=%d\n", plan->set_groups);
    fprintf(out, "log_path=%s\n", or_empty(plan->log_path));
    fprintf(out, "status_path=%s\n", or_empty(plan->status_path));
    if (plan->has_caps)
        fprintf(out, "caps bounding=0x%llx effective=0x%llx permitted=0x%llx inheritable=0x%llx ambient=0x%llx\n",
                (unsigned long long)plan->caps.bounding, (unsigned long long)plan->caps.effective,
                (unsigned long long)plan->caps.permitted, (unsigned long long)plan->caps.inheritable,
                (unsigned long long)plan->caps.ambient);
    fprintf(out, "no_new_privs=%d\n", plan->no_new_privs);
    fprintf(out, "seccomp_instructions=%zu\n", plan->seccomp_len);
    for (size_t i = 0; i < plan->n_rlimits; i++)
        fprintf(out, "rlimit %u soft=%llu hard=%llu\n", plan->rlimits[i].resource,
                (unsigned long long)plan->rlimits[i].soft, (unsigned long long)plan->rlimits[i].hard);
    for (size_t i = 0; i < plan->n_masked; i++) fprintf(out, "masked=%s\n", plan->masked[i]);
    for (size_t i = 0; i < plan->n_readonly; i++) fprintf(out, "readonly=%s\n", plan->readonly[i]);
    for (size_t i = 0; i < plan->n_volumes; i++) {
        const struct plan_volume *m = &plan->volumes[i];
        fprintf(out, "volume kind=%s source=%s target=%s flags=0x%llx data=%s\n", m->kind == VOLUME_TMPFS ? "tmpfs" : "bind",
                m->source, m->target, (unsigned long long)m->flags, m->data);
    }
    if (plan->readonly_rootfs) fprintf(out, "readonly_rootfs=1\n");
    if (plan->join_pid) fprintf(out, "join pid=%d start_time=%llu\n", plan->join_pid, (unsigned long long)plan->join_start_time);
    if (plan->init) fprintf(out, "init=1\n");
    if (plan->tty || plan->open_stdin || plan->attach_path)
        fprintf(out, "terminal tty=%d stdin=%d attach=%s\n", plan->tty, plan->open_stdin, plan->attach_path ? plan->attach_path : "");
    if (plan->if_name)
        fprintf(out, "interface %s %u.%u.%u.%u/%u via %u.%u.%u.%u\n", plan->if_name, plan->if_address[0], plan->if_address[1],
                plan->if_address[2], plan->if_address[3], plan->if_prefix, plan->if_gateway[0], plan->if_gateway[1],
                plan->if_gateway[2], plan->if_gateway[3]);
    for (size_t i = 0; i < plan->n_cgroup_self; i++) fprintf(out, "cgroup_self=%s\n", plan->cgroup_self[i]);
    if (plan->log_max_bytes)
        fprintf(out, "log_rotate max_bytes=%llu max_files=%u\n", (unsigned long long)plan->log_max_bytes, plan->log_max_files);
}
