/*
 * mpi_pi.c - a classic MPI program: Monte Carlo estimate of pi, each rank
 * throwing darts with its own seed, the hits summed by MPI_Reduce; the
 * count is checked against the sum of per-rank counts gathered apart, and
 * the estimate against pi.
 * Run: mprun -n 4 ./mpi_pi [darts per rank]
 */
#include <math.h>

#include "mpi_check.h"

int main(int argc, char **argv)
{
    start(&argc, &argv);
    long darts = argc > 1 ? atol(argv[1]) : 200000;
    unsigned long long x = 88172645463325252ull ^ (unsigned long long)(me + 1) * 0x9e3779b97f4a7c15ull;
    long hits = 0;
    for (long i = 0; i < darts; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double px = (double)(x >> 11) / 9007199254740992.0;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double py = (double)(x >> 11) / 9007199254740992.0;
        hits += px * px + py * py <= 1.0;
    }
    long total = 0;
    OK(MPI_Reduce(&hits, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD));
    long *each = me == 0 ? malloc(sizeof(long) * (size_t)np) : NULL;
    OK(MPI_Gather(&hits, 1, MPI_LONG, each, 1, MPI_LONG, 0, MPI_COMM_WORLD));
    if (me == 0) {
        long sum = 0;
        for (int r = 0; r < np; r++)
            sum += each[r];
        CHECK(sum == total, "reduce %ld, gathered sum %ld", total, sum);
        double pi = 4.0 * (double)total / ((double)darts * np);
        CHECK(fabs(pi - M_PI) < 0.05, "pi estimate %f", pi);
        printf("pi ~ %.5f from %ld darts\n", pi, darts * np);
    }
    free(each);
    return finish();
}
