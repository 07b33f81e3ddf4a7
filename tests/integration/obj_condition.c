/*
 * obj_condition - the shared condition variable, self-checking.
 *
 *   mprun -n N obj_condition ITEMS
 *
 * A bounded buffer (a count in the test's own shared memory, capacity 2):
 * rank 0 puts ITEMS items for each other rank, the others take them, all
 * waiting with wait_for on one condition over a lock; every item is taken
 * once and the count stays within bounds. Then: a wait without the lock is
 * MPR_ERR_NOT_OWNER; a wait that times out returns MPR_ERR_TIMEOUT with the
 * lock held again; notify(1) wakes exactly one of the waiters, notify_all
 * the rest; a condition over an rlock held two levels deep gives both back
 * after its wait; a condition with a lock of its own.
 */
#include <math.h>
#include <sched.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

#define CAPACITY 2

struct shared {
    long count;    /* items in the buffer */
    long taken;
    long waiting;  /* ranks about to wait (notify test) */
    long woken;
};

static struct shared *sh;

static int has_item(void *arg)
{
    (void)arg;
    return sh->count > 0;
}

static int has_room(void *arg)
{
    (void)arg;
    return sh->count < CAPACITY;
}

static int never(void *arg)
{
    (void)arg;
    return 0;
}

static void bounded_buffer(mpr_condition c, int size, int items)
{
    if (size == 1)
        return;
    if (me == 0) {
        for (long i = 0; i < (long)items * (size - 1); i++) {
            MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
            MUST(mpr_condition_wait_for(c, has_room, NULL, 30), MPR_SUCCESS);
            CHECK(sh->count >= 0 && sh->count < CAPACITY, "put into a buffer of %ld", sh->count);
            sh->count++;
            EXPECT(mpr_condition_notify(c, 1), MPR_SUCCESS);
            MUST(mpr_condition_release(c), MPR_SUCCESS);
        }
    } else {
        for (int i = 0; i < items; i++) {
            MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
            MUST(mpr_condition_wait_for(c, has_item, NULL, 30), MPR_SUCCESS);
            CHECK(sh->count > 0 && sh->count <= CAPACITY, "took from a buffer of %ld", sh->count);
            sh->count--;
            sh->taken++;
            /* the producer and the other consumers wait on the same
             * condition: wake them all, they check their predicates */
            EXPECT(mpr_condition_notify_all(c), MPR_SUCCESS);
            MUST(mpr_condition_release(c), MPR_SUCCESS);
        }
    }
}

