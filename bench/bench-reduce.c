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

/* One sum of size / 8 doubles: all ranks get it (allreduce) or the root. */
static void sum_call(const struct workload *work, const void *sendbuf, double *recvbuf)
{
    size_t count = work->size / sizeof(double);
    if (work->test == TEST_ALLREDUCE)
        CHECK(bench_allreduce_sum(sendbuf, recvbuf, count));
    else
        CHECK(bench_reduce_sum(sendbuf, recvbuf, count, REDUCE_ROOT));
}

static void sum_once(const struct workload *work)
{
    sum_call(work, work->sendbuf, work->recvbuf);
}

/* One sum with fresh values, every element checked wherever it lands. The
 * first check uses separate buffers, the last one MPI_IN_PLACE style (for
 * reduce, in place at the root only, as MPI defines it). */
static void checked_sum(const struct workload *work, int last)
{
    enum test_id test = work->test;
    size_t size = work->size, count = size / sizeof(double);
    uint32_t seed = pattern_seed(test, size, last);
    double *sendbuf = work->sendbuf, *recvbuf = work->recvbuf;
    int gets_result = test == TEST_ALLREDUCE || my_rank == REDUCE_ROOT;
    int in_place = last && gets_result;
    double *mine = in_place ? recvbuf : sendbuf;
    if (!in_place)
        memset(recvbuf, POISON, size);
    for (size_t i = 0; i < count; i++)
        mine[i] = contribution(my_rank, i, seed);
    sum_call(work, in_place ? BENCH_IN_PLACE : sendbuf, recvbuf);
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

/* The timed sums add what the last check left: small integers, exact. */
static void run_reduction(enum test_id test, const char *title)
{
    run_collective(test, title, sum_once, 1, 1, checked_sum);
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
