/* bench-p2p.c - mpr-bench's point-to-point tests: latency, bandwidth and
 * message rate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr-bench.h"

/* ---- Latency ------------------------------------------------------------ */

/* Rank 0 sends, rank 1 echoes what it received. */
static void pingpong(void *sendbuf, void *recvbuf, size_t size, long iters)
{
    for (long i = 0; i < iters; i++) {
        if (my_rank == 0) {
            CHECK(bench_send(sendbuf, size, 1, TAG_DATA));
            CHECK(bench_recv(recvbuf, size, 1, TAG_DATA));
        } else {
            CHECK(bench_recv(recvbuf, size, 0, TAG_DATA));
            CHECK(bench_send(recvbuf, size, 0, TAG_DATA));
        }
    }
}

static double run_pingpong(const struct workload *work, long iters)
{
    double start = bench_wtime();
    pingpong(work->sendbuf, work->recvbuf, work->size, iters);
    return bench_wtime() - start;
}

/* One round trip with fresh data, checked on both ranks. */
static void checked_pingpong(void *sendbuf, void *recvbuf, size_t size, int last)
{
    uint32_t seed = pattern_seed(TEST_LATENCY, size, last);
    memset(recvbuf, POISON, size);
    if (my_rank == 0) {
        fill_pattern(sendbuf, size, seed);
        pingpong(sendbuf, recvbuf, size, 1);
        expect_pattern(recvbuf, size, seed, "latency echo", size);
    } else {
        CHECK(bench_recv(recvbuf, size, 0, TAG_DATA));
        expect_pattern(recvbuf, size, seed, "latency ping", size);
        CHECK(bench_send(recvbuf, size, 0, TAG_DATA));
    }
}

void run_latency(void)
{
    size_t sizes[MAX_SIZES];
    int nsizes = sizes_of(TEST_LATENCY, sizes);
    print_title("latency: one-way, half the ping-pong round trip between ranks "
                "0 and 1, in microseconds (lower is better)");
    print_header("       bytes   iterations     latency [us]");
    if (my_rank > 1 || nsizes == 0)
        return;

    size_t max_size = sizes[nsizes - 1];
    struct workload work = {
        .run = run_pingpong,
        .pair_only = 1,
        .sendbuf = alloc_buffer(max_size),
        .recvbuf = alloc_buffer(max_size),
    };
    memset(work.sendbuf, 0, max_size);
    for (int s = 0; s < nsizes; s++) {
        work.size = sizes[s];
        checked_pingpong(work.sendbuf, work.recvbuf, work.size, 0);
        struct timing timing =
            measure(&work, scaled_iters(base_iters(TEST_LATENCY), work.size));
        checked_pingpong(work.sendbuf, work.recvbuf, work.size, 1);
        print_result(TEST_LATENCY, work.size, timing.plan.iters,
                     timing.seconds / (double)timing.plan.iters / 2 * 1e6, "us", NULL);
    }
    free_buffer(work.sendbuf);
    free_buffer(work.recvbuf);
}

/* ---- Bandwidth ---------------------------------------------------------- */

/* Who streams to whom: bandwidth has one pair (0 -> 1); msgrate N/2 pairs
 * (i -> i + N/2), a rank left over when N is odd stays out. */
struct stream_role {
    int active, sending, peer;
};

static struct stream_role stream_role(enum test_id test)
{
    if (test == TEST_BANDWIDTH)
        return (struct stream_role){ my_rank < 2, my_rank == 0, 1 - my_rank };
    int half = job_size / 2;
    if (my_rank < half)
        return (struct stream_role){ 1, 1, my_rank + half };
    if (my_rank < 2 * half)
        return (struct stream_role){ 1, 0, my_rank - half };
    return (struct stream_role){ 0, 0, 0 };
}

/* The sender streams windows of WINDOW sends; after each window the
 * receiver answers with an empty message. The receiver takes message i of
 * a window into slot i % nslots of `slots`. The timed windows use one slot,
 * as osu_bw does, so every buffer stays in cache; the checked windows give
 * each message its own slot (as memory allows) so each one is compared. */
static void stream_windows(struct stream_role role, void *sendbuf, unsigned char *slots,
                           size_t nslots, size_t size, long windows)
{
    bench_request reqs[WINDOW];
    char ack = 0;
    if (!role.active)
        return;
    for (long w = 0; w < windows; w++) {
        if (role.sending) {
            for (int i = 0; i < WINDOW; i++)
                CHECK(bench_isend(sendbuf, size, role.peer, TAG_DATA, &reqs[i]));
            CHECK(bench_waitall(WINDOW, reqs));
            CHECK(bench_recv(&ack, 0, role.peer, TAG_ACK));
        } else {
            for (int i = 0; i < WINDOW; i++)
                CHECK(bench_irecv(slots + (size_t)i % nslots * size, size, role.peer,
                                  TAG_DATA, &reqs[i]));
            CHECK(bench_waitall(WINDOW, reqs));
            CHECK(bench_send(&ack, 0, role.peer, TAG_ACK));
        }
    }
}

static double run_stream(const struct workload *work, long windows)
{
    double start = bench_wtime();
    stream_windows(stream_role(TEST_BANDWIDTH), work->sendbuf, work->recvbuf, 1, work->size,
                   windows);
    return bench_wtime() - start;
}

