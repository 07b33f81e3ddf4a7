/*
 * pool_map - Pool.map of a function, the multiprocessing tutorial's first
 * program:
 *
 *     def f(x):
 *         return x * x
 *     with Pool(5) as p:
 *         print(p.map(f, [1, 2, 3]))
 *
 *   mprun -n 4 ./examples/pool_map [N]
 *
 * Rank 0 maps "square" over 1..N (default 3) on the other ranks and prints
 * the list when N <= 20 (else its sum, checked); the others serve until
 * rank 0 closes the pool. With one rank, rank 0 runs the tasks itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"
#include "example_util.h"

/* def f(x): return x * x  -- on 8-byte integers */
static int square(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)in_len;
    (void)arg;
    const int64_t *x = in;
    *(int64_t *)out = *x * *x;
    *out_len = sizeof(int64_t);
    return MPR_SUCCESS;
}

int main(int argc, char **argv)
{
    int rank;
    long n = arg_long(argc, argv, 1, 3);
    example_start("pool_map", &argc, &argv, &rank, NULL);

    mpr_pool pool;
    check(mpr_pool_create(MPR_COMM_WORLD, 0, &pool), "mpr_pool_create");
    check(mpr_pool_register(pool, "square", square, NULL), "mpr_pool_register");
    if (rank != 0) {
        check(mpr_pool_serve(pool), "mpr_pool_serve");
    } else {
        int64_t *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
        for (long i = 0; i < n; i++)
            xs[i] = i + 1;
        check(mpr_pool_map(pool, "square", xs, (size_t)n, sizeof *xs, ys, sizeof *ys, 0, NULL),
              "mpr_pool_map");
        if (n <= 20) {
            printf("[");
            for (long i = 0; i < n; i++)
                printf("%s%lld", i ? ", " : "", (long long)ys[i]);
            printf("]\n");
        }
        int64_t sum = 0;
        for (long i = 0; i < n; i++)
            sum += ys[i];
        int64_t want = (int64_t)n * (n + 1) * (2 * n + 1) / 6;
        printf("sum of squares of 1..%ld: %lld\n", n, (long long)sum);
        if (sum != want) {
            fprintf(stderr, "pool_map: wrong sum, wanted %lld\n", (long long)want);
            mpr_abort(MPR_COMM_WORLD, 1);
        }
        check(mpr_pool_close(pool), "mpr_pool_close");
        check(mpr_pool_join(pool), "mpr_pool_join");
        free(xs);
        free(ys);
    }
    check(mpr_pool_free(&pool), "mpr_pool_free");
    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
