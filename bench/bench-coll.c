/* bench-coll.c - mpr-bench's data-moving collectives: barrier, bcast,
 * gather, scatter, allgather, alltoall. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr-bench.h"

/* ---- Barrier ------------------------------------------------------------ */

static double run_barriers(const struct workload *work, long iters)
{
    (void)work;
    double start = bench_wtime();
    for (long i = 0; i < iters; i++)
        CHECK(bench_barrier());
    return bench_wtime() - start;
}

void run_barrier(void)
{
    char title[160];
    snprintf(title, sizeof title,
             "barrier: %d ranks, time per barrier in microseconds, averaged "
             "over ranks (lower is better)", job_size);
    print_title(title);
    print_header("       ranks   iterations     avg [us]     min [us]     max [us]");

    struct workload work = { .run = run_barriers };
    struct timing timing = measure(&work, base_iters(TEST_BARRIER));
    struct spread spread =
        gather_spread(timing.seconds / (double)timing.plan.iters * 1e6);
    /* A barrier moves no data: its CSV size is 0; the table shows the ranks. */
    print_result(TEST_BARRIER, opt.csv ? 0 : (size_t)job_size, timing.plan.iters,
                 spread.avg, "us", &spread);
}

/* ---- Broadcast ---------------------------------------------------------- */

static const int BCAST_ROOT = 0;

static void bcast_once(const struct workload *work)
{
    CHECK(bench_bcast(work->sendbuf, work->size, BCAST_ROOT));
}

static void checked_bcast(const struct workload *work, int last)
{
    uint32_t seed = pattern_seed(TEST_BCAST, work->size, last);
    if (my_rank == BCAST_ROOT)
        fill_pattern(work->sendbuf, work->size, seed);
    else
        memset(work->sendbuf, POISON, work->size);
    bcast_once(work);
    expect_pattern(work->sendbuf, work->size, seed, "bcast", work->size);
}

void run_bcast(void)
{
    char title[160];
    snprintf(title, sizeof title,
             "bcast: root 0 to %d ranks, time per broadcast in microseconds, "
             "averaged over ranks (lower is better)", job_size);
    run_collective(TEST_BCAST, title, bcast_once, 1, 0, checked_bcast);
}

/* A barrier and a bcast from root 0, timed together. The bcast test alone
 * times each call between barriers, so a barrier that lets the root leave
 * first makes the bcast look cheaper by moving the wait into the barrier;
 * the pair shows what a program doing both pays. */
static void barrier_bcast_once(const struct workload *work)
{
    CHECK(bench_barrier());
    bcast_once(work);
}

static void checked_barrier_bcast(const struct workload *work, int last)
{
    CHECK(bench_barrier());
    checked_bcast(work, last);
}

void run_barrier_bcast(void)
{
    char title[160];
    snprintf(title, sizeof title,
             "barrier_bcast: a barrier then a bcast from root 0 to %d ranks, timed together, "
             "in microseconds, averaged over ranks (lower is better)", job_size);
    run_collective(TEST_BARRIER_BCAST, title, barrier_bcast_once, 1, 0, checked_barrier_bcast);
}

/* ---- Gather, scatter, allgather, alltoall ---------------------------------
 * `size` is the bytes each rank contributes per peer, as in OSU's tests:
 * a gather moves size bytes from every rank to the root, an alltoall size
 * bytes from every rank to every rank. */

static const int EXCHANGE_ROOT = 0;

/* The pattern of the block rank `from` sends rank `to` (to is 0 when the
 * block goes to every rank, as in gather and allgather). */
static uint32_t block_seed(uint32_t seed, int from, int to)
{
    return seed ^ (uint32_t)(from * 4099 + to + 1) * 0x9e3779b9u;
}

static void exchange_once(const struct workload *work)
{
    switch (work->test) {
    case TEST_GATHER:
        CHECK(bench_gather(work->sendbuf, work->size, work->recvbuf, EXCHANGE_ROOT));
        break;
    case TEST_SCATTER:
        CHECK(bench_scatter(work->sendbuf, work->size, work->recvbuf, EXCHANGE_ROOT));
        break;
    case TEST_ALLGATHER:
        CHECK(bench_allgather(work->sendbuf, work->size, work->recvbuf));
        break;
    default:
        CHECK(bench_alltoall(work->sendbuf, work->size, work->recvbuf));
        break;
    }
}

/* How many size-byte blocks this rank sends and receives in one operation. */
static size_t send_blocks(enum test_id test)
{
    if (test == TEST_ALLTOALL || (test == TEST_SCATTER && my_rank == EXCHANGE_ROOT))
        return (size_t)job_size;
    return 1;
}

static size_t recv_blocks(enum test_id test)
{
    if (test == TEST_ALLTOALL || test == TEST_ALLGATHER ||
        (test == TEST_GATHER && my_rank == EXCHANGE_ROOT))
        return (size_t)job_size;
    return 1;
}

/* One operation with fresh blocks, every received byte checked. */
static void checked_exchange(const struct workload *work, int last)
{
    enum test_id test = work->test;
    uint32_t seed = pattern_seed(test, work->size, last);
    unsigned char *send = work->sendbuf, *recv = work->recvbuf;
    size_t size = work->size;
    for (size_t b = 0; b < send_blocks(test); b++) {
        int to = test == TEST_ALLTOALL || test == TEST_SCATTER ? (int)b : 0;
        fill_pattern(send + b * size, size, block_seed(seed, my_rank, to));
    }
    int gets_data = !(test == TEST_GATHER && my_rank != EXCHANGE_ROOT);
    if (gets_data)
        memset(recv, POISON, recv_blocks(test) * size);
    exchange_once(work);
    if (!gets_data)
        return;
    for (size_t b = 0; b < recv_blocks(test); b++) {
        int from, to;
        switch (test) {
        case TEST_SCATTER: from = EXCHANGE_ROOT; to = my_rank; break;
        case TEST_ALLTOALL: from = (int)b; to = my_rank; break;
        default: from = (int)b; to = 0; break;
        }
        char what[64];
        snprintf(what, sizeof what, "%s, block from rank %d", test_infos[test].name, from);
        expect_pattern(recv + b * size, size, block_seed(seed, from, to), what, size);
    }
}

/* `what` starts the title, e.g. "gather: to rank 0". */
static void run_exchange(enum test_id test, const char *what)
{
    char title[200];
    snprintf(title, sizeof title,
             "%s over %d ranks, bytes per rank, time per operation in microseconds, "
             "averaged over ranks (lower is better)", what, job_size);
    run_collective(test, title, exchange_once, send_blocks(test), recv_blocks(test),
                   checked_exchange);
}

void run_gather(void)
{
    run_exchange(TEST_GATHER, "gather: to rank 0");
}

void run_scatter(void)
{
    run_exchange(TEST_SCATTER, "scatter: from rank 0");
}

void run_allgather(void)
{
    run_exchange(TEST_ALLGATHER, "allgather:");
}

void run_alltoall(void)
{
    run_exchange(TEST_ALLTOALL, "alltoall:");
}
