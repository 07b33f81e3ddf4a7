/*
 * coll_algs_die - a rank dies while the others are inside a shared-memory
 * collective: they must fail (MPR_ERR_PROC_FAILED) or be killed by mprun,
 * never hang.
 *
 *   mprun -n N coll_algs_die barrier|bcast|bcast_large
 *
 * The last rank exits with status 3 after a few good collectives; the
 * others go on calling the collective. A survivor that sees an error
 * reports it and exits 0; mprun ends the job with a non-zero status.
 */
#include <mpr.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "barrier";
    int size;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    size_t len = strcmp(what, "bcast_large") == 0 ? 4u << 20 : 8;
    char *buf = xmalloc(len);
    memset(buf, 1, len);
    for (int i = 0; i < 20; i++) {
        if (i == 10 && me == size - 1) {
            usleep(20000);
            _exit(3);
        }
        int rc = strcmp(what, "barrier") == 0 ? mpr_barrier(MPR_COMM_WORLD)
                                              : mpr_bcast(buf, len, 0, MPR_COMM_WORLD);
        if (rc != MPR_SUCCESS) {
            printf("rank %d: collective %d failed: %s\n", me, i, mpr_error_name(rc));
            _exit(0);
        }
    }
    printf("rank %d: went through\n", me);
    free(buf);
    mpr_finalize();
    return 0;
}
