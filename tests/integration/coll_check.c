/*
 * coll_check - the collective checking mode (MPR_CHECK=1).
 *
 *   mprun -n N -x MPR_CHECK=1 coll_check mismatches
 *       calls that differ between ranks: kind (queue_free against
 *       barrier, bcast against reduce), root, count, datatype, op, object
 *       creation and freeing, communicator creation, calls on world
 *       against calls on a duplicate, a mismatch on one half of a split
 *       while the other half goes on. Every rank must get
 *       MPR_ERR_COLL_MISMATCH, and the next collective must work; last,
 *       mpr_finalize against a barrier.
 *       Prints "mismatches: K" on rank 0: the script counts the stderr
 *       lines against it.
 *   mprun -n N [-x MPR_CHECK=1] coll_check matching
 *       every collective with arguments that may differ between ranks
 *       but agree where they must (v-variants' counts, MPR_IN_PLACE,
 *       NULL buffers where nothing moves, count 0): all succeed.
 */
#include <mpr.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int size;
static int mismatches; /* world rank 0 takes part in each; one stderr line each */

/* every rank got MPR_ERR_COLL_MISMATCH from call, and a barrier works after */
#define MISMATCH(comm, call)                                                  \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != MPR_ERR_COLL_MISMATCH) {                                   \
            failf(__LINE__, "%s returned %s, wanted MPR_ERR_COLL_MISMATCH",   \
                  #call, mpr_error_name(rc_));                                \
            die();                                                            \
        }                                                                     \
        mismatches++;                                                         \
        MUST(mpr_barrier(comm), MPR_SUCCESS);                                 \
    } while (0)

static bool last(void)
{
    return me == size - 1;
}

static void kinds(void)
{
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 64, 8, &q), MPR_SUCCESS);
    /* the report: rank 0 frees the queue while the others enter a barrier */
    MISMATCH(MPR_COMM_WORLD, me == 0 ? mpr_queue_free(&q) : mpr_barrier(MPR_COMM_WORLD));
    CHECK(q != NULL, "a queue_free that failed with a mismatch cleared the handle");
    EXPECT(mpr_queue_put(q, "x", 1, -1), MPR_SUCCESS); /* still usable */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0) {
        char c;
        size_t len;
        EXPECT(mpr_queue_get(q, &c, 1, &len, -1), MPR_SUCCESS);
    }
    MUST(mpr_queue_free(&q), MPR_SUCCESS);

    long a[4] = {1, 2, 3, 4}, b[4];
    MISMATCH(MPR_COMM_WORLD, me == 0 ? mpr_bcast(a, sizeof(a), 0, MPR_COMM_WORLD)
                                     : mpr_reduce(a, b, 4, MPR_LONG, MPR_SUM, 0, MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_allreduce(a, b, 4, MPR_LONG, MPR_SUM, MPR_COMM_WORLD)
                                    : mpr_reduce(a, b, 4, MPR_LONG, MPR_SUM, 0, MPR_COMM_WORLD));
    /* the count 0 of one rank is a call too */
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_gather(NULL, 0, NULL, 0, MPR_COMM_WORLD)
                                    : mpr_scatter(NULL, 0, NULL, 0, MPR_COMM_WORLD));
}

