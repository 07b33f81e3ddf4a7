/*
 * mpi_fatal.c - MPI_ERRORS_ARE_FATAL, the default: an erroneous call ends
 * the whole job, naming the rank, the call and the error on stderr.
 * Run: mprun -n 3 ./mpi_fatal CASE   (the driver expects the job to fail)
 *   rank      rank 1 sends to a rank that does not exist (MPI_ERR_RANK)
 *   truncate  rank 0 receives 1 int of a 4-int message (MPI_ERR_TRUNCATE)
 *   comm      a call on a freed communicator handle's NULL (MPI_ERR_COMM)
 *   dup       as rank, on a dup of world that inherited the handler
 *   return    MPI_ERRORS_RETURN: the same bad send returns, the job ends well
 *   abort     rank 1 calls MPI_Abort(world, 7): the job exits with 7
 *   died      (under mprun --enable-recovery) rank 1 exits without
 *             MPI_Finalize; with MPI_ERRORS_RETURN rank 0's receive from
 *             it, its wildcard receive and a collective return
 *             MPI_ERR_PROC_FAILED; "died ok" on stdout
 */
#include <unistd.h>

#include "mpi_check.h"

int main(int argc, char **argv)
{
    start(&argc, &argv);
    const char *what = argc > 1 ? argv[1] : "rank";
    int x[4] = { 1, 2, 3, 4 };
    if (!strcmp(what, "rank")) {
        if (me == 1)
            MPI_Send(x, 1, MPI_INT, np + 1, 0, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
    } else if (!strcmp(what, "truncate")) {
        if (me == 1)
            MPI_Send(x, 4, MPI_INT, 0, 0, MPI_COMM_WORLD);
        if (me == 0)
            MPI_Recv(x, 1, MPI_INT, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Barrier(MPI_COMM_WORLD);
    } else if (!strcmp(what, "comm")) {
        if (me == np - 1)
            MPI_Bcast(x, 1, MPI_INT, 0, MPI_COMM_NULL);
        MPI_Barrier(MPI_COMM_WORLD);
    } else if (!strcmp(what, "dup")) {
        MPI_Comm d;
        MPI_Comm_dup(MPI_COMM_WORLD, &d);
        if (me == 1)
            MPI_Ssend(x, 1, MPI_INT, -4, 0, d);
        MPI_Barrier(d);
    } else if (!strcmp(what, "return")) {
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        int rc = MPI_Send(x, 1, MPI_INT, np + 1, 0, MPI_COMM_WORLD);
        CHECK(rc == MPI_ERR_RANK, "returned %d", rc);
    } else if (!strcmp(what, "died")) {
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        MPI_Barrier(MPI_COMM_WORLD);
        if (me == 1)
            _exit(3);
        if (me == 0) {
            int rc = MPI_Recv(x, 1, MPI_INT, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            CHECK(rc == MPI_ERR_PROC_FAILED, "recv from the dead rank: %d", rc);
            MPI_Request r;
            MPI_Status st;
            rc = MPI_Irecv(x, 1, MPI_INT, MPI_ANY_SOURCE, 0, MPI_COMM_WORLD, &r);
            if (rc == MPI_SUCCESS)
                rc = MPI_Wait(&r, &st);
            CHECK(rc == MPI_ERR_PROC_FAILED, "wildcard recv: %d", rc);
        }
        int rc = MPI_Allreduce(x, x + 1, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        CHECK(rc == MPI_ERR_PROC_FAILED, "allreduce: %d", rc);
        if (failures == 0)
            printf("rank %d: died ok\n", me);
        fflush(stdout);
        _exit(failures ? 1 : 0); /* MPI_Finalize would wait for the dead rank */
    } else if (!strcmp(what, "abort")) {
        if (me == 1)
            MPI_Abort(MPI_COMM_WORLD, 7);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
    }
    return finish();
}