/* notify(1) wakes one waiter exactly, notify_all the others */
static void notify_counts(mpr_condition c, int size)
{
    if (size < 3)
        return;
    if (me == 0) {
        long w;
        do {
            MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
            w = sh->waiting;
            MUST(mpr_condition_release(c), MPR_SUCCESS);
            if (w < size - 1)
                usleep(1000);
        } while (w < size - 1);
        MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
        EXPECT(mpr_condition_notify(c, 1), MPR_SUCCESS);
        MUST(mpr_condition_release(c), MPR_SUCCESS);
        usleep(300 * 1000);
        MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
        CHECK(sh->woken == 1, "notify(1) woke %ld ranks", sh->woken);
        EXPECT(mpr_condition_notify_all(c), MPR_SUCCESS);
        MUST(mpr_condition_release(c), MPR_SUCCESS);
    } else {
        MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
        sh->waiting++;
        EXPECT(mpr_condition_wait(c, 30), MPR_SUCCESS);
        sh->woken++;
        MUST(mpr_condition_release(c), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(sh->woken == size - 1, "%ld of %d woken", sh->woken, size - 1);
}

int main(int argc, char **argv)
{
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int items = argc > 1 ? atoi(argv[1]) : 50;
    sh = test_shared_memory(sizeof(struct shared));

    mpr_lock lock;
    mpr_condition c = NULL;
    MUST(mpr_lock_create(MPR_COMM_WORLD, &lock), MPR_SUCCESS);
    EXPECT(mpr_condition_create_lock(NULL, &c), MPR_ERR_ARG);
    EXPECT(mpr_condition_create_lock(lock, NULL), MPR_ERR_ARG);
    EXPECT(mpr_condition_create_rlock(NULL, &c), MPR_ERR_ARG);
    EXPECT(mpr_condition_create(NULL, &c), MPR_ERR_ARG);
    MUST(mpr_condition_create_lock(lock, &c), MPR_SUCCESS);
    EXPECT(mpr_condition_wait(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_condition_notify(NULL, 1), MPR_ERR_ARG);
    EXPECT(mpr_condition_free(NULL), MPR_ERR_ARG);
    /* without the lock */
    EXPECT(mpr_condition_wait(c, 0.01), MPR_ERR_NOT_OWNER);
    EXPECT(mpr_condition_wait_for(c, never, NULL, 0.01), MPR_ERR_NOT_OWNER);
    EXPECT(mpr_condition_notify(c, 1), MPR_ERR_NOT_OWNER);
    EXPECT(mpr_condition_notify_all(c), MPR_ERR_NOT_OWNER);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    bounded_buffer(c, size, items);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(sh->count == 0 && sh->taken == (long)items * (size - 1),
          "buffer holds %ld, %ld taken, wanted 0 and %ld", sh->count, sh->taken,
          (long)items * (size - 1));
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* timeouts: the lock is held again afterwards */
    int owner;
    MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
    EXPECT(mpr_condition_notify(c, 0), MPR_ERR_ARG);
    EXPECT(mpr_condition_wait(c, NAN), MPR_ERR_ARG);
    EXPECT(mpr_condition_wait_for(c, NULL, NULL, 1), MPR_ERR_ARG);
    double t0 = mpr_wtime();
    EXPECT(mpr_condition_wait(c, 0.05), MPR_ERR_TIMEOUT);
    double waited = since(t0);
    CHECK(waited >= 0.045 && waited < 10, "wait with timeout 0.05 returned after %.3f s", waited);
    EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
    CHECK(owner == me, "after a timed-out wait the lock is held by %d", owner);
    EXPECT(mpr_condition_wait(c, 0), MPR_ERR_TIMEOUT);
    EXPECT(mpr_condition_wait_for(c, never, NULL, 0.02), MPR_ERR_TIMEOUT);
    EXPECT(mpr_lock_owner(lock, &owner), MPR_SUCCESS);
    CHECK(owner == me, "after wait_for timed out the lock is held by %d", owner);
    MUST(mpr_condition_release(c), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    notify_counts(c, size);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_condition_free(&c), MPR_SUCCESS);
    CHECK(c == NULL, "free did not clear the handle");

    /* over an rlock held two levels deep */
    mpr_rlock rl;
    MUST(mpr_rlock_create(MPR_COMM_WORLD, &rl), MPR_SUCCESS);
    MUST(mpr_condition_create_rlock(rl, &c), MPR_SUCCESS);
    if (me == 0) {
        MUST(mpr_rlock_acquire(rl, 30), MPR_SUCCESS);
        MUST(mpr_condition_acquire(c, 30), MPR_SUCCESS);
        EXPECT(mpr_condition_wait(c, 0.2), MPR_ERR_TIMEOUT);
        unsigned count = 0;
        EXPECT(mpr_rlock_owner(rl, &owner, &count), MPR_SUCCESS);
        CHECK(owner == 0 && count == 2, "after the wait: owner %d count %u", owner, count);
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
    } else if (me == 1) {
        usleep(50 * 1000);
        /* free while rank 0 waits: its wait released both levels */
        EXPECT(mpr_rlock_acquire(rl, 30), MPR_SUCCESS);
        EXPECT(mpr_rlock_release(rl), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_condition_free(&c), MPR_SUCCESS);
    EXPECT(mpr_rlock_free(&rl), MPR_SUCCESS);

    /* a lock of its own */
    MUST(mpr_condition_create(MPR_COMM_WORLD, &c), MPR_SUCCESS);
    memset(sh, 0, sizeof(*sh));
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    bounded_buffer(c, size, items / 2 + 1);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(sh->taken == (long)(items / 2 + 1) * (size - 1), "own lock: %ld taken", sh->taken);
    EXPECT(mpr_condition_free(&c), MPR_SUCCESS);

    EXPECT(mpr_lock_free(&lock), MPR_SUCCESS);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