static void arguments(void)
{
    long a[4] = {1, 2, 3, 4}, b[4];
    char buf[64] = {0};
    int root1 = size > 1 ? 1 : 0;
    MISMATCH(MPR_COMM_WORLD, mpr_bcast(buf, 8, last() ? root1 : 0, MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD, mpr_bcast(buf, last() ? 4 : 8, 0, MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD,
             mpr_reduce(a, b, last() ? 3 : 4, MPR_LONG, MPR_SUM, 0, MPR_COMM_WORLD));
    mpr_datatype type = last() ? MPR_UNSIGNED_LONG : MPR_LONG;
    MISMATCH(MPR_COMM_WORLD, mpr_allreduce(a, b, 4, type, MPR_SUM, MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD, mpr_allreduce(a, b, 4, MPR_LONG, last() ? MPR_MAX : MPR_SUM,
                                           MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD, mpr_scan(a, b, last() ? 2 : 4, MPR_LONG, MPR_SUM, MPR_COMM_WORLD));
    char *all = xmalloc(64 * (size_t)size);
    MISMATCH(MPR_COMM_WORLD, mpr_allgather(buf, last() ? 2 : 1, all, MPR_COMM_WORLD));
    MISMATCH(MPR_COMM_WORLD, mpr_gather(buf, 1, all, last() ? root1 : 0, MPR_COMM_WORLD));
    free(all);
    /* after all that, a reduction is right */
    EXPECT(mpr_allreduce(a, b, 4, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(b[3] == 4L * size, "allreduce after mismatches: %ld, wanted %ld", b[3], 4L * size);
}

static void objects(void)
{
    /* different kinds created: nothing is created anywhere */
    mpr_event ev = NULL;
    mpr_semaphore sem = NULL;
    MISMATCH(MPR_COMM_WORLD, me == 0 ? mpr_event_create(MPR_COMM_WORLD, &ev)
                                     : mpr_semaphore_create(MPR_COMM_WORLD, 1, 1, &sem));
    CHECK(ev == NULL && sem == NULL, "a mismatched creation made an object");

    /* two queues freed in different orders */
    mpr_queue q1, q2;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 4, 8, &q1), MPR_SUCCESS);
    MUST(mpr_queue_create(MPR_COMM_WORLD, 4, 8, &q2), MPR_SUCCESS);
    MISMATCH(MPR_COMM_WORLD, mpr_queue_free(last() ? &q2 : &q1));
    EXPECT(mpr_queue_free(&q1), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q2), MPR_SUCCESS);

    mpr_lock lock;
    MUST(mpr_lock_create(MPR_COMM_WORLD, &lock), MPR_SUCCESS);
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_lock_free(&lock) : mpr_barrier(MPR_COMM_WORLD));

    /* the rlock, barrier object and condition: creation and freeing */
    mpr_rlock rl = NULL;
    mpr_barrier_object bo = NULL;
    mpr_condition cond = NULL;
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_rlock_create(MPR_COMM_WORLD, &rl)
                                    : mpr_barrier_object_create(MPR_COMM_WORLD, 1, &bo));
    CHECK(rl == NULL && bo == NULL, "a mismatched creation made an object");
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_condition_create_lock(lock, &cond)
                                    : mpr_rlock_create(MPR_COMM_WORLD, &rl));
    CHECK(rl == NULL && cond == NULL, "a mismatched creation made an object");
    MUST(mpr_rlock_create(MPR_COMM_WORLD, &rl), MPR_SUCCESS);
    MUST(mpr_barrier_object_create(MPR_COMM_WORLD, 1, &bo), MPR_SUCCESS);
    MUST(mpr_condition_create_rlock(rl, &cond), MPR_SUCCESS);
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_barrier_object_free(&bo) : mpr_condition_free(&cond));
    CHECK(bo != NULL && cond != NULL, "a mismatched free cleared a handle");
    EXPECT(mpr_condition_free(&cond), MPR_SUCCESS);
    EXPECT(mpr_barrier_object_free(&bo), MPR_SUCCESS);

    /* the shared array: created beside another kind, freed beside a lock */
    mpr_array arr = NULL;
    mpr_rlock rl2 = NULL;
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_array_create(MPR_COMM_WORLD, MPR_INT, 2, &arr)
                                    : mpr_rlock_create(MPR_COMM_WORLD, &rl2));
    CHECK(arr == NULL && rl2 == NULL, "a mismatched creation made an object");
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_INT, 2, &arr), MPR_SUCCESS);
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_array_free(&arr) : mpr_lock_free(&lock));
    CHECK(arr != NULL && lock != NULL, "a mismatched free cleared a handle");
    EXPECT(mpr_array_free(&arr), MPR_SUCCESS);
    EXPECT(mpr_rlock_free(&rl), MPR_SUCCESS);
    EXPECT(mpr_lock_free(&lock), MPR_SUCCESS);
}

static void communicators(void)
{
    mpr_comm dup = MPR_COMM_NULL, half = MPR_COMM_NULL;
    MISMATCH(MPR_COMM_WORLD, last() ? mpr_comm_split(MPR_COMM_WORLD, 0, 0, &half)
                                    : mpr_comm_dup(MPR_COMM_WORLD, &dup));
    CHECK(dup == MPR_COMM_NULL && half == MPR_COMM_NULL, "a mismatched creation made a comm");

    /* the same kind of call on two communicators of the same ranks */
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &dup), MPR_SUCCESS);
    MISMATCH(MPR_COMM_WORLD, mpr_barrier(last() ? dup : MPR_COMM_WORLD));
    MUST(mpr_barrier(dup), MPR_SUCCESS);

    /* halves: a mismatch on the even one (bcast against barrier), matching
     * calls on the odd one at the same time */
    MUST(mpr_comm_split(MPR_COMM_WORLD, me % 2, -me, &half), MPR_SUCCESS);
    int hrank, hsize;
    mpr_comm_rank(half, &hrank);
    mpr_comm_size(half, &hsize);
    if (me % 2 == 0 && hsize > 1) {
        int x = 7, y;
        MISMATCH(half, hrank == hsize - 1 ? mpr_bcast(&x, sizeof(x), 0, half) : mpr_barrier(half));
        MISMATCH(half, mpr_reduce(&x, &y, 1, MPR_INT, MPR_SUM, hrank == 0 ? 0 : hsize - 1, half));
    } else {
        int x = hrank == 0 ? 42 : 0, y;
        EXPECT(mpr_bcast(&x, sizeof(x), 0, half), MPR_SUCCESS);
        CHECK(x == 42, "bcast on the odd half: %d", x);
        EXPECT(mpr_allreduce(&x, &y, 1, MPR_INT, MPR_SUM, half), MPR_SUCCESS);
        CHECK(y == 42 * hsize, "allreduce on the odd half: %d", y);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_comm_free(&half), MPR_SUCCESS);
    MUST(mpr_comm_free(&dup), MPR_SUCCESS);
}

