/*
 * obj_barrier - the barrier object, self-checking.
 *
 *   mprun -n N obj_barrier ROUNDS
 *
 * ROUNDS rounds of every rank: nobody leaves a round before all have
 * arrived (counted in the test's own shared memory), each round hands out
 * the indexes 0..N-1 once each, and a rank racing into the next round is
 * not taken for one of the last. Two ranks of N using a barrier of 2
 * parties. Then breaking: a wait that times out returns MPR_ERR_TIMEOUT
 * and breaks it for the others (MPR_ERR_BROKEN, also for later arrivals);
 * abort wakes every waiter with MPR_ERR_BROKEN; reset with waiters breaks
 * their round and leaves the barrier fresh; n_waiting and broken follow.
 */
#include <math.h>
#include <sched.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

#define SLOTS 64

struct shared {
    long arrived[SLOTS];  /* round r counts in arrived[r % SLOTS] */
    long index_hits[SLOTS][64];
};

static int size;

static void full_rounds(mpr_barrier_object b, struct shared *sh, int rounds)
{
    for (int r = 0; r < rounds; r++) {
        long *arrived = &sh->arrived[r % SLOTS];
        __atomic_fetch_add(arrived, 1, __ATOMIC_SEQ_CST);
        int index = -1;
        int rc = mpr_barrier_object_wait(b, 30, &index);
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "round %d: wait returned %s", r, mpr_error_name(rc));
            die();
        }
        long seen = __atomic_load_n(arrived, __ATOMIC_SEQ_CST);
        CHECK(seen == size, "round %d: left with %ld arrivals counted, wanted %d", r, seen, size);
        if (index < 0 || index >= size) {
            failf(__LINE__, "round %d: index %d", r, index);
            die();
        }
        if (size <= 64)
            __atomic_fetch_add(&sh->index_hits[r % SLOTS][index], 1, __ATOMIC_SEQ_CST);
    }
}

