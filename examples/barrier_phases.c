/*
 * barrier_phases - ranks work in phases and meet at a barrier object
 * between them; a straggler breaks it, and the others notice in time.
 *
 *   mprun -n 4 ./examples/barrier_phases [PHASES [TIMEOUT]]
 *
 * Every rank works through PHASES phases (default 5), each a short sleep,
 * and waits at the barrier before the next, with TIMEOUT seconds to spare
 * (default 2). The rank that arrives first (index 0, as Python's
 * Barrier.wait returns) reports the phase. In one more phase the last rank
 * stalls for three times the timeout: the first wait to time out breaks the
 * barrier (MPR_ERR_TIMEOUT there, MPR_ERR_BROKEN for the others and for the
 * straggler when it comes), instead of everyone hanging. Then rank 0
 * resets the barrier and a last round shows it works again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mpr.h"
#include "example_util.h"

int main(int argc, char **argv)
{
    int rank, size;
    example_start("barrier_phases", &argc, &argv, &rank, &size);
    int phases = arg_int(argc, argv, 1, 5);
    double timeout = arg_double(argc, argv, 2, 2.0);

    mpr_barrier_object barrier;
    check(mpr_barrier_object_create(MPR_COMM_WORLD, size, &barrier), "mpr_barrier_object_create");
    for (int p = 0; p < phases; p++) {
        usleep((useconds_t)(1000 * (1 + (rank * 7 + p * 3) % 10))); /* the work */
        int index;
        check(mpr_barrier_object_wait(barrier, timeout, &index), "mpr_barrier_object_wait");
        if (index == 0)
            printf("phase %d: all %d ranks done (rank %d was first to arrive)\n", p, size, rank);
    }

    /* the straggler */
    int failed = 0;
    if (size > 1) {
        if (rank == size - 1)
            usleep((useconds_t)(3e6 * timeout));
        int index;
        int rc = mpr_barrier_object_wait(barrier, timeout, &index);
        if (rc == MPR_ERR_TIMEOUT)
            printf("rank %d: timed out waiting for the straggler, barrier broken\n", rank);
        else if (rc != MPR_ERR_BROKEN) {
            fprintf(stderr, "barrier_phases: rank %d: wait returned %s\n", rank,
                    mpr_error_name(rc));
            failed = 1;
        }
        check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier"); /* everyone has seen it */
        if (rank == 0)
            check(mpr_barrier_object_reset(barrier), "mpr_barrier_object_reset");
        check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    }
    int index;
    check(mpr_barrier_object_wait(barrier, timeout, &index), "mpr_barrier_object_wait after reset");
    if (index == size - 1)
        printf("after the reset: all %d ranks met again\n", size);
    check(mpr_barrier_object_free(&barrier), "mpr_barrier_object_free");
    check(mpr_finalize(), "mpr_finalize");
    return failed;
}