static double run_rate(const struct workload *work, long windows)
{
    double start = bench_wtime();
    stream_windows(stream_role(TEST_MSGRATE), work->sendbuf, work->recvbuf, 1, work->size,
                   windows);
    return bench_wtime() - start;
}

static size_t check_slot_count(size_t size)
{
    size_t nslots = CHECK_SLOTS_MAX_BYTES / size;
    if (nslots < 1)
        nslots = 1;
    return nslots < WINDOW ? nslots : WINDOW;
}

/* One window with fresh data, each pair's its own, every message compared. */
static void checked_window(enum test_id test, void *sendbuf, unsigned char *slots,
                           size_t size, int last)
{
    struct stream_role role = stream_role(test);
    int sender = role.sending ? my_rank : role.peer;
    uint32_t seed = pattern_seed(test, size, last) ^ (uint32_t)sender * 0x9e3779b9u;
    size_t nslots = check_slot_count(size);
    if (!role.active)
        return;
    if (role.sending)
        fill_pattern(sendbuf, size, seed);
    else
        memset(slots, POISON, nslots * size);
    stream_windows(role, sendbuf, slots, nslots, size, 1);
    if (!role.sending)
        for (size_t slot = 0; slot < nslots; slot++)
            expect_pattern(slots + slot * size, size, seed, test_infos[test].name, size);
}

/* Buffers for the stream tests: a message for a sender, the checked
 * window's slots for a receiver. */
static void alloc_stream_buffers(struct workload *work, struct stream_role role,
                                 const size_t *sizes, int nsizes)
{
    if (role.sending) {
        size_t max_size = sizes[nsizes - 1];
        work->sendbuf = alloc_buffer(max_size);
        memset(work->sendbuf, 0, max_size);
    } else {
        size_t most_bytes = 0;
        for (int s = 0; s < nsizes; s++)
            if (check_slot_count(sizes[s]) * sizes[s] > most_bytes)
                most_bytes = check_slot_count(sizes[s]) * sizes[s];
        work->recvbuf = alloc_buffer(most_bytes);
    }
}

void run_bandwidth(void)
{
    size_t sizes[MAX_SIZES];
    int nsizes = sizes_of(TEST_BANDWIDTH, sizes);
    print_title("bandwidth: rank 0 streams windows of 64 non-blocking sends to "
                "rank 1, in GB/s = 1e9 bytes/s (higher is better)");
    print_header("       bytes      windows   bandwidth [GB/s]");
    if (my_rank > 1 || nsizes == 0)
        return;

    struct workload work = { .run = run_stream, .pair_only = 1 };
    alloc_stream_buffers(&work, stream_role(TEST_BANDWIDTH), sizes, nsizes);
    for (int s = 0; s < nsizes; s++) {
        work.size = sizes[s];
        checked_window(TEST_BANDWIDTH, work.sendbuf, work.recvbuf, work.size, 0);
        struct timing timing =
            measure(&work, scaled_iters(base_iters(TEST_BANDWIDTH), work.size));
        checked_window(TEST_BANDWIDTH, work.sendbuf, work.recvbuf, work.size, 1);
        double bytes = (double)work.size * WINDOW * (double)timing.plan.iters;
        print_result(TEST_BANDWIDTH, work.size, timing.plan.iters,
                     bytes / timing.seconds / 1e9, "GB/s", NULL);
    }
    free_buffer(work.sendbuf);
    free_buffer(work.recvbuf);
}

/* ---- Message rate (as osu_mbw_mr) ---------------------------------------- */

void run_msgrate(void)
{
    size_t sizes[MAX_SIZES];
    int nsizes = sizes_of(TEST_MSGRATE, sizes);
    int pairs = job_size / 2;
    char title[200];
    snprintf(title, sizeof title,
             "msgrate: %d pair%s (i -> i + %d) stream windows of 64 non-blocking "
             "sends at once, in millions of messages/s of all pairs (higher is better)",
             pairs, pairs == 1 ? "" : "s", pairs);
    print_title(title);
    print_header("       bytes      windows  rate [Mmsg/s]");
    if (nsizes == 0)
        return;

    struct workload work = { .run = run_rate };
    struct stream_role role = stream_role(TEST_MSGRATE);
    if (role.active)
        alloc_stream_buffers(&work, role, sizes, nsizes);
    for (int s = 0; s < nsizes; s++) {
        work.size = sizes[s];
        checked_window(TEST_MSGRATE, work.sendbuf, work.recvbuf, work.size, 0);
        struct timing timing = measure(&work, scaled_iters(base_iters(TEST_MSGRATE), work.size));
        checked_window(TEST_MSGRATE, work.sendbuf, work.recvbuf, work.size, 1);
        /* All pairs' messages over the slowest rank's time. */
        struct spread spread = gather_spread(timing.seconds);
        double messages = (double)pairs * WINDOW * (double)timing.plan.iters;
        print_result(TEST_MSGRATE, work.size, timing.plan.iters,
                     spread.max > 0 ? messages / spread.max / 1e6 : 0, "Mmsg/s", NULL);
    }
    free_buffer(work.sendbuf);
    free_buffer(work.recvbuf);
}
