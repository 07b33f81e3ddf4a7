/*
 * semaphore_cap - a semaphore caps how many ranks use a resource at once.
 *
 *   mprun -n 6 --oversubscribe ./examples/semaphore_cap [SLOTS]
 *
 * Every rank wants the resource (say, a licence server that takes SLOTS
 * clients, default 2) three times. A semaphore created with value SLOTS
 * lets at most that many ranks in at a time; each prints when it enters
 * and leaves, with the time since the start, so the cap can be read off
 * the output. The semaphore is bounded: releasing more than was acquired
 * would be a bug, and mpr_semaphore_release reports it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mpr.h"
#include "example_util.h"

int main(int argc, char **argv)
{
    int rank;
    example_start("semaphore_cap", &argc, &argv, &rank, NULL);
    int slots = arg_int(argc, argv, 1, 2);

    mpr_semaphore sem;
    check(mpr_semaphore_create(MPR_COMM_WORLD, slots, 1, &sem), "mpr_semaphore_create");
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    double t0 = mpr_wtime();

    for (int turn = 0; turn < 3; turn++) {
        check(mpr_semaphore_acquire(sem, MPR_WAIT_FOREVER), "mpr_semaphore_acquire");
        int free_slots;
        check(mpr_semaphore_value(sem, &free_slots), "mpr_semaphore_value");
        printf("semaphore_cap: %6.1f ms  rank %d in  (free slots about %d)\n",
               (mpr_wtime() - t0) * 1e3, rank, free_slots);
        usleep(50 * 1000); /* using the resource */
        printf("semaphore_cap: %6.1f ms  rank %d out\n", (mpr_wtime() - t0) * 1e3, rank);
        check(mpr_semaphore_release(sem), "mpr_semaphore_release");
    }

    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    if (rank == 0 && mpr_semaphore_release(sem) == MPR_ERR_VALUE)
        printf("semaphore_cap: one release too many is refused, as it should be\n");
    check(mpr_semaphore_free(&sem), "mpr_semaphore_free");
    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
