/*
 * obj_semaphore - the shared semaphore, self-checking.
 *
 *   mprun -n N obj_semaphore K ROUNDS
 *
 * Every rank acquires a bounded semaphore of K ROUNDS times; inside, it
 * counts itself in a counter of the test's own shared memory, which must
 * never exceed K. Then: nowait and timed acquires, the bounded semaphore's
 * over-release error, an unbounded one going past its initial value, bad
 * arguments, and a ping-pong of hand-offs between ranks 0 and 1.
 */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

struct shared {
    _Atomic int inside;
    _Atomic int most_inside;
};

int main(int argc, char **argv)
{
    int size, value = -1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int k = argc > 1 ? atoi(argv[1]) : 2;
    int rounds = argc > 2 ? atoi(argv[2]) : 100;
    struct shared *sh = test_shared_memory(sizeof(*sh));

    mpr_semaphore sem = NULL;
    EXPECT(mpr_semaphore_create(MPR_COMM_WORLD, -1, 0, &sem), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_create(MPR_COMM_WORLD, 1, 0, NULL), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_create(NULL, 1, 0, &sem), MPR_ERR_ARG);
    CHECK(sem == NULL, "a failed create set the handle");
    MUST(mpr_semaphore_create(MPR_COMM_WORLD, k, 1, &sem), MPR_SUCCESS);
    EXPECT(mpr_semaphore_acquire(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_acquire(sem, NAN), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_try_acquire(NULL), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_release(NULL), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_value(NULL, &value), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_value(sem, NULL), MPR_ERR_ARG);
    EXPECT(mpr_semaphore_free(NULL), MPR_ERR_ARG);

    /* the count is never exceeded */
    for (int i = 0; i < rounds; i++) {
        int rc = mpr_semaphore_acquire(sem, 30);
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "acquire %d returned %s", i, mpr_error_name(rc));
            die();
        }
        int now = atomic_fetch_add(&sh->inside, 1) + 1;
        int most = atomic_load(&sh->most_inside);
        while (now > most && !atomic_compare_exchange_weak(&sh->most_inside, &most, now))
            ;
        CHECK(now <= k, "%d ranks inside a semaphore of %d", now, k);
        if (i % 4 == 0)
            sched_yield(); /* stay inside a while: others pile up at the door */
        atomic_fetch_sub(&sh->inside, 1);
        EXPECT(mpr_semaphore_release(sem), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(atomic_load(&sh->most_inside) <= k, "at most %d inside at once, bound %d",
          atomic_load(&sh->most_inside), k);
    EXPECT(mpr_semaphore_value(sem, &value), MPR_SUCCESS);
    CHECK(value == k, "value %d after all released, wanted %d", value, k);
    EXPECT(mpr_semaphore_release(sem), MPR_ERR_VALUE); /* bounded: past the initial value */
    EXPECT(mpr_semaphore_value(sem, &value), MPR_SUCCESS);
    CHECK(value == k, "a refused release changed the value to %d", value);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == 0) {
        for (int i = 0; i < k; i++)
            EXPECT(mpr_semaphore_try_acquire(sem), MPR_SUCCESS);
        EXPECT(mpr_semaphore_try_acquire(sem), MPR_ERR_BUSY);
        EXPECT(mpr_semaphore_acquire(sem, 0), MPR_ERR_BUSY);
        double t0 = mpr_wtime();
        EXPECT(mpr_semaphore_acquire(sem, 0.05), MPR_ERR_TIMEOUT);
        double waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "acquire with timeout 0.05 returned after %.3f s",
              waited);
        EXPECT(mpr_semaphore_value(sem, &value), MPR_SUCCESS);
        CHECK(value == 0, "value %d, wanted 0", value);
        for (int i = 0; i < k; i++)
            EXPECT(mpr_semaphore_release(sem), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_semaphore_free(&sem), MPR_SUCCESS);
    CHECK(sem == NULL, "free did not clear the handle");

    /* unbounded: releases may go past the initial value */
    MUST(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &sem), MPR_SUCCESS);
    EXPECT(mpr_semaphore_release(sem), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_semaphore_value(sem, &value), MPR_SUCCESS);
    CHECK(value == size, "value %d after one release per rank, wanted %d", value, size);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_semaphore_acquire(sem, 30), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_semaphore_free(&sem), MPR_SUCCESS);

    /* hand-offs: ranks 0 and 1 wake each other in turn */
    mpr_semaphore ping, pong;
    MUST(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &ping), MPR_SUCCESS);
    MUST(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &pong), MPR_SUCCESS);
    for (int i = 0; i < 2000 && size > 1; i++) {
        if (me == 0) {
            EXPECT(mpr_semaphore_release(ping), MPR_SUCCESS);
            MUST(mpr_semaphore_acquire(pong, 30), MPR_SUCCESS);
        } else if (me == 1) {
            MUST(mpr_semaphore_acquire(ping, 30), MPR_SUCCESS);
            EXPECT(mpr_semaphore_release(pong), MPR_SUCCESS);
        }
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_semaphore_free(&ping), MPR_SUCCESS);
    EXPECT(mpr_semaphore_free(&pong), MPR_SUCCESS);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
