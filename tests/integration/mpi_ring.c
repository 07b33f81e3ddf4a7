/*
 * mpi_ring.c - a classic MPI program: a token goes round the ring of
 * ranks `laps` times, each rank adding its rank. Checks the total.
 * Run: mprun -n 4 ./mpi_ring [laps]
 */
#include "mpi_check.h"

int main(int argc, char **argv)
{
    start(&argc, &argv);
    int laps = argc > 1 ? atoi(argv[1]) : 100;
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    long token = 0;
    for (int lap = 0; lap < laps; lap++) {
        if (me == 0) {
            token += me;
            MPI_Send(&token, 1, MPI_LONG, next, lap, MPI_COMM_WORLD);
            MPI_Recv(&token, 1, MPI_LONG, prev, lap, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(&token, 1, MPI_LONG, prev, lap, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            token += me;
            MPI_Send(&token, 1, MPI_LONG, next, lap, MPI_COMM_WORLD);
        }
    }
    if (me == 0)
        CHECK(token == (long)laps * np * (np - 1) / 2, "token %ld", token);
    return finish();
}
