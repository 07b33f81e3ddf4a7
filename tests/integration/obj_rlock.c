/*
 * obj_rlock - the shared recursive lock, self-checking.
 *
 *   mprun -n N obj_rlock ROUNDS
 *
 * Every rank increments a plain counter in the test's own shared memory
 * ROUNDS times while holding the rlock two or three levels deep; no
 * increment may be lost, and the lock stays held until the last release.
 * Then ownership: only the holder may release (MPR_ERR_NOT_OWNER), a
 * free rlock cannot be released, others find it busy or time out, and a
 * rank blocked in acquire gets it once every level is released.
 */
#include <math.h>
#include <sched.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

static int world_me;

static void expect_owner(mpr_rlock rl, int want_owner, unsigned want_count, int line)
{
    int owner = -2;
    unsigned count = 99;
    int rc = mpr_rlock_owner(rl, &owner, &count);
    if (rc != MPR_SUCCESS || owner != want_owner || count != want_count)
        failf(line, "owner %d count %u (%s), wanted %d count %u", owner, count,
              mpr_error_name(rc), want_owner, want_count);
}

int main(int argc, char **argv)
{
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    world_me = me;
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    volatile long *counter = test_shared_memory(sizeof(long));

    mpr_rlock rl = NULL;
    int owner;
    EXPECT(mpr_rlock_create(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_rlock_create(NULL, &rl), MPR_ERR_ARG);
    MUST(mpr_rlock_create(MPR_COMM_WORLD, &rl), MPR_SUCCESS);
    EXPECT(mpr_rlock_acquire(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_rlock_acquire(rl, NAN), MPR_ERR_ARG);
    EXPECT(mpr_rlock_try_acquire(NULL), MPR_ERR_ARG);
    EXPECT(mpr_rlock_release(NULL), MPR_ERR_ARG);
    EXPECT(mpr_rlock_owner(NULL, &owner, NULL), MPR_ERR_ARG);
    EXPECT(mpr_rlock_owner(rl, NULL, NULL), MPR_ERR_ARG);
    EXPECT(mpr_rlock_free(NULL), MPR_ERR_ARG);
    expect_owner(rl, -1, 0, __LINE__);
    EXPECT(mpr_rlock_release(rl), MPR_ERR_NOT_OWNER); /* nobody holds it */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    for (int i = 0; i < rounds; i++) {
        int depth = 2 + i % 2;
        for (int d = 0; d < depth; d++) {
            int rc = mpr_rlock_acquire(rl, 30);
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "acquire %d.%d returned %s", i, d, mpr_error_name(rc));
                die();
            }
        }
        long v = *counter;
        if (i % 8 == 0)
            sched_yield(); /* widen the window a lost update would need */
        *counter = v + 1;
        for (int d = depth; d > 0; d--) {
            expect_owner(rl, world_me, (unsigned)d, __LINE__);
            EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
        }
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(*counter == (long)size * rounds, "counter %ld, wanted %ld", *counter, (long)size * rounds);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* rank 0 holds it two levels deep */
    if (me == 0) {
        EXPECT(mpr_rlock_acquire(rl, 0), MPR_SUCCESS);
        EXPECT(mpr_rlock_try_acquire(rl), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    expect_owner(rl, 0, 2, __LINE__);
    if (me != 0) {
        EXPECT(mpr_rlock_release(rl), MPR_ERR_NOT_OWNER);
        EXPECT(mpr_rlock_try_acquire(rl), MPR_ERR_BUSY);
        double t0 = mpr_wtime();
        EXPECT(mpr_rlock_acquire(rl, 0.05), MPR_ERR_TIMEOUT);
        double waited = since(t0);
        CHECK(waited >= 0.045 && waited < 10, "acquire with timeout 0.05 returned after %.3f s",
              waited);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    expect_owner(rl, 0, 2, __LINE__); /* refused releases and timeouts changed nothing */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* the last rank blocks until rank 0 has released both levels */
    if (me == 0) {
        usleep(50 * 1000);
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
        usleep(100 * 1000); /* still held: the waiter must not have it yet */
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
        EXPECT(mpr_rlock_release(rl), MPR_ERR_NOT_OWNER);
    } else if (me == size - 1) {
        double t0 = mpr_wtime();
        EXPECT(mpr_rlock_acquire(rl, 30), MPR_SUCCESS);
        CHECK(since(t0) >= 0.1, "got the rlock after %.3f s, before its last release", since(t0));
        expect_owner(rl, world_me, 1, __LINE__);
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    expect_owner(rl, -1, 0, __LINE__);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* on a communicator other than world, the owner is still a world rank */
    if (size > 1) {
        mpr_comm odd;
        MUST(mpr_comm_split(MPR_COMM_WORLD, me % 2, size - me, &odd), MPR_SUCCESS);
        mpr_rlock sub;
        MUST(mpr_rlock_create(odd, &sub), MPR_SUCCESS);
        EXPECT(mpr_rlock_acquire(sub, 30), MPR_SUCCESS);
        expect_owner(sub, world_me, 1, __LINE__);
        EXPECT(mpr_rlock_release(sub), MPR_SUCCESS);
        EXPECT(mpr_rlock_free(&sub), MPR_SUCCESS);
        EXPECT(mpr_comm_free(&odd), MPR_SUCCESS);
    }

    EXPECT(mpr_rlock_free(&rl), MPR_SUCCESS);
    CHECK(rl == NULL, "free did not clear the handle");
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
