/*
 * obj_pool - the pool (mpr_pool_*): rank 0 submits, the others serve.
 *
 *   mprun -n N obj_pool basic      map (ordered, chunk sizes 1, default,
 *                                  large; failing items), imap, imap_unordered,
 *                                  apply, apply_async with callbacks, error
 *                                  callbacks and result handles (ready, wait,
 *                                  get, successful, truncate, large outputs),
 *                                  callbacks that submit, unknown names, bad
 *                                  arguments, close/join, terminate, free
 *                                  without join. N = 1 runs tasks on rank 0.
 *   mprun -n N --enable-recovery obj_pool die MARK [exit|kill]
 *                                  rank N-1 dies (exits without finalizing,
 *                                  or is killed by SIGKILL) in the middle of a
 *                                  map: its items fail with
 *                                  MPR_ERR_PROC_FAILED, the others are right,
 *                                  the pool goes on with the rest (prints
 *                                  "pool saw MPR_ERR_PROC_FAILED")
 */
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define FAIL_CODE (-1000)

static int size;
static int victim = -1;
static bool victim_killed; /* SIGKILL instead of an exit */
static long served_items;

static int square(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)arg;
    int64_t x;
    if (in_len != sizeof x)
        return MPR_ERR_ARG;
    if (*out_len < sizeof x) {
        *out_len = sizeof x;
        return MPR_ERR_TRUNCATE;
    }
    memcpy(&x, in, sizeof x);
    x *= x;
    memcpy(out, &x, sizeof x);
    *out_len = sizeof x;
    return MPR_SUCCESS;
}

/* Fails on multiples of 7, squares the others. */
static int picky(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    int64_t x;
    memcpy(&x, in, sizeof x);
    if (x % 7 == 0)
        return FAIL_CODE;
    return square(in, in_len, out, out_len, arg);
}

/* Output: x bytes, each (x + i) & 0xff (large outputs, retried with room). */
static int bytes_of(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)in_len;
    (void)arg;
    int64_t x;
    memcpy(&x, in, sizeof x);
    if (*out_len < (size_t)x) {
        *out_len = (size_t)x;
        return MPR_ERR_TRUNCATE;
    }
    for (int64_t i = 0; i < x; i++)
        ((unsigned char *)out)[i] = (unsigned char)(x + i);
    *out_len = (size_t)x;
    return MPR_SUCCESS;
}

static void nap_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* Squares after a nap of x % 1000 microseconds... x / 1000 ms. */
static int slow(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    int64_t x;
    memcpy(&x, in, sizeof x);
    nap_us(500);
    served_items++;
    if (me == victim && served_items == 20) { /* a worker dying in the middle of a map */
        if (victim_killed)
            raise(SIGKILL);
        _exit(0); /* no finalize */
    }
    return square(in, in_len, out, out_len, arg);
}

/* Echoes its input. */
static int echo(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)arg;
    if (*out_len < in_len) {
        *out_len = in_len;
        return MPR_ERR_TRUNCATE;
    }
    if (in_len)
        memcpy(out, in, in_len);
    *out_len = in_len;
    return MPR_SUCCESS;
}

static mpr_pool make_pool(void)
{
    mpr_pool pool;
    MUST(mpr_pool_create(MPR_COMM_WORLD, 0, &pool), MPR_SUCCESS);
    MUST(mpr_pool_register(pool, "square", square, NULL), MPR_SUCCESS);
    MUST(mpr_pool_register(pool, "picky", picky, NULL), MPR_SUCCESS);
    MUST(mpr_pool_register(pool, "bytes", bytes_of, NULL), MPR_SUCCESS);
    MUST(mpr_pool_register(pool, "slow", slow, NULL), MPR_SUCCESS);
    MUST(mpr_pool_register(pool, "echo", echo, NULL), MPR_SUCCESS);
    if (me == 0)
        MUST(mpr_pool_register(pool, "rootonly", echo, NULL), MPR_SUCCESS);
    return pool;
}

