/*
 * pool_async - apply_async with a callback collecting the results, the
 * multiprocessing tutorial's program:
 *
 *     results = []
 *     def collect(r):
 *         results.append(r)
 *     with Pool() as pool:
 *         for i in range(10):
 *             pool.apply_async(f, (i,), callback=collect)
 *         pool.close()
 *         pool.join()
 *     print(sorted(results))
 *
 *   mprun -n 4 ./examples/pool_async [N]
 *
 * Rank 0 submits "square" on 0..N-1 (default 10) one task at a time; the
 * callback appends each result to a list (it runs on rank 0, inside the
 * pool calls: here the submissions and join). The list is printed sorted
 * when N <= 20, and checked. The other ranks serve.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"
#include "example_util.h"

static int square(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)in_len;
    (void)arg;
    const int64_t *x = in;
    *(int64_t *)out = *x * *x;
    *out_len = sizeof(int64_t);
    return MPR_SUCCESS;
}

struct results {
    int64_t *values;
    long count;
};

/* def collect(r): results.append(r) */
static void collect(void *user, const void *out, size_t len)
{
    struct results *r = user;
    (void)len;
    r->values[r->count++] = *(const int64_t *)out;
}

static void failed(void *user, int error)
{
    (void)user;
    fprintf(stderr, "pool_async: a task failed: %s\n", mpr_strerror(error));
    mpr_abort(MPR_COMM_WORLD, 1);
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rank;
    long n = arg_long(argc, argv, 1, 10);
    example_start("pool_async", &argc, &argv, &rank, NULL);

    mpr_pool pool;
    check(mpr_pool_create(MPR_COMM_WORLD, 0, &pool), "mpr_pool_create");
    check(mpr_pool_register(pool, "square", square, NULL), "mpr_pool_register");
    if (rank != 0) {
        check(mpr_pool_serve(pool), "mpr_pool_serve");
    } else {
        struct results results = { malloc((size_t)n * sizeof(int64_t)), 0 };
        for (long i = 0; i < n; i++) {
            int64_t x = i;
            check(mpr_pool_apply_async(pool, "square", &x, sizeof x, collect, failed, &results,
                                       NULL),
                  "mpr_pool_apply_async");
        }
        check(mpr_pool_close(pool), "mpr_pool_close");
        check(mpr_pool_join(pool), "mpr_pool_join"); /* the last callbacks run here */
        qsort(results.values, (size_t)results.count, sizeof(int64_t), by_value);
        if (n <= 20) {
            printf("[");
            for (long i = 0; i < results.count; i++)
                printf("%s%lld", i ? ", " : "", (long long)results.values[i]);
            printf("]\n");
        }
        for (long i = 0; i < n; i++)
            if (results.count != n || results.values[i] != (int64_t)i * i) {
                fprintf(stderr, "pool_async: %ld results, or a wrong one at %ld\n",
                        results.count, i);
                mpr_abort(MPR_COMM_WORLD, 1);
            }
        printf("%ld results collected\n", results.count);
        free(results.values);
    }
    check(mpr_pool_free(&pool), "mpr_pool_free");
    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
