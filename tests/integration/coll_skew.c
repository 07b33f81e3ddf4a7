/*
 * coll_skew - shared-memory collectives entered at different times, with a
 * collective right after them, looped and checked. A rank that leaves a
 * collective without waiting for the others (the non-root of a reduce)
 * must not be counted in the next one in place of a late rank.
 *
 *   mprun -n N coll_skew queue ITERS SKEW_US
 *       every rank creates a queue; the root reduces 3 longs at once, the
 *       others SKEW_US later; the queue is freed (a barrier). The root
 *       moves round the ranks. (The report: "rank 0 gets MPR_SUCCESS and
 *       its result untouched".)
 *   mprun -n N coll_skew mixed ITERS SKEW_US
 *       with one late rank, round the ranks: a small reduce then a
 *       barrier; a large reduce (several rounds, reduce-scattered) then a
 *       bcast from another rank; an allreduce; reduces to two roots back
 *       to back; a reduce whose root is the late rank.
 *
 * Values change every iteration, so a result made of an earlier round's
 * slots is caught as well as an untouched one.
 */
#include <mpr.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define SMALL 3
#define LARGE (3 * 8192 + 5) /* longs: more than one 64 KiB round */

static int size;
static long skew_us;

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void late_if(int rank)
{
    if (me == rank)
        pause_us(skew_us);
}

static void late_unless(int rank)
{
    if (me != rank)
        pause_us(skew_us);
}

static long value(int rank, int it, size_t j)
{
    return (long)(rank + 1) * 1000003L + (long)it * 7919L + (long)j;
}

static long sum(int it, size_t j)
{
    long s = 0;
    for (int r = 0; r < size; r++)
        s += value(r, it, j);
    return s;
}

static void fill_values(long *buf, size_t count, int it)
{
    for (size_t j = 0; j < count; j++)
        buf[j] = value(me, it, j);
}

/* the first wrong element of a sum, or count */
static size_t bad_sum(const long *buf, size_t count, int it)
{
    for (size_t j = 0; j < count; j++)
        if (buf[j] != sum(it, j))
            return j;
    return count;
}

static void check_sum(const long *buf, size_t count, int it, const char *what)
{
    size_t j = bad_sum(buf, count, it);
    CHECK(j == count, "iteration %d, %s: element %zu is %ld, wanted %ld", it, what, j, buf[j],
          sum(it, j));
}

static void reduce_to(int root, long *send, long *recv, size_t count, int it, const char *what)
{
    fill_values(send, count, it);
    for (size_t j = 0; j < count; j++)
        recv[j] = -1;
    EXPECT(mpr_reduce(send, recv, count, MPR_LONG, MPR_SUM, root, MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == root)
        check_sum(recv, count, it, what);
}

static void part_queue(int iters)
{
    long send[SMALL], recv[SMALL];
    for (int it = 0; it < iters && !failures; it++) {
        int root = it % size;
        mpr_queue q;
        MUST(mpr_queue_create(MPR_COMM_WORLD, 64, 8, &q), MPR_SUCCESS);
        late_unless(root);
        reduce_to(root, send, recv, SMALL, it, "reduce after a queue's creation");
        EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    }
}

static void part_mixed(int iters)
{
    long *send = xmalloc(LARGE * sizeof(long)), *recv = xmalloc(LARGE * sizeof(long));
    for (int it = 0; it < iters && !failures; it++) {
        int root = it % size, other = (it + 1) % size;

        late_unless(root);
        reduce_to(root, send, recv, SMALL, it, "small reduce, root early, then a barrier");
        EXPECT(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

        late_unless(root);
        reduce_to(root, send, recv, LARGE, it, "large reduce, root early, then a bcast");
        long word = me == other ? value(other, it, 0) : -1;
        EXPECT(mpr_bcast(&word, sizeof(word), other, MPR_COMM_WORLD), MPR_SUCCESS);
        CHECK(word == value(other, it, 0), "iteration %d: bcast after a large reduce: %ld", it,
              word);

        late_if(other);
        fill_values(send, SMALL, it);
        EXPECT(mpr_allreduce(send, recv, SMALL, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
        check_sum(recv, SMALL, it, "allreduce, one rank late");

        late_unless(root);
        reduce_to(root, send, recv, SMALL, it, "first of two reduces back to back");
        reduce_to(other, send, recv, SMALL, it + 1, "second of two reduces back to back");

        late_if(root);
        reduce_to(root, send, recv, SMALL, it, "reduce, root late, then a barrier");
        EXPECT(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }
    free(send);
    free(recv);
}

int main(int argc, char **argv)
{
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);
    const char *part = argc > 1 ? argv[1] : "queue";
    int iters = argc > 2 ? atoi(argv[2]) : 20;
    skew_us = argc > 3 ? atol(argv[3]) : 20000;
    if (strcmp(part, "queue") == 0) {
        part_queue(iters);
    } else if (strcmp(part, "mixed") == 0) {
        part_mixed(iters);
    } else {
        failf(__LINE__, "unknown part %s", part);
        die();
    }
    if (failures)
        die(); /* the others may wait in a collective this rank will not call */
    MUST(mpr_finalize(), MPR_SUCCESS);
    return 0;
}