/* A worker's whole part of a pool. */
static void serve(void)
{
    mpr_pool pool = make_pool();
    EXPECT(mpr_pool_map(pool, "square", NULL, 0, 8, NULL, 8, 1, NULL), MPR_ERR_VALUE);
    EXPECT(mpr_pool_close(pool), MPR_ERR_VALUE);
    EXPECT(mpr_pool_serve(pool), MPR_SUCCESS);
    EXPECT(mpr_pool_serve(pool), MPR_ERR_VALUE);
    EXPECT(mpr_pool_free(&pool), MPR_SUCCESS);
}

/* ---- root ---------------------------------------------------------------- */

static void check_squares(const int64_t *out, const int *errors, size_t n, const char *what)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] != (int64_t)i * (int64_t)i || (errors && errors[i] != MPR_SUCCESS))
            bad++;
    CHECK(bad == 0, "%s: %zu of %zu items wrong", what, bad, n);
}

static void test_map(mpr_pool pool)
{
    size_t n = 5000;
    int64_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    int *errors = malloc(n * sizeof *errors);
    for (size_t i = 0; i < n; i++)
        in[i] = (int64_t)i;
    size_t chunks[] = { 1, 0, 7, 1000, 100000 };
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        memset(out, 0xff, n * sizeof *out);
        EXPECT(mpr_pool_map(pool, "square", in, n, 8, out, 8, chunks[c], errors), MPR_SUCCESS);
        check_squares(out, errors, n, "map");
        memset(out, 0xff, n * sizeof *out);
        EXPECT(mpr_pool_map(pool, "square", in, n, 8, out, 8, chunks[c], NULL), MPR_SUCCESS);
        check_squares(out, NULL, n, "map without errors[]");
    }
    EXPECT(mpr_pool_map(pool, "square", NULL, 0, 8, NULL, 8, 0, NULL), MPR_SUCCESS);

    /* failing items: the lowest's code, errors[] says which */
    EXPECT(mpr_pool_map(pool, "picky", in + 1, n - 1, 8, out, 8, 3, errors), FAIL_CODE);
    size_t bad = 0;
    for (size_t i = 0; i < n - 1; i++) {
        int64_t x = (int64_t)i + 1;
        if (x % 7 == 0 ? errors[i] != FAIL_CODE : errors[i] != MPR_SUCCESS || out[i] != x * x)
            bad++;
    }
    CHECK(bad == 0, "map with failing items: %zu wrong", bad);

    /* output capacity too small: each item MPR_ERR_TRUNCATE */
    EXPECT(mpr_pool_map(pool, "square", in, 10, 8, out, 4, 1, errors), MPR_ERR_TRUNCATE);
    CHECK(errors[9] == MPR_ERR_TRUNCATE, "small out_size: %d", errors[9]);
    free(in);
    free(out);
    free(errors);
}

