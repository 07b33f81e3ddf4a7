/*
 * coll_fin - ranks whose part of an operation is done call mpr_finalize
 * while slower ranks are still in it. The slower ones must complete it
 * with the right result (a finalized rank is not a failed one), and every
 * mpr_finalize must return MPR_SUCCESS.
 *
 *   mprun -n N coll_fin KIND ORDER ROOT [SKEW_US]
 *
 * KIND, the one operation before mpr_finalize:
 *   barrier, bcast, reduce, allreduce, scan, exscan, reduce_scatter,
 *   gather, scatter, allgather, alltoall; with a _large suffix (bcast,
 *   reduce, allreduce, gather, scatter, allgather, alltoall) enough data
 *   for several shared-memory rounds or the single-copy paths;
 *   send, send_large: every rank but ROOT sends ROOT a message (eager,
 *   or large) and finalizes; ROOT receives them by name;
 *   queue: every rank but ROOT puts an item into a queue and finalizes;
 *   ROOT gets them all;
 *   reduce_die (run with mprun --enable-recovery): the highest rank is
 *   killed (SIGKILL) before a small reduce to ROOT (not that rank), the
 *   others enter it and finalize: ROOT, which still needs the dead rank,
 *   gets MPR_ERR_PROC_FAILED although the finalized ones are not needed;
 *   the others MPR_SUCCESS (or that error where they need the dead rank:
 *   its parent in a tree). Survivors print "reduce_die ok".
 * ORDER: "up": rank r enters r x SKEW_US late (the highest rank last);
 *   "down": (N-1-r) x SKEW_US late (rank 0 last); "root": ROOT alone
 *   enters late; "one": rank (ROOT + 1) % N alone enters late.
 * ROOT: the root of rooted collectives, the receiver of send and queue.
 * SKEW_US: 20000 unless given.
 *
 * A barrier first makes every rank's state (a collective's segment, a
 * queue) exist before the skew, which the operation alone would hide.
 */
#include <mpr.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define SMALL_LEN 24
#define LARGE_LEN (1u << 20)
#define SMALL_COUNT 3
#define LARGE_COUNT (3 * 8192 + 5) /* longs: more than one 64 KiB round */
#define TAG 7

