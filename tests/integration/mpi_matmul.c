/*
 * mpi_matmul.c - a classic MPI program: C = A x B with A's rows scattered
 * (MPI_Scatterv: the rows need not divide evenly), B broadcast, C's rows
 * gathered back (MPI_Gatherv) and checked against a serial product.
 * Run: mprun -n 4 ./mpi_matmul [n]
 */
#include "mpi_check.h"

int main(int argc, char **argv)
{
    start(&argc, &argv);
    int n = argc > 1 ? atoi(argv[1]) : 37;
    double *a = NULL, *c = NULL, *b = malloc(sizeof(double) * (size_t)n * n);
    int *counts = malloc(sizeof(int) * (size_t)np), *displs = malloc(sizeof(int) * (size_t)np);
    for (int r = 0; r < np; r++) {
        int lo = r * n / np, hi = (r + 1) * n / np;
        counts[r] = (hi - lo) * n;
        displs[r] = lo * n;
    }
    if (me == 0) {
        a = malloc(sizeof(double) * (size_t)n * n);
        c = malloc(sizeof(double) * (size_t)n * n);
        for (int i = 0; i < n * n; i++) {
            a[i] = (i % 7) - 3;
            b[i] = (i % 5) * 0.5;
        }
    }
    int rows = counts[me] / n;
    double *la = malloc(sizeof(double) * (size_t)counts[me] + 1), *lc = malloc(sizeof(double) * (size_t)counts[me] + 1);
    OK(MPI_Scatterv(a, counts, displs, MPI_DOUBLE, la, counts[me], MPI_DOUBLE, 0, MPI_COMM_WORLD));
    OK(MPI_Bcast(b, n * n, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += la[i * n + k] * b[k * n + j];
            lc[i * n + j] = s;
        }
    OK(MPI_Gatherv(lc, counts[me], MPI_DOUBLE, c, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    if (me == 0) {
        int bad = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++)
                    s += a[i * n + k] * b[k * n + j];
                bad += s != c[i * n + j];
            }
        CHECK(bad == 0, "%d entries of C wrong", bad);
    }
    free(a); free(b); free(c); free(la); free(lc); free(counts); free(displs);
    return finish();
}