/* Arguments that may differ between ranks, or that return at once. */
static void matching(void)
{
    int rank = me;
    size_t n = (size_t)size;
    char *send = xmalloc(64 * n), *recv = xmalloc(64 * n);
    size_t *lens = xmalloc(n * sizeof(size_t)), *displs = xmalloc(n * sizeof(size_t));
    size_t *to = xmalloc(n * sizeof(size_t)), *from = xmalloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        lens[i] = i % 3;
        displs[i] = 8 * i;
        to[i] = ((size_t)rank + i) % 3; /* what rank i expects from this one */
        from[i] = to[i];
    }
    memset(send, rank + 1, 64 * n);
    EXPECT(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_bcast(send, 16, size - 1, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_bcast(NULL, 0, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    long a[3] = {rank, 1, 2}, b[3] = {rank, rank, rank};
    EXPECT(mpr_reduce(rank == 0 ? MPR_IN_PLACE : a, rank == 0 ? a : NULL, 3, MPR_LONG, MPR_SUM, 0,
                      MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_reduce(NULL, NULL, 0, MPR_LONG, MPR_SUM, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_allreduce(MPR_IN_PLACE, b, 3, MPR_LONG, MPR_MAX, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_scan(a, b, 3, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_exscan(a, b, 3, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    long *rs = xmalloc(2 * n * sizeof(long));
    for (size_t i = 0; i < 2 * n; i++)
        rs[i] = 1;
    EXPECT(mpr_reduce_scatter_block(rs, b, 2, MPR_LONG, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(b[0] == size && b[1] == size, "reduce_scatter_block: %ld %ld", b[0], b[1]);
    free(rs);
    EXPECT(mpr_gather(send, 4, rank == 1 % size ? recv : NULL, 1 % size, MPR_COMM_WORLD),
           MPR_SUCCESS);
    EXPECT(mpr_gatherv(send, lens[rank], recv, lens, displs, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_scatter(send, 4, rank == 0 ? MPR_IN_PLACE : recv, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_scatterv(send, lens, displs, recv, lens[rank], 0, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_allgather(MPR_IN_PLACE, 4, recv, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_allgatherv(send, lens[rank], recv, lens, displs, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_alltoall(MPR_IN_PLACE, 4, recv, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_alltoall(NULL, 0, NULL, MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_alltoallv(send, to, displs, recv, from, displs, MPR_COMM_WORLD), MPR_SUCCESS);
    /* only rank 0's arguments shape an object */
    mpr_queue q;
    EXPECT(mpr_queue_create(MPR_COMM_WORLD, (size_t)rank + 1, 8, &q), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    mpr_comm c;
    EXPECT(mpr_comm_split(MPR_COMM_WORLD, rank % 2, rank, &c), MPR_SUCCESS);
    EXPECT(mpr_allreduce(a, b, 3, MPR_LONG, MPR_SUM, c), MPR_SUCCESS);
    EXPECT(mpr_comm_free(&c), MPR_SUCCESS);
    EXPECT(mpr_comm_split(MPR_COMM_WORLD, rank == 0 ? 0 : MPR_UNDEFINED, 0, &c), MPR_SUCCESS);
    if (c != MPR_COMM_NULL) {
        EXPECT(mpr_barrier(c), MPR_SUCCESS);
        EXPECT(mpr_comm_free(&c), MPR_SUCCESS);
    }
    free(send);
    free(recv);
    free(lens);
    free(displs);
    free(to);
    free(from);
}

int main(int argc, char **argv)
{
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);
    const char *part = argc > 1 ? argv[1] : "matching";
    if (strcmp(part, "matching") == 0) {
        matching();
    } else if (strcmp(part, "mismatches") == 0) {
        if (!coll_checking()) {
            failf(__LINE__, "mismatches needs MPR_CHECK=1 (they hang otherwise)");
            die();
        }
        if (size > 1) {
            kinds();
            arguments();
            objects();
            communicators();
        }
        matching();
        if (size > 1) { /* a rank that finalizes while another is in a collective */
            int rc = last() ? mpr_barrier(MPR_COMM_WORLD) : mpr_finalize();
            CHECK(rc == MPR_ERR_COLL_MISMATCH, "finalize against barrier returned %s",
                  mpr_error_name(rc));
            mismatches++;
        }
        if (me == 0)
            printf("mismatches: %d\n", mismatches);
    } else {
        failf(__LINE__, "unknown part %s", part);
        die();
    }
    if (failures)
        die();
    MUST(mpr_finalize(), MPR_SUCCESS);
    return 0;
}