static void test_imap(mpr_pool pool)
{
    size_t n = 3000;
    int64_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    unsigned char *seen = calloc(n, 1);
    for (size_t i = 0; i < n; i++)
        in[i] = (int64_t)i;
    for (int ordered = 0; ordered < 2; ordered++) {
        mpr_pool_iter it;
        memset(seen, 0, n);
        if (ordered)
            MUST(mpr_pool_imap(pool, "square", in, n, 8, out, 8, 1, &it), MPR_SUCCESS);
        else
            MUST(mpr_pool_imap_unordered(pool, "square", in, n, 8, out, 8, 4, &it), MPR_SUCCESS);
        size_t index, count = 0, misordered = 0, wrong = 0;
        int error, rc;
        while ((rc = mpr_pool_iter_next(it, MPR_WAIT_FOREVER, &index, &error)) == MPR_SUCCESS) {
            if (index >= n || seen[index] || error != MPR_SUCCESS ||
                out[index] != (int64_t)index * (int64_t)index)
                wrong++;
            else
                seen[index] = 1;
            if (ordered && index != count)
                misordered++;
            count++;
        }
        EXPECT(rc, MPR_ERR_EOF);
        EXPECT(mpr_pool_iter_next(it, 0, &index, &error), MPR_ERR_EOF);
        CHECK(count == n && wrong == 0 && misordered == 0,
              "imap%s: %zu items, %zu wrong, %zu out of order", ordered ? "" : "_unordered",
              count, wrong, misordered);
        EXPECT(mpr_pool_iter_free(&it), MPR_SUCCESS);
        CHECK(it == NULL, "iter_free leaves the handle");
    }
    /* an iterator freed before the end: nothing more is written */
    mpr_pool_iter it;
    int64_t *scratch = malloc(n * sizeof *scratch);
    MUST(mpr_pool_imap_unordered(pool, "square", in, n, 8, scratch, 8, 1, &it), MPR_SUCCESS);
    size_t index;
    int error;
    EXPECT(mpr_pool_iter_next(it, MPR_WAIT_FOREVER, &index, &error), MPR_SUCCESS);
    EXPECT(mpr_pool_iter_free(&it), MPR_SUCCESS);
    free(scratch); /* the pool must not touch it any more (ASan would say) */
    int rc = mpr_pool_imap(pool, "square", in, 1, 8, out, 8, 1, &it);
    EXPECT(rc, MPR_SUCCESS);
    if (rc == MPR_SUCCESS) {
        rc = mpr_pool_iter_next(it, 0, &index, &error);
        CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_EMPTY, "iter_next(0): %s", mpr_error_name(rc));
        EXPECT(mpr_pool_iter_next(it, NAN, &index, &error), MPR_ERR_ARG);
        EXPECT(mpr_pool_iter_free(&it), MPR_SUCCESS);
    }
    free(in);
    free(out);
    free(seen);
}

static void test_apply(mpr_pool pool)
{
    int64_t x = 12, y = 0;
    size_t len = 0;
    EXPECT(mpr_pool_apply(pool, "square", &x, 8, &y, 8, &len), MPR_SUCCESS);
    CHECK(y == 144 && len == 8, "apply: %lld, %zu bytes", (long long)y, len);
    EXPECT(mpr_pool_apply(pool, "square", &x, 8, &y, 4, &len), MPR_ERR_TRUNCATE);
    x = 14;
    EXPECT(mpr_pool_apply(pool, "picky", &x, 8, &y, 8, NULL), FAIL_CODE);
    EXPECT(mpr_pool_apply(pool, "echo", NULL, 0, NULL, 0, &len), MPR_SUCCESS);
    CHECK(len == 0, "empty apply: %zu bytes", len);
    x = 100000;
    char *big = malloc(100000);
    EXPECT(mpr_pool_apply(pool, "bytes", &x, 8, big, 100000, &len), MPR_SUCCESS);
    CHECK(len == 100000 && (unsigned char)big[99999] == (unsigned char)(100000 + 99999),
          "large apply output");
    free(big);
    /* registered on the root only */
    EXPECT(mpr_pool_apply(pool, "rootonly", &x, 8, &y, 8, NULL),
           size > 1 ? MPR_ERR_UNSUPPORTED : MPR_SUCCESS);
    EXPECT(mpr_pool_apply(pool, "nosuchname", &x, 8, &y, 8, NULL), MPR_ERR_ARG);
}

struct tally {
    long ok, failed, sum;
    int last_error;
    mpr_pool pool;
    long chained;
};

static void count_ok(void *user, const void *out, size_t len)
{
    struct tally *t = user;
    int64_t v = 0;
    if (len == sizeof v)
        memcpy(&v, out, sizeof v);
    t->ok++;
    t->sum += v;
}

static void count_failed(void *user, int error)
{
    struct tally *t = user;
    t->failed++;
    t->last_error = error;
}

