/*
 * obj_lock - the shared lock, self-checking.
 *
 *   mprun -n N obj_lock ROUNDS
 *
 * Every rank increments a plain (non-atomic) counter in the test's own
 * shared memory ROUNDS times under the lock; no increment may be lost.
 * Then ownership: only the holder may release (MPR_ERR_NOT_OWNER), the
 * holder may not acquire again (MPR_ERR_DEADLOCK), others find it busy or
 * time out, and a rank blocked in acquire gets the lock when it is
 * released.
 */
#include <math.h>
#include <sched.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

int main(int argc, char **argv)
{
    int size, owner = -2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    volatile long *counter = test_shared_memory(sizeof(long));

    mpr_lock lock = NULL;
    EXPECT(mpr_lock_create(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_lock_create(NULL, &lock), MPR_ERR_ARG);
    MUST(mpr_lock_create(MPR_COMM_WORLD, &lock), MPR_SUCCESS);
    EXPECT(mpr_lock_acquire(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_lock_acquire(lock, NAN), MPR_ERR_ARG);
    EXPECT(mpr_lock_try_acquire(NULL), MPR_ERR_ARG);
    EXPECT(mpr_lock_release(NULL), MPR_ERR_ARG);
    EXPECT(mpr_lock_owner(NULL, &owner), MPR_ERR_ARG);
    EXPECT(mpr_lock_owner(lock, NULL), MPR_ERR_ARG);
    EXPECT(mpr_lock_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
    CHECK(owner == -1, "a new lock is held by %d", owner);
    EXPECT(mpr_lock_release(lock), MPR_ERR_NOT_OWNER); /* nobody holds it */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    for (int i = 0; i < rounds; i++) {
        int rc = mpr_lock_acquire(lock, 30);
        if (rc != MPR_SUCCESS) {
            failf(__LINE__, "acquire %d returned %s", i, mpr_error_name(rc));
            die();
        }
        long v = *counter;
        if (i % 8 == 0)
            sched_yield(); /* widen the window a lost update would need */
        *counter = v + 1;
        EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
        CHECK(owner == me, "holder is %d while rank %d holds the lock", owner, me);
        EXPECT(mpr_lock_release(lock), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(*counter == (long)size * rounds, "counter %ld, wanted %ld", *counter, (long)size * rounds);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == 0)
        EXPECT(mpr_lock_acquire(lock, 0), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
    CHECK(owner == 0, "holder is %d, wanted 0", owner);
    if (me == 0) {
        EXPECT(mpr_lock_acquire(lock, -1), MPR_ERR_DEADLOCK);
        EXPECT(mpr_lock_acquire(lock, 0.05), MPR_ERR_DEADLOCK);
        EXPECT(mpr_lock_try_acquire(lock), MPR_ERR_DEADLOCK);
    } else {
        EXPECT(mpr_lock_release(lock), MPR_ERR_NOT_OWNER);
        EXPECT(mpr_lock_try_acquire(lock), MPR_ERR_BUSY);
        double t0 = mpr_wtime();
        EXPECT(mpr_lock_acquire(lock, 0.05), MPR_ERR_TIMEOUT);
        double waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "acquire with timeout 0.05 returned after %.3f s",
              waited);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
    CHECK(owner == 0, "a refused release changed the holder to %d", owner);

    /* the last rank blocks in acquire until rank 0 releases */
    if (me == 0) {
        usleep(100 * 1000);
        EXPECT(mpr_lock_release(lock), MPR_SUCCESS);
        EXPECT(mpr_lock_release(lock), MPR_ERR_NOT_OWNER);
    } else if (me == size - 1) {
        EXPECT(mpr_lock_acquire(lock, 30), MPR_SUCCESS);
        EXPECT(mpr_lock_release(lock), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (size == 1)
        EXPECT(mpr_lock_release(lock), MPR_ERR_NOT_OWNER);
    EXPECT(mpr_lock_free(&lock), MPR_SUCCESS);
    CHECK(lock == NULL, "free did not clear the handle");
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