/* Until `want` ranks wait in b. */
static void await_waiters(mpr_barrier_object b, int want)
{
    int n;
    do {
        EXPECT(mpr_barrier_object_n_waiting(b, &n), MPR_SUCCESS);
        if (n < want)
            usleep(1000);
    } while (n < want);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    struct shared *sh = test_shared_memory(sizeof(struct shared));

    mpr_barrier_object b = NULL;
    int index, flag, n;
    EXPECT(mpr_barrier_object_create(MPR_COMM_WORLD, size, NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_create(NULL, 1, &b), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_create(MPR_COMM_WORLD, 0, &b), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_create(MPR_COMM_WORLD, size + 1, &b), MPR_ERR_ARG);
    MUST(mpr_barrier_object_create(MPR_COMM_WORLD, size, &b), MPR_SUCCESS);
    EXPECT(mpr_barrier_object_wait(NULL, 0, &index), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_wait(b, NAN, &index), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_abort(NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_reset(NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_broken(b, NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_n_waiting(NULL, &n), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier_object_parties(b, &n), MPR_SUCCESS);
    CHECK(n == size, "parties %d, wanted %d", n, size);
    EXPECT(mpr_barrier_object_broken(b, &flag), MPR_SUCCESS);
    CHECK(flag == 0, "a new barrier is broken");
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* full rounds: nobody leaves early, indexes 0..size-1 once each */
    int checked = rounds < SLOTS ? rounds : SLOTS;
    full_rounds(b, sh, checked);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == 0 && size <= 64) {
        for (int r = 0; r < checked; r++)
            for (int i = 0; i < size; i++)
                CHECK(sh->index_hits[r][i] == 1, "round %d: index %d given %ld times", r, i,
                      sh->index_hits[r][i]);
    }
    for (int r = checked; r < rounds; r++) /* the rest: speed, no checks */
        MUST(mpr_barrier_object_wait(b, 30, NULL), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* a barrier of 2 for ranks 0 and 1 only, racing through its rounds */
    mpr_barrier_object pair;
    if (size >= 2) {
        MUST(mpr_barrier_object_create(MPR_COMM_WORLD, 2, &pair), MPR_SUCCESS);
        if (me < 2) {
            int sum = 0;
            for (int r = 0; r < rounds; r++) {
                MUST(mpr_barrier_object_wait(pair, 30, &index), MPR_SUCCESS);
                sum += index;
            }
            sh->index_hits[0][me] = sum;
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        CHECK(sh->index_hits[0][0] + sh->index_hits[0][1] == rounds,
              "pair: indexes add up to %ld over %d rounds", sh->index_hits[0][0] + sh->index_hits[0][1],
              rounds);
        EXPECT(mpr_barrier_object_free(&pair), MPR_SUCCESS);
    }
    mpr_barrier_object one;
    MUST(mpr_barrier_object_create(MPR_COMM_WORLD, 1, &one), MPR_SUCCESS);
    EXPECT(mpr_barrier_object_wait(one, 0, &index), MPR_SUCCESS);
    CHECK(index == 0, "a barrier of 1 gave index %d", index);
    EXPECT(mpr_barrier_object_free(&one), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (size >= 2) {
        /* a timeout breaks it: the waiter that timed out gets TIMEOUT */
        if (me == 0) {
            double t0 = mpr_wtime();
            EXPECT(mpr_barrier_object_wait(b, 0.1, &index), MPR_ERR_TIMEOUT);
            double waited = since(t0);
            CHECK(waited >= 0.095 && waited < 10, "wait with timeout 0.1 returned after %.3f s",
                  waited);
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        EXPECT(mpr_barrier_object_broken(b, &flag), MPR_SUCCESS);
        CHECK(flag == 1, "not broken after a timeout");
        EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_ERR_BROKEN);
        EXPECT(mpr_barrier_object_n_waiting(b, &n), MPR_SUCCESS);
        CHECK(n == 0, "%d waiting on a broken barrier", n);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        if (me == 0)
            EXPECT(mpr_barrier_object_reset(b), MPR_SUCCESS);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        EXPECT(mpr_barrier_object_broken(b, &flag), MPR_SUCCESS);
        CHECK(flag == 0, "still broken after a reset");
        EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_SUCCESS);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

        /* timeout 0: the arrival that completes the round succeeds */
        if (me != size - 1) {
            EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_SUCCESS);
        } else {
            await_waiters(b, size - 1);
            EXPECT(mpr_barrier_object_wait(b, 0, &index), MPR_SUCCESS);
            CHECK(index == size - 1, "the last arrival got index %d", index);
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        /* any other arrival with timeout 0 breaks it at once */
        if (me == 0) {
            EXPECT(mpr_barrier_object_wait(b, 0, &index), MPR_ERR_TIMEOUT);
            EXPECT(mpr_barrier_object_wait(b, 0, &index), MPR_ERR_BROKEN);
            EXPECT(mpr_barrier_object_reset(b), MPR_SUCCESS);
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }

    if (size >= 2) {
        /* abort wakes every waiter */
        if (me == 0) {
            await_waiters(b, size - 1);
            EXPECT(mpr_barrier_object_abort(b), MPR_SUCCESS);
        } else {
            EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_ERR_BROKEN);
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        EXPECT(mpr_barrier_object_broken(b, &flag), MPR_SUCCESS);
        CHECK(flag == 1, "not broken after abort");
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        if (me == 0)
            EXPECT(mpr_barrier_object_reset(b), MPR_SUCCESS);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

        /* reset with waiters: their round breaks, the barrier is fresh after */
        if (me == 0) {
            await_waiters(b, size - 1);
            EXPECT(mpr_barrier_object_reset(b), MPR_SUCCESS);
        } else {
            EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_ERR_BROKEN);
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        EXPECT(mpr_barrier_object_broken(b, &flag), MPR_SUCCESS);
        CHECK(flag == 0, "broken after a reset once its waiters left");
        EXPECT(mpr_barrier_object_wait(b, 30, &index), MPR_SUCCESS);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }

    EXPECT(mpr_barrier_object_free(&b), MPR_SUCCESS);
    CHECK(b == NULL, "free did not clear the handle");
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
