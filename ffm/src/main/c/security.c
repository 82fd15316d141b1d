#define _GNU_SOURCE
#include "security.h"

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const rlimit_names[] = {
    "cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock", "as", "locks", "sigpending",
    "msgqueue", "nice", "rtprio", "rttime",
};

int security_rlimits(const struct plan *plan, struct step_error *e) {
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct plan_rlimit *l = &plan->rlimits[i];
        struct rlimit64 value = {l->soft, l->hard};
        if (prlimit64(0, (enum __rlimit_resource)l->resource, &value, NULL) < 0) {
            const char *name = l->resource < sizeof rlimit_names / sizeof *rlimit_names ? rlimit_names[l->resource] : "?";
            return fail_step(e, "setrlimit %s", name);
        }
    }
    return 0;
}

int security_bounding(const struct plan *plan, struct step_error *e) {
    if (!plan->has_caps) return 0;
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (plan->caps.bounding & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* past the kernel's last capability: nothing left to drop */
            return fail_step(e, "drop bounding cap %lu", cap);
        }
    }
    /* setresuid to a non-root uid would clear the permitted set; capset then sets it exactly */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail_step(e, "PR_SET_KEEPCAPS");
    return 0;
}

int security_capset(const struct plan *plan, struct step_error *e) {
    if (!plan->has_caps) return 0;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)plan->caps.effective, (uint32_t)plan->caps.permitted, (uint32_t)plan->caps.inheritable},
        {(uint32_t)(plan->caps.effective >> 32), (uint32_t)(plan->caps.permitted >> 32),
         (uint32_t)(plan->caps.inheritable >> 32)},
    };
    if (syscall(SYS_capset, &header, data) < 0) return fail_step(e, "capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return fail_step(e, "clear ambient caps");
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (!(plan->caps.ambient & (1ULL << cap))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return fail_step(e, "raise ambient cap %lu", cap);
    }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail_step(e, "PR_SET_KEEPCAPS");
    return 0;
}

int security_no_new_privs(const struct plan *plan, struct step_error *e) {
    if (plan->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail_step(e, "PR_SET_NO_NEW_PRIVS");
    return 0;
}

int security_seccomp(const struct plan *plan, struct step_error *e) {
    if (plan->seccomp_len == 0) return 0;
    struct sock_fprog prog = {(unsigned short)plan->seccomp_len, (struct sock_filter *)plan->seccomp};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return fail_step(e, "seccomp");
    return 0;
}
