/*
 * check.h - the checking helpers every self-checking test program uses.
 * Each program sets `me` to its rank once known; a failed check prints
 * "rank R: FAIL: <what> (line N)" and counts; main returns non-zero when
 * any check failed.
 */
#ifndef MPR_TEST_CHECK_H
#define MPR_TEST_CHECK_H

#include <mpr.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int me = -1;
static int failures;

static void failf(int line, const char *fmt, ...)
{
    va_list ap;

    printf("rank %d: FAIL: ", me);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (line %d)\n", line);
    fflush(stdout);
    failures++;
}

/* die - end the job after a failure that would make the rest hang. */
static void die(void)
{
    int flag = 0;

    if (mpr_initialized(&flag) == MPR_SUCCESS && flag)
        mpr_abort(MPR_COMM_WORLD, 1);
    _exit(1);
}

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond))                                                          \
            failf(__LINE__, __VA_ARGS__);                                     \
    } while (0)
/* EXPECT: a call must return `want`; the program goes on either way. */
#define EXPECT(call, want)                                                    \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != (want))                                                    \
            failf(__LINE__, "%s returned %d %s, wanted %s", #call, rc_,       \
                  mpr_error_name(rc_), mpr_error_name(want));                 \
    } while (0)
/* MUST: as EXPECT, but a mismatch ends the job (what follows would hang). */
#define MUST(call, want)                                                      \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != (want)) {                                                  \
            failf(__LINE__, "%s returned %d %s, wanted %s", #call, rc_,       \
                  mpr_error_name(rc_), mpr_error_name(want));                 \
            die();                                                            \
        }                                                                     \
    } while (0)

/* The collective checking mode is on (MPR_CHECK=1): ranks that pass
 * different counts where they must agree all get MPR_ERR_COLL_MISMATCH,
 * before anything moves, instead of that call's usual outcome. */
static inline bool coll_checking(void)
{
    const char *env = getenv("MPR_CHECK");
    return env && *env && strcmp(env, "0") != 0;
}

static inline unsigned char pat(int a, int b, size_t i)
{
    return (unsigned char)(i * 131u + (i >> 11) * 7u + (unsigned)a * 17u +
                           (unsigned)b * 29u + 1u);
}

static inline void fill(void *buf, size_t len, int a, int b)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = pat(a, b, i);
}

/* first byte that differs from the pattern, or len when all match */
static inline size_t badbyte(const void *buf, size_t len, int a, int b)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        if (p[i] != pat(a, b, i))
            return i;
    return len;
}

static inline void *xmalloc(size_t len)
{
    void *p = malloc(len ? len : 1);
    if (!p) {
        failf(__LINE__, "malloc(%zu) failed", len);
        die();
    }
    return p;
}

#endif /* MPR_TEST_CHECK_H */
