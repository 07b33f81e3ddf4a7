/*
 * misc_abort - a job that ends badly must end, whole, without hanging.
 *
 *   mprun -n N misc_abort abort RANK CODE   rank RANK calls
 *                                           mpr_abort(MPR_COMM_WORLD, CODE)
 *   mprun -n N misc_abort crash RANK        rank RANK raises SIGSEGV
 *   mprun -n N misc_abort exit RANK         rank RANK exits 0 without mpr_finalize
 *   mprun -n N misc_abort exit-send RANK    as exit; the others are in a
 *                                           1 MiB mpr_send to it
 *
 * RANK may be "last". The other ranks are blocked in mpr_recv from RANK
 * (or mpr_send to it). For abort and crash they must be killed by mprun
 * (if the library reports MPR_ERR_PROC_FAILED first they wait to be
 * killed, or finalize and exit 0 after a crash); for exit the blocked call
 * must return MPR_ERR_PROC_FAILED (then they finalize and exit 0) or mprun
 * must end the job. Any other return prints "rank R: FAIL: ..." and exits 1.
 */
#include <mpr.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    int size;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: misc_abort abort|crash|exit|exit-send RANK [CODE]\n");
        return 2;
    }
    const char *mode = argv[1], *which = argv[2];
    int code = argc > 3 ? atoi(argv[3]) : 7;

    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int victim = strcmp(which, "last") == 0 ? size - 1 : atoi(which);
    if (victim < 0 || victim >= size) {
        failf(__LINE__, "bad RANK %s for %d ranks", which, size);
        die();
    }
    /* everyone is up and has talked once before the trouble starts */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    if (me == victim) {
        usleep(100 * 1000); /* let the others block first (not required) */
        if (strcmp(mode, "abort") == 0) {
            int rc = mpr_abort(MPR_COMM_WORLD, code);
            failf(__LINE__, "mpr_abort returned %s", mpr_error_name(rc));
            _exit(1);
        }
        if (strcmp(mode, "crash") == 0) {
            signal(SIGSEGV, SIG_DFL); /* no sanitizer's handler: die by the signal */
            raise(SIGSEGV);
            failf(__LINE__, "still alive after raise(SIGSEGV)");
            _exit(1);
        }
        if (strcmp(mode, "exit") == 0 || strcmp(mode, "exit-send") == 0)
            _exit(0); /* no mpr_finalize, no atexit handlers */
        failf(__LINE__, "unknown mode %s", mode);
        die();
    }

    char small[16];
    size_t biglen = (size_t)1 << 20;
    char *big = xmalloc(biglen);
    memset(big, 1, biglen);
    mpr_status st;
    int rc;
    if (strcmp(mode, "exit-send") == 0)
        rc = mpr_send(big, biglen, victim, 5, MPR_COMM_WORLD);
    else
        rc = mpr_recv(small, sizeof small, victim, 5, MPR_COMM_WORLD, &st);
    free(big);

    if (rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "%s: the call blocked on rank %d returned %s, wanted MPR_ERR_PROC_FAILED "
              "or to be killed", mode, victim, mpr_error_name(rc));
        _exit(1);
    }
    if (strcmp(mode, "abort") == 0) {
        /* mprun must still kill this rank and exit with the abort code */
        for (;;)
            pause();
    }
    printf("rank %d: blocked call returned MPR_ERR_PROC_FAILED\n", me);
    rc = mpr_finalize();
    if (rc != MPR_SUCCESS && rc != MPR_ERR_PROC_FAILED) {
        failf(__LINE__, "mpr_finalize after a peer died returned %s", mpr_error_name(rc));
        _exit(1);
    }
    return 0;
}
