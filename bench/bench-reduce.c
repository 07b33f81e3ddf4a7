/* bench-reduce.c - mpr-bench's reductions: allreduce and reduce (to rank
 * 0), sums of doubles checked element by element. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr-bench.h"

static const int REDUCE_ROOT = 0;

/* The value rank `rank` contributes at element i for pattern `seed`: small
 * integers, so every partial sum is exact in a double and the expected sum
 * is the same whatever order a library adds in. */
static double contribution(int rank, size_t i, uint32_t seed)
{
    return (double)(rank + 1) * (double)((i * 7 + seed) % 1000 + 1);
}

/* The sum over every rank of the job of contribution(rank, i, seed). */
static double expected_sum(size_t i, uint32_t seed)
{
    return (double)job_size * (job_size + 1) / 2 * (double)((i * 7 + seed) % 1000 + 1);
}

/* One sum of `count` doubles: all ranks get it (allreduce) or the root. */
static void sum_once(enum test_id test, const void *sendbuf, double *recvbuf, size_t count)
{
    if (test == TEST_ALLREDUCE)
        CHECK(bench_allreduce_sum(sendbuf, recvbuf, count));
    else
        CHECK(bench_reduce_sum(sendbuf, recvbuf, count, REDUCE_ROOT));
}

/* Times the sums one by one, with an untimed barrier after each (as
 * osu_allreduce and osu_reduce do); returns the seconds spent inside. */
static double run_sums(enum test_id test, const struct workload *work, long iters)
{
    size_t count = work->size / sizeof(double);
    double inside = 0;
    for (long i = 0; i < iters; i++) {
        double start = bench_wtime();
        sum_once(test, work->sendbuf, work->recvbuf, count);
        inside += bench_wtime() - start;
        CHECK(bench_barrier());
    }
    return inside;
}

static double run_allreduces(const struct workload *work, long iters)
{
    return run_sums(TEST_ALLREDUCE, work, iters);
}

static double run_reduces(const struct workload *work, long iters)
{
    return run_sums(TEST_REDUCE, work, iters);
}

/* One sum with fresh values, every element checked wherever it lands. The
 * first check uses separate buffers, the last one MPI_IN_PLACE style (for
 * reduce, in place at the root only, as MPI defines it). */
static void checked_sum(enum test_id test, double *sendbuf, double *recvbuf, size_t size,
                        int last)
{
    uint32_t seed = pattern_seed(test, size, last);
    size_t count = size / sizeof(double);
    int gets_result = test == TEST_ALLREDUCE || my_rank == REDUCE_ROOT;
    int in_place = last && gets_result;
    double *mine = in_place ? recvbuf : sendbuf;
    if (!in_place)
        memset(recvbuf, POISON, size);
    for (size_t i = 0; i < count; i++)
        mine[i] = contribution(my_rank, i, seed);
    sum_once(test, in_place ? BENCH_IN_PLACE : sendbuf, recvbuf, count);
    if (!gets_result)
        return;
    for (size_t i = 0; i < count; i++) {
        double want = expected_sum(i, seed);
        if (recvbuf[i] != want) {
            fprintf(stderr,
                    "mpr-bench: rank %d: %s%s, %zu bytes (%zu doubles): "
                    "wrong sum at element %zu: %.17g, expected %.17g\n",
                    my_rank, test_infos[test].name, in_place ? " in place" : "", size,
                    count, i, recvbuf[i], want);
            bench_abort(1);
        }
    }
}

static void run_reduction(enum test_id test, const char *title)
{
    size_t sizes[MAX_SIZES];
    int nsizes = sizes_of(test, sizes);
    print_title(title);
    print_header("       bytes   iterations     avg [us]     min [us]     max [us]");
    if (nsizes == 0)
        return;

    size_t max_size = sizes[nsizes - 1];
    struct workload work = {
        .run = test == TEST_ALLREDUCE ? run_allreduces : run_reduces,
        .sendbuf = alloc_buffer(max_size),
        .recvbuf = alloc_buffer(max_size),
    };
    /* Timed sums add ones: no overflow, no denormals, nothing to check. */
    for (size_t i = 0; i < max_size / sizeof(double); i++)
        ((double *)work.sendbuf)[i] = 1.0;
    memset(work.recvbuf, 0, max_size);
    for (int s = 0; s < nsizes; s++) {
        work.size = sizes[s];
        checked_sum(test, work.sendbuf, work.recvbuf, work.size, 0);
        struct timing timing = measure(&work, scaled_iters(base_iters(test), work.size));
        checked_sum(test, work.sendbuf, work.recvbuf, work.size, 1);
        /* The check left contributions in sendbuf: ones again for timing. */
        for (size_t i = 0; i < max_size / sizeof(double); i++)
            ((double *)work.sendbuf)[i] = 1.0;
        struct spread spread = gather_spread(timing.seconds / (double)timing.plan.iters * 1e6);
        print_result(test, work.size, timing.plan.iters, spread.avg, "us", &spread);
    }
    free(work.sendbuf);
    free(work.recvbuf);
}

void run_allreduce(void)
{
    char title[160];
    snprintf(title, sizeof title,
             "allreduce: sum of doubles over %d ranks, time per allreduce in "
             "microseconds, averaged over ranks (lower is better)", job_size);
    run_reduction(TEST_ALLREDUCE, title);
}

void run_reduce(void)
{
    char title[160];
    snprintf(title, sizeof title,
             "reduce: sum of doubles over %d ranks to rank 0, time per reduce in "
             "microseconds, averaged over ranks (lower is better)", job_size);
    run_reduction(TEST_REDUCE, title);
}