/* A callback that submits another task, and tries what is refused there. */
static void chain(void *user, const void *out, size_t len)
{
    struct tally *t = user;
    count_ok(user, out, len);
    if (t->chained++ < 50) {
        int64_t x = 3;
        EXPECT(mpr_pool_apply_async(t->pool, "square", &x, 8, chain, count_failed, t, NULL),
               MPR_SUCCESS);
        int64_t y;
        EXPECT(mpr_pool_apply(t->pool, "square", &x, 8, &y, 8, NULL), MPR_SUCCESS);
    }
    EXPECT(mpr_pool_join(t->pool), MPR_ERR_VALUE);
    EXPECT(mpr_pool_terminate(t->pool), MPR_ERR_VALUE);
    mpr_pool p = t->pool;
    EXPECT(mpr_pool_free(&p), MPR_ERR_VALUE);
}

static void test_async(mpr_pool pool)
{
    struct tally t = { .pool = pool };
    long n = 2000, expect_sum = 0;
    for (long i = 0; i < n; i++) {
        int64_t x = i;
        int rc = mpr_pool_apply_async(pool, i % 10 == 0 ? "picky" : "square", &x, 8, count_ok,
                                      count_failed, &t, NULL);
        if (rc != MPR_SUCCESS)
            CHECK(0, "apply_async %ld: %s", i, mpr_error_name(rc));
        if (!(i % 10 == 0 && i % 7 == 0))
            expect_sum += i * i;
    }
    /* a result handle waits for the one task and, at the outermost call,
     * for the callbacks that came before it too */
    int64_t x = 5, y = 0;
    mpr_pool_result r;
    MUST(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_result_wait(r, MPR_WAIT_FOREVER), MPR_SUCCESS);
    int flag = -1;
    EXPECT(mpr_pool_result_ready(r, &flag), MPR_SUCCESS);
    CHECK(flag == 1, "ready after wait: %d", flag);
    EXPECT(mpr_pool_result_successful(r, &flag), MPR_SUCCESS);
    CHECK(flag == 1, "successful: %d", flag);
    size_t len = 0;
    EXPECT(mpr_pool_result_get(r, 0, &y, 4, &len), MPR_ERR_TRUNCATE);
    CHECK(len == 8, "get's len on truncate: %zu", len);
    EXPECT(mpr_pool_result_get(r, 0, &y, 8, &len), MPR_SUCCESS);
    CHECK(y == 25, "get: %lld", (long long)y);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    /* wait until every callback has run: a last task's result */
    MUST(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_result_get(r, MPR_WAIT_FOREVER, &y, 8, NULL), MPR_SUCCESS);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    long want_failed = 0;
    for (long i = 0; i < n; i += 10)
        want_failed += i % 7 == 0;
    /* tasks of one worker complete in order, but not across workers:
     * make sure all are in with an explicit wait on a final map */
    int64_t dummy_in = 1, dummy_out;
    double until = mpr_wtime() + 30;
    while (t.ok + t.failed < n && mpr_wtime() < until)
        EXPECT(mpr_pool_map(pool, "square", &dummy_in, 1, 8, &dummy_out, 8, 1, NULL),
               MPR_SUCCESS);
    CHECK(t.ok + t.failed == n && t.failed == want_failed && t.sum == expect_sum &&
              t.last_error == FAIL_CODE,
          "callbacks: %ld ok, %ld failed (want %ld), sum %ld (want %ld), last error %d", t.ok,
          t.failed, want_failed, t.sum, expect_sum, t.last_error);

    /* a failed task through its handle */
    x = 21;
    MUST(mpr_pool_apply_async(pool, "picky", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_result_get(r, MPR_WAIT_FOREVER, &y, 8, NULL), FAIL_CODE);
    EXPECT(mpr_pool_result_successful(r, &flag), MPR_SUCCESS);
    CHECK(flag == 0, "successful of a failed task: %d", flag);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);

    /* outputs of any size: the function is called again with room */
    x = 200000;
    MUST(mpr_pool_apply_async(pool, "bytes", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    char *big = malloc(200000);
    EXPECT(mpr_pool_result_get(r, MPR_WAIT_FOREVER, big, 200000, &len), MPR_SUCCESS);
    CHECK(len == 200000 && (unsigned char)big[12345] == (unsigned char)(200000 + 12345),
          "large async output: %zu bytes", len);
    free(big);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);

    /* large inputs travel too */
    size_t big_in = 300000;
    char *bin = malloc(big_in), *bout = malloc(big_in);
    for (size_t i = 0; i < big_in; i++)
        bin[i] = (char)(i * 7);
    MUST(mpr_pool_apply_async(pool, "echo", bin, big_in, NULL, NULL, NULL, &r), MPR_SUCCESS);
    memset(bin, 0, big_in); /* the task has its own copy */
    EXPECT(mpr_pool_result_get(r, MPR_WAIT_FOREVER, bout, big_in, &len), MPR_SUCCESS);
    size_t badb = 0;
    for (size_t i = 0; i < big_in; i++)
        badb += bout[i] != (char)(i * 7);
    CHECK(len == big_in && badb == 0, "large async input: %zu bytes, %zu wrong", len, badb);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    free(bin);
    free(bout);

    /* a handle freed before its task is done; the callback still runs */
    struct tally t2 = { .pool = pool };
    MUST(mpr_pool_apply_async(pool, "slow", &x, 8, count_ok, count_failed, &t2, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    /* a callback that submits more (and is refused join/terminate/free) */
    x = 2;
    MUST(mpr_pool_apply_async(pool, "square", &x, 8, chain, count_failed, &t2, NULL),
         MPR_SUCCESS);
    until = mpr_wtime() + 30;
    while ((t2.ok < 52 || t2.chained < 51) && mpr_wtime() < until)
        EXPECT(mpr_pool_map(pool, "square", &dummy_in, 1, 8, &dummy_out, 8, 1, NULL),
               MPR_SUCCESS);
    CHECK(t2.ok == 52 && t2.failed == 0, "chained callbacks: %ld ok, %ld failed", t2.ok,
          t2.failed);

    /* unknown names */
    EXPECT(mpr_pool_apply_async(pool, "nosuchname", &x, 8, NULL, NULL, NULL, &r), MPR_ERR_ARG);
    struct tally t3 = { 0 };
    MUST(mpr_pool_apply_async(pool, "rootonly", &x, 8, count_ok, count_failed, &t3, &r),
         MPR_SUCCESS);
    EXPECT(mpr_pool_result_wait(r, 30.0), MPR_SUCCESS);
    CHECK(size == 1 ? t3.ok == 1 : t3.failed == 1 && t3.last_error == MPR_ERR_UNSUPPORTED,
          "name unknown to the workers: %ld ok, %ld failed, %d", t3.ok, t3.failed,
          t3.last_error);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    EXPECT(mpr_pool_poll(pool), MPR_SUCCESS);
}

static void test_bad_arguments(mpr_pool pool)
{
    int64_t x = 1, y;
    mpr_pool_result r;
    mpr_pool_iter it;
    char long_name[MPR_POOL_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    EXPECT(mpr_pool_create(MPR_COMM_WORLD, size, &pool), MPR_ERR_ARG);
    EXPECT(mpr_pool_create(MPR_COMM_WORLD, -1, &pool), MPR_ERR_ARG);
    EXPECT(mpr_pool_create(MPR_COMM_WORLD, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_create(NULL, 0, &pool), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(NULL, "f", square, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(pool, NULL, square, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(pool, "", square, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(pool, long_name, square, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(pool, "f", NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_register(pool, "square", square, NULL), MPR_ERR_VALUE);
    EXPECT(mpr_pool_serve(pool), MPR_ERR_VALUE);
    EXPECT(mpr_pool_serve(NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(NULL, "square", &x, 1, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(pool, NULL, &x, 1, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(pool, long_name, &x, 1, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(pool, "square", NULL, 1, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(pool, "square", &x, 1, 8, NULL, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_map(pool, "square", &x, SIZE_MAX / 4, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_imap(pool, "square", &x, 1, 8, &y, 8, 1, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_imap_unordered(pool, "nosuch", &x, 1, 8, &y, 8, 1, &it), MPR_ERR_ARG);
    EXPECT(mpr_pool_iter_next(NULL, 0, NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_iter_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_apply(pool, "square", NULL, 8, &y, 8, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_apply(pool, "square", &x, 8, NULL, 8, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_apply_async(pool, "square", NULL, 8, NULL, NULL, NULL, &r), MPR_ERR_ARG);
    EXPECT(mpr_pool_apply_async(NULL, "square", &x, 8, NULL, NULL, NULL, &r), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_ready(NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_wait(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_get(NULL, 0, NULL, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_free(NULL), MPR_ERR_ARG);
    MUST(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_result_wait(r, NAN), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_get(r, MPR_WAIT_FOREVER, NULL, 8, NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
    EXPECT(mpr_pool_poll(NULL), MPR_ERR_ARG);
    EXPECT(mpr_pool_join(pool), MPR_ERR_VALUE); /* not closed */
    int workers = -1;
    EXPECT(mpr_pool_workers(pool, &workers), MPR_SUCCESS);
    CHECK(workers == size - 1, "workers: %d", workers);
}

static void test_terminate(mpr_pool pool)
{
    struct tally t = { 0 };
    int n = 300;
    for (int i = 0; i < n; i++) {
        int64_t x = i;
        EXPECT(mpr_pool_apply_async(pool, "slow", &x, 8, count_ok, count_failed, &t, NULL),
               MPR_SUCCESS);
    }
    mpr_pool_result r;
    int64_t x = 3;
    MUST(mpr_pool_apply_async(pool, "slow", &x, 8, NULL, NULL, NULL, &r), MPR_SUCCESS);
    EXPECT(mpr_pool_terminate(pool), MPR_SUCCESS);
    CHECK(t.ok + t.failed == n && (t.failed == 0 || t.last_error == MPR_ERR_VALUE),
          "terminate: %ld ok, %ld failed (%d)", t.ok, t.failed, t.last_error);
    if (size > 1)
        CHECK(t.failed > 0, "terminate ran every task of %d", n);
    int flag = 0;
    EXPECT(mpr_pool_result_ready(r, &flag), MPR_SUCCESS);
    CHECK(flag == 1, "a result is ready after terminate");
    EXPECT(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, NULL), MPR_ERR_VALUE);
    EXPECT(mpr_pool_join(pool), MPR_SUCCESS);
    EXPECT(mpr_pool_terminate(pool), MPR_SUCCESS);
    EXPECT(mpr_pool_free(&pool), MPR_SUCCESS);
    /* the handle outlives the pool */
    EXPECT(mpr_pool_result_ready(r, &flag), MPR_SUCCESS);
    EXPECT(mpr_pool_result_free(&r), MPR_SUCCESS);
}

static void basic(void)
{
    /* 1: everything, then close and join */
    if (me != 0) {
        serve();
    } else {
        mpr_pool pool = make_pool();
        test_bad_arguments(pool);
        test_map(pool);
        test_imap(pool);
        test_apply(pool);
        test_async(pool);
        struct tally t = { 0 };
        int64_t x = 4;
        MUST(mpr_pool_apply_async(pool, "slow", &x, 8, count_ok, count_failed, &t, NULL),
             MPR_SUCCESS);
        EXPECT(mpr_pool_close(pool), MPR_SUCCESS);
        EXPECT(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, NULL),
               MPR_ERR_VALUE);
        EXPECT(mpr_pool_map(pool, "square", &x, 1, 8, &x, 8, 1, NULL), MPR_ERR_VALUE);
        EXPECT(mpr_pool_join(pool), MPR_SUCCESS);
        CHECK(t.ok == 1, "join ran the last callback: %ld", t.ok);
        EXPECT(mpr_pool_join(pool), MPR_SUCCESS);
        EXPECT(mpr_pool_free(&pool), MPR_SUCCESS);
        CHECK(pool == NULL, "free leaves the handle");
    }
    /* 2: terminate with tasks queued and running */
    if (me != 0)
        serve();
    else
        test_terminate(make_pool());
    /* 3: free without join (terminates) */
    if (me != 0) {
        serve();
    } else {
        mpr_pool pool = make_pool();
        int64_t x = 9;
        for (int i = 0; i < 50; i++)
            EXPECT(mpr_pool_apply_async(pool, "slow", &x, 8, NULL, NULL, NULL, NULL),
                   MPR_SUCCESS);
        EXPECT(mpr_pool_free(&pool), MPR_SUCCESS);
    }
    /* messages of the program are apart from the pool's */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
}

static void die_test(const char *how)
{
    victim = size - 1;
    victim_killed = strcmp(how, "kill") == 0;
    if (me != 0) {
        serve(); /* the victim never returns from it */
        return;
    }
    mpr_pool pool = make_pool();
    size_t n = 1000;
    int64_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    int *errors = malloc(n * sizeof *errors);
    for (size_t i = 0; i < n; i++)
        in[i] = (int64_t)i;
    int rc = mpr_pool_map(pool, "slow", in, n, 8, out, 8, 1, errors);
    size_t failed = 0, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        if (errors[i] == MPR_ERR_PROC_FAILED)
            failed++;
        else if (errors[i] != MPR_SUCCESS || out[i] != (int64_t)i * (int64_t)i)
            wrong++;
    }
    CHECK(rc == MPR_ERR_PROC_FAILED && failed > 0 && wrong == 0,
          "map with a worker dying: %s, %zu items failed, %zu wrong", mpr_error_name(rc), failed,
          wrong);
    if (rc == MPR_ERR_PROC_FAILED)
        printf("pool saw MPR_ERR_PROC_FAILED (%zu of %zu items)\n", failed, n);
    int workers = -1;
    EXPECT(mpr_pool_workers(pool, &workers), MPR_SUCCESS);
    CHECK(workers == size - 2, "workers left: %d", workers);
    int64_t x = 6, y = 0;
    if (size > 2) { /* the others go on */
        EXPECT(mpr_pool_map(pool, "square", in, n, 8, out, 8, 1, NULL), MPR_SUCCESS);
        check_squares(out, NULL, n, "map after a death");
        EXPECT(mpr_pool_apply(pool, "square", &x, 8, &y, 8, NULL), MPR_SUCCESS);
    } else { /* nobody left */
        EXPECT(mpr_pool_apply(pool, "square", &x, 8, &y, 8, NULL), MPR_ERR_PROC_FAILED);
        EXPECT(mpr_pool_apply_async(pool, "square", &x, 8, NULL, NULL, NULL, NULL),
               MPR_ERR_PROC_FAILED);
    }
    EXPECT(mpr_pool_close(pool), MPR_SUCCESS);
    EXPECT(mpr_pool_join(pool), MPR_SUCCESS);
    EXPECT(mpr_pool_free(&pool), MPR_SUCCESS);
    free(in);
    free(out);
    free(errors);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: obj_pool basic | die MARK [exit|kill]\n");
        return 2;
    }
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    if (strcmp(argv[1], "basic") == 0)
        basic();
    else if (strcmp(argv[1], "die") == 0)
        die_test(argc > 3 ? argv[3] : "exit");
    else
        CHECK(0, "unknown mode %s", argv[1]);
    int rc = mpr_finalize();
    if (rc != MPR_SUCCESS && !(strcmp(argv[1], "die") == 0 && rc == MPR_ERR_PROC_FAILED))
        CHECK(0, "mpr_finalize: %s", mpr_error_name(rc));
    return failures ? 1 : 0;
}
