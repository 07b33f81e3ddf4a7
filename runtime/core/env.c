/*
 * env.c - the MPR_* settings in the environment, read strictly (env.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/mpr_internal.h"

enum env_kind { ENV_NUMBER, ENV_BYTES, ENV_SECONDS, ENV_CHOICE, ENV_ADDRESS, ENV_INTERFACE };

struct env_var {
    const char *name;
    enum env_kind kind;
    long long min, max;          /* NUMBER, BYTES; SECONDS: (min, max] */
    const char *const *names;    /* CHOICE */
};

static const char *const flag_names[] = { "0", "1", NULL };
static const char *const transport_names[] = { "auto", "tcp", NULL };

/* The core's and the transports' variables, and what they may be. */
static const struct env_var vars[] = {
    { "MPR_UNEXPECTED_BYTES", ENV_BYTES, 4096, 1LL << 40, NULL },
    { "MPR_SPIN", ENV_NUMBER, 0, 1000000000, NULL },
    { "MPR_YIELDS", ENV_NUMBER, 0, 1000000, NULL },
    { "MPR_OVERSUBSCRIBED", ENV_CHOICE, 0, 0, flag_names },
    { "MPR_OUTPUT_FORWARDED", ENV_CHOICE, 0, 0, flag_names },
    { "MPR_TRANSPORT", ENV_CHOICE, 0, 0, transport_names },
    /* 40 bytes (a descriptor's inline room) up to half the largest ring's
     * data area; shm.c refuses more than half of this job's ring. */
    { "MPR_SHM_EAGER_LIMIT", ENV_BYTES, 40, 131072, NULL },
    { "MPR_SHM_CMA", ENV_CHOICE, 0, 0, flag_names },
    { "MPR_FUTEX_WAITV", ENV_CHOICE, 0, 0, flag_names },
    { "MPR_SHM_MEMBARRIER", ENV_CHOICE, 0, 0, flag_names },
    { "MPR_TCP_EAGER_LIMIT", ENV_BYTES, 0, 1 << 20, NULL },
    { "MPR_TCP_WIREUP_TIMEOUT", ENV_SECONDS, 0, 3600, NULL },
    { "MPR_TCP_ADDR", ENV_ADDRESS, 0, 0, NULL },
    { "MPR_TCP_IF", ENV_INTERFACE, 0, 0, NULL },
};

static const char *value_of(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Every rank says it: saying it on rank 0 only lost the line when another
 * rank refused first and the launcher ended the job before rank 0 spoke. */
int mpr__env_refuse(const char *name, const char *value, const char *allowed)
{
    mpr__log("%s=%s is not allowed: %s", name, value, allowed);
    return MPR_ERR_ARG;
}

static bool parse_ll(const char *text, bool bytes, long long *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!(digits[0] >= '0' && digits[0] <= '9'))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0)
        return false;
    int shift = 0;
    if (bytes && *end) {
        switch (*end) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        default: return false;
        }
        end++;
    }
    if (*end != '\0' || (shift && (v < 0 || v > (LLONG_MAX >> shift))))
        return false;
    *out = v * (1LL << shift); /* v may be negative: a shift of it is undefined */
    return true;
}

int mpr__env_ll(const char *name, long long min, long long max, long long fallback, bool bytes,
                long long *out)
{
    const char *v = value_of(name);
    *out = fallback;
    if (!v)
        return MPR_SUCCESS;
    long long x;
    if (!parse_ll(v, bytes, &x) || x < min || x > max) {
        char allowed[160];
        snprintf(allowed, sizeof(allowed), "a whole number%s from %lld to %lld", 
                 bytes ? " of bytes (suffix K, M or G allowed)" : "", min, max);
        return mpr__env_refuse(name, v, allowed);
    }
    *out = x;
    return MPR_SUCCESS;
}

int mpr__env_name(const char *name, const char *const *names, int fallback, int *out)
{
    const char *v = value_of(name);
    *out = fallback;
    if (!v)
        return MPR_SUCCESS;
    char allowed[256] = "one of ";
    for (int i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return MPR_SUCCESS;
        }
        size_t used = strlen(allowed);
        snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", names[i]);
    }
    return mpr__env_refuse(name, v, allowed);
}

static const struct env_var *find(const char *name)
{
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if (strcmp(vars[i].name, name) == 0)
            return &vars[i];
    mpr__log("internal: %s is not in the table of env.c", name);
    return NULL;
}

int mpr__env_number(const char *name, long long fallback, long long *out)
{
    const struct env_var *e = find(name);
    *out = fallback;
    if (!e || (e->kind != ENV_NUMBER && e->kind != ENV_BYTES))
        return MPR_ERR_INTERNAL;
    return mpr__env_ll(name, e->min, e->max, fallback, e->kind == ENV_BYTES, out);
}

int mpr__env_seconds(const char *name, double fallback, double *out)
{
    const struct env_var *e = find(name);
    *out = fallback;
    if (!e || e->kind != ENV_SECONDS)
        return MPR_ERR_INTERNAL;
    const char *v = value_of(name);
    if (!v)
        return MPR_SUCCESS;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || errno != 0 || !isfinite(x) ||
        !(x > (double)e->min && x <= (double)e->max)) {
        char allowed[96];
        snprintf(allowed, sizeof(allowed), "a number of seconds above %lld and up to %lld",
                 e->min, e->max);
        return mpr__env_refuse(name, v, allowed);
    }
    *out = x;
    return MPR_SUCCESS;
}

int mpr__env_choice(const char *name, int fallback, int *out)
{
    const struct env_var *e = find(name);
    *out = fallback;
    if (!e || e->kind != ENV_CHOICE)
        return MPR_ERR_INTERNAL;
    return mpr__env_name(name, e->names, fallback, out);
}

int mpr__env_flag(const char *name, bool fallback, bool *out)
{
    int i;
    int rc = mpr__env_choice(name, fallback ? 1 : 0, &i);
    *out = i == 1;
    return rc;
}

const char *mpr__env_text(const char *name)
{
    const struct env_var *e = find(name);
    return e && (e->kind == ENV_ADDRESS || e->kind == ENV_INTERFACE) ? value_of(name) : NULL;
}

static int check_text(const struct env_var *e)
{
    const char *v = value_of(e->name);
    if (!v)
        return MPR_SUCCESS;
    if (e->kind == ENV_ADDRESS) {
        unsigned char a[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
            return mpr__env_refuse(e->name, v, "an IPv4 or IPv6 address of this host");
    } else if (if_nametoindex(v) == 0) {
        return mpr__env_refuse(e->name, v, "the name of a network interface of this host");
    }
    return MPR_SUCCESS;
}

int mpr__env_check_all(void)
{
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const struct env_var *e = &vars[i];
        long long n;
        double d;
        int c, rc;
        switch (e->kind) {
        case ENV_NUMBER:
        case ENV_BYTES:
            rc = mpr__env_number(e->name, 0, &n);
            break;
        case ENV_SECONDS:
            rc = mpr__env_seconds(e->name, 0, &d);
            break;
        case ENV_CHOICE:
            rc = mpr__env_choice(e->name, 0, &c);
            break;
        default:
            rc = check_text(e);
            break;
        }
        if (rc != MPR_SUCCESS)
            return rc;
    }
    return MPR_SUCCESS;
}
