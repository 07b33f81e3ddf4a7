/*
 * obj_die - a rank dies while the others are blocked on a shared object:
 * the job must end, whole, without hanging.
 *
 *   mprun -n N obj_die HOW OBJECT [MARK [VICTIM]]
 *
 * HOW is crash (the last rank raises SIGSEGV) or exit (it exits 0 without
 * mpr_finalize); OBJECT is queue (the others block in a get on an empty
 * queue), lock (the last rank holds the lock, the others block in
 * acquire), semaphore (they block in acquire of a semaphore at 0) or event
 * (they block in wait), rlock (as lock, held two levels deep), barrier
 * (they wait at a barrier object that needs the victim too) or condition
 * (they wait on a condition nobody notifies) or array (they add to a
 * shared array, then block on its lock, which the victim holds). After a crash mprun must kill them; after an exit
 * the blocked call must return MPR_ERR_PROC_FAILED (then they finalize and
 * exit 0) unless mprun ends the job first. Anything else prints
 * "rank R: FAIL: ..." and exits 1. VICTIM (default N-1) chooses the rank
 * that dies: 0 is the objects' home (across hosts, the rank whose service
 * the ranks of other hosts use).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int main(int argc, char **argv)
{
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: obj_die crash|exit "
                        "queue|lock|semaphore|event|rlock|barrier|condition|array\n");
        return 2;
    }
    const char *how = argv[1], *object = argv[2];
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int victim = argc > 4 ? atoi(argv[4]) : size - 1;

    mpr_queue q;
    mpr_lock lock;
    mpr_semaphore sem;
    mpr_event ev;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, 0, &q), MPR_SUCCESS);
    MUST(mpr_lock_create(MPR_COMM_WORLD, &lock), MPR_SUCCESS);
    MUST(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &sem), MPR_SUCCESS);
    MUST(mpr_event_create(MPR_COMM_WORLD, &ev), MPR_SUCCESS);
    mpr_rlock rl;
    mpr_barrier_object bar;
    mpr_condition cond;
    MUST(mpr_rlock_create(MPR_COMM_WORLD, &rl), MPR_SUCCESS);
    MUST(mpr_barrier_object_create(MPR_COMM_WORLD, size, &bar), MPR_SUCCESS);
    MUST(mpr_condition_create(MPR_COMM_WORLD, &cond), MPR_SUCCESS);
    mpr_array arr;
    mpr_lock arr_lock;
    MUST(mpr_array_create(MPR_COMM_WORLD, MPR_INT64, 4, &arr), MPR_SUCCESS);
    MUST(mpr_array_get_lock(arr, &arr_lock), MPR_SUCCESS);
    if (me == victim) {
        MUST(mpr_lock_acquire(arr_lock, 0), MPR_SUCCESS);
        MUST(mpr_lock_acquire(lock, 0), MPR_SUCCESS);
        MUST(mpr_rlock_acquire(rl, 0), MPR_SUCCESS);
        MUST(mpr_rlock_acquire(rl, 0), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == victim) {
        usleep(200 * 1000); /* let the others block first (not required) */
        if (strcmp(how, "crash") == 0) {
            signal(SIGSEGV, SIG_DFL); /* no sanitizer's handler: die by the signal */
            raise(SIGSEGV);
        }
        _exit(0); /* no mpr_finalize, no atexit handlers */
    }

    int rc;
    char buf[16];
    size_t len;
    if (strcmp(object, "queue") == 0)
        rc = mpr_queue_get(q, buf, sizeof buf, &len, MPR_WAIT_FOREVER);
    else if (strcmp(object, "lock") == 0)
        rc = mpr_lock_acquire(lock, MPR_WAIT_FOREVER);
    else if (strcmp(object, "semaphore") == 0)
        rc = mpr_semaphore_acquire(sem, MPR_WAIT_FOREVER);
    else if (strcmp(object, "rlock") == 0)
        rc = mpr_rlock_acquire(rl, MPR_WAIT_FOREVER);
    else if (strcmp(object, "barrier") == 0)
        rc = mpr_barrier_object_wait(bar, MPR_WAIT_FOREVER, NULL);
    else if (strcmp(object, "condition") == 0) {
        rc = mpr_condition_acquire(cond, MPR_WAIT_FOREVER);
        if (rc == MPR_SUCCESS)
            rc = mpr_condition_wait(cond, MPR_WAIT_FOREVER);
    } else if (strcmp(object, "array") == 0) {
        /* the victim may be the home already gone: then the add fails */
        rc = mpr_array_fetch_add(arr, 0, 1, NULL);
        if (rc == MPR_SUCCESS)
            rc = mpr_lock_acquire(arr_lock, MPR_WAIT_FOREVER);
    } else
        rc = mpr_event_wait(ev, MPR_WAIT_FOREVER);
    if (rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "%s %s: the blocked call returned %s, wanted MPR_ERR_PROC_FAILED or to "
              "be killed", how, object, mpr_error_name(rc));
        _exit(1);
    }
    printf("rank %d: blocked call returned MPR_ERR_PROC_FAILED\n", me);
    rc = mpr_finalize();
    if (rc != MPR_SUCCESS && rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "mpr_finalize after a peer died returned %s", mpr_error_name(rc));
        _exit(1);
    }
    return 0;
}