static int size, root;

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static long delay_of(const char *order, long skew_us)
{
    if (strcmp(order, "up") == 0)
        return me * skew_us;
    if (strcmp(order, "down") == 0)
        return (size - 1 - me) * skew_us;
    if (strcmp(order, "root") == 0)
        return me == root ? skew_us : 0;
    if (strcmp(order, "one") == 0)
        return me == (root + 1) % size ? skew_us : 0;
    failf(__LINE__, "unknown order %s", order);
    die();
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- Reductions ---------------------------------------------------------- */

static long value(int rank, size_t j)
{
    return (long)(rank + 1) * 1000003L + (long)j * 7919L;
}

/* ranks [0, upto) combined */
static long sum_upto(int upto, size_t j)
{
    long s = 0;
    for (int r = 0; r < upto; r++)
        s += value(r, j);
    return s;
}

static void check_sums(const long *buf, size_t count, size_t first, int upto, const char *what)
{
    for (size_t j = 0; j < count; j++)
        if (buf[j] != sum_upto(upto, first + j)) {
            failf(__LINE__, "%s: element %zu is %ld, wanted %ld", what, j, buf[j],
                  sum_upto(upto, first + j));
            return;
        }
}

static int run_reduction(const char *kind, size_t count)
{
    size_t total = strcmp(kind, "reduce_scatter") == 0 ? count * (size_t)size : count;
    long *send = xmalloc(total * sizeof(long)), *recv = xmalloc(total * sizeof(long));
    for (size_t j = 0; j < total; j++) {
        send[j] = value(me, j);
        recv[j] = -1;
    }
    int rc;
    if (strcmp(kind, "reduce") == 0) {
        rc = mpr_reduce(send, recv, count, MPR_LONG, MPR_SUM, root, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS && me == root)
            check_sums(recv, count, 0, size, "reduce at the root");
    } else if (strcmp(kind, "allreduce") == 0) {
        rc = mpr_allreduce(send, recv, count, MPR_LONG, MPR_SUM, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS)
            check_sums(recv, count, 0, size, "allreduce");
    } else if (strcmp(kind, "scan") == 0) {
        rc = mpr_scan(send, recv, count, MPR_LONG, MPR_SUM, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS)
            check_sums(recv, count, 0, me + 1, "scan");
    } else if (strcmp(kind, "exscan") == 0) {
        rc = mpr_exscan(send, recv, count, MPR_LONG, MPR_SUM, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS && me > 0)
            check_sums(recv, count, 0, me, "exscan");
    } else {
        rc = mpr_reduce_scatter_block(send, recv, count, MPR_LONG, MPR_SUM, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS)
            check_sums(recv, count, (size_t)me * count, size, "reduce_scatter_block");
    }
    free(send);
    free(recv);
    return rc;
}

/* ---- Blocks of bytes ----------------------------------------------------- */

static void check_block(const char *buf, size_t len, int a, int b, const char *what)
{
    size_t i = badbyte(buf, len, a, b);
    CHECK(i == len, "%s: block from %d to %d differs at byte %zu", what, a, b, i);
}

static int run_blocks(const char *kind, size_t len)
{
    size_t all = len * (size_t)size;
    char *send = xmalloc(all), *recv = xmalloc(all);
    memset(recv, 0, all);
    int rc;
    if (strncmp(kind, "bcast", 5) == 0) {
        if (me == root)
            fill(recv, len, root, 0);
        rc = mpr_bcast(recv, len, root, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS)
            check_block(recv, len, root, 0, "bcast");
    } else if (strncmp(kind, "gather", 6) == 0) {
        fill(send, len, me, root);
        rc = mpr_gather(send, len, recv, root, MPR_COMM_WORLD);
        for (int r = 0; rc == MPR_SUCCESS && me == root && r < size; r++)
            check_block(recv + (size_t)r * len, len, r, root, "gather");
    } else if (strncmp(kind, "scatter", 7) == 0) {
        for (int r = 0; me == root && r < size; r++)
            fill(send + (size_t)r * len, len, root, r);
        rc = mpr_scatter(send, len, recv, root, MPR_COMM_WORLD);
        if (rc == MPR_SUCCESS)
            check_block(recv, len, root, me, "scatter");
    } else if (strncmp(kind, "allgather", 9) == 0) {
        fill(send, len, me, 0);
        rc = mpr_allgather(send, len, recv, MPR_COMM_WORLD);
        for (int r = 0; rc == MPR_SUCCESS && r < size; r++)
            check_block(recv + (size_t)r * len, len, r, 0, "allgather");
    } else {
        for (int r = 0; r < size; r++)
            fill(send + (size_t)r * len, len, me, r);
        rc = mpr_alltoall(send, len, recv, MPR_COMM_WORLD);
        for (int r = 0; rc == MPR_SUCCESS && r < size; r++)
            check_block(recv + (size_t)r * len, len, r, me, "alltoall");
    }
    free(send);
    free(recv);
    return rc;
}

/* ---- Point-to-point and a queue ------------------------------------------ */

static int run_send(size_t len)
{
    char *buf = xmalloc(len);
    int rc = MPR_SUCCESS;
    if (me != root) {
        fill(buf, len, me, root);
        rc = mpr_send(buf, len, root, TAG, MPR_COMM_WORLD);
    }
    for (int r = 0; me == root && r < size && rc == MPR_SUCCESS; r++) {
        if (r == root)
            continue;
        memset(buf, 0, len);
        mpr_status st;
        rc = mpr_recv(buf, len, r, TAG, MPR_COMM_WORLD, &st);
        if (rc == MPR_SUCCESS) {
            CHECK(st.count == len, "message from %d: %zu bytes, wanted %zu", r, st.count, len);
            check_block(buf, len, r, root, "send");
        }
    }
    free(buf);
    return rc;
}

static int run_queue(mpr_queue q)
{
    long item = 0;
    if (me != root) {
        item = value(me, 0);
        return mpr_queue_put(q, &item, sizeof(item), -1);
    }
    long seen_sum = 0;
    for (int i = 0; i < size - 1; i++) {
        size_t got = 0;
        int rc = mpr_queue_get(q, &item, sizeof(item), &got, -1);
        if (rc != MPR_SUCCESS)
            return rc;
        CHECK(got == sizeof(item), "queue item %d: %zu bytes", i, got);
        seen_sum += item;
    }
    CHECK(seen_sum == sum_upto(size, 0) - value(root, 0), "queue items sum to %ld, wanted %ld",
          seen_sum, sum_upto(size, 0) - value(root, 0));
    return MPR_SUCCESS;
}

/* The highest rank dies; ROOT must fail, the finalized ones must not make
 * anyone else fail. Finalize may report the dead rank. */
static int run_reduce_die(void)
{
    if (me == size - 1)
        raise(SIGKILL);
    long send[SMALL_COUNT], recv[SMALL_COUNT];
    for (size_t j = 0; j < SMALL_COUNT; j++)
        send[j] = value(me, j);
    int rc = mpr_reduce(send, recv, SMALL_COUNT, MPR_LONG, MPR_SUM, root, MPR_COMM_WORLD);
    if (me == root)
        CHECK(rc == MPR_ERR_PROC_FAILED, "reduce_die at the root: %s", mpr_error_name(rc));
    else /* the dead rank's parent in a tree needs it too */
        CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_PROC_FAILED, "reduce_die: %s",
              mpr_error_name(rc));
    rc = mpr_finalize();
    CHECK(rc == MPR_SUCCESS || rc == MPR_ERR_PROC_FAILED, "mpr_finalize after reduce_die: %s",
          mpr_error_name(rc));
    if (!failures)
        printf("rank %d: reduce_die ok\n", me);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 4) {
        fprintf(stderr, "usage: coll_fin KIND ORDER ROOT [SKEW_US]\n");
        return 2;
    }
    const char *kind = argv[1], *order = argv[2];
    long skew_us = argc > 4 ? strtol(argv[4], NULL, 10) : 20000;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    root = atoi(argv[3]) % size;
    bool large = has_suffix(kind, "_large");
    char base[32]; /* kind without _large */
    snprintf(base, sizeof(base), "%.*s", (int)(strlen(kind) - (large ? 6 : 0)), kind);
    /* Never freed: its free is collective, and the ranks that put must
     * finalize while ROOT still gets. Static, so that the leak checker
     * sees it held to the end. */
    static mpr_queue q;
    if (strcmp(kind, "queue") == 0)
        MUST(mpr_queue_create(MPR_COMM_WORLD, 64, sizeof(long), &q), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    pause_us(delay_of(order, skew_us));

    if (strcmp(kind, "reduce_die") == 0)
        return run_reduce_die();
    int rc;
    if (strcmp(kind, "barrier") == 0)
        rc = mpr_barrier(MPR_COMM_WORLD);
    else if (strncmp(kind, "reduce", 6) == 0 || strncmp(kind, "allreduce", 9) == 0 ||
             strncmp(kind, "scan", 4) == 0 || strncmp(kind, "exscan", 6) == 0)
        rc = run_reduction(base, large ? LARGE_COUNT : SMALL_COUNT);
    else if (strncmp(kind, "send", 4) == 0)
        rc = run_send(large ? LARGE_LEN : SMALL_LEN);
    else if (q)
        rc = run_queue(q);
    else
        rc = run_blocks(kind, large ? LARGE_LEN : SMALL_LEN);
    CHECK(rc == MPR_SUCCESS, "%s (order %s, root %d): %s", kind, order, root, mpr_error_name(rc));

    rc = mpr_finalize();
    CHECK(rc == MPR_SUCCESS, "mpr_finalize after %s: %s", kind, mpr_error_name(rc));
    return failures ? 1 : 0;
}
