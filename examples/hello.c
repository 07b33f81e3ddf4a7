/*
 * hello - every rank says who it is and where it runs.
 *
 *   mprun -n 4 ./examples/hello
 *
 * Run without mprun it is a job of one rank.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

/* Reports a failed mpr call and ends the whole job (or just this process
 * when mpr is not initialised). */
static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "hello: %s failed: %s\n", what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
    exit(1);
}

int main(int argc, char **argv)
{
    int rank, size;
    char host[256];

    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");
    check(mpr_get_processor_name(host, sizeof host), "mpr_get_processor_name");

    printf("hello from rank %d of %d on %s\n", rank, size, host);

    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
