/*
 * mpi_halo.c - a classic MPI program: Jacobi iterations on a 2-D grid
 * split into horizontal strips, one per rank, with halo rows exchanged by
 * MPI_Sendrecv (MPI_PROC_NULL at the edges) and the residual by
 * MPI_Allreduce. The grid gathered on rank 0 must equal a serial solve.
 * Run: mprun -n 4 ./mpi_halo [n] [iters]
 */
#include <math.h>

#include "mpi_check.h"

static int n, iters;

/* rows [lo, hi) of the n x n grid, plus halos; boundary = 1 on top row */
static double solve(int lo, int hi, int up, int down, double *final_out)
{
    int rows = hi - lo;
    double *u = calloc((size_t)(rows + 2) * n, sizeof(double));
    double *v = calloc((size_t)(rows + 2) * n, sizeof(double));
    if (lo == 0)
        for (int j = 0; j < n; j++) u[n + j] = v[n + j] = 1.0;
    double res = 0;
    for (int it = 0; it < iters; it++) {
        MPI_Sendrecv(&u[1 * n], n, MPI_DOUBLE, up, 0, &u[(rows + 1) * n], n, MPI_DOUBLE, down, 0,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&u[rows * n], n, MPI_DOUBLE, down, 1, &u[0], n, MPI_DOUBLE, up, 1,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        double local = 0;
        for (int i = 1; i <= rows; i++) {
            int gi = lo + i - 1;
            for (int j = 0; j < n; j++) {
                if (gi == 0 || gi == n - 1 || j == 0 || j == n - 1) {
                    v[i * n + j] = u[i * n + j];
                    continue;
                }
                v[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] + u[i * n + j - 1] + u[i * n + j + 1]);
                local += fabs(v[i * n + j] - u[i * n + j]);
            }
        }
        double *t = u; u = v; v = t;
        MPI_Allreduce(&local, &res, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
    if (final_out)
        memcpy(final_out, &u[n], sizeof(double) * (size_t)rows * n);
    free(u);
    free(v);
    return res;
}

int main(int argc, char **argv)
{
    start(&argc, &argv);
    n = argc > 1 ? atoi(argv[1]) : 48;
    iters = argc > 2 ? atoi(argv[2]) : 50;
    int lo = me * n / np, hi = (me + 1) * n / np;
    int up = me > 0 ? me - 1 : MPI_PROC_NULL, down = me < np - 1 ? me + 1 : MPI_PROC_NULL;
    double *mine = malloc(sizeof(double) * (size_t)(hi - lo) * n + 1);
    double res = solve(lo, hi, up, down, mine);

    int *counts = malloc(sizeof(int) * (size_t)np), *displs = malloc(sizeof(int) * (size_t)np);
    for (int r = 0; r < np; r++) {
        displs[r] = r * n / np * n;
        counts[r] = ((r + 1) * n / np - r * n / np) * n;
    }
    double *all = me == 0 ? malloc(sizeof(double) * (size_t)n * n) : NULL;
    MPI_Gatherv(mine, (hi - lo) * n, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (me == 0) {
        /* the same iterations on the whole grid, serially */
        double *ref = malloc(sizeof(double) * (size_t)n * n);
        double *u = calloc((size_t)n * n, sizeof(double)), *v = calloc((size_t)n * n, sizeof(double));
        for (int j = 0; j < n; j++) u[j] = v[j] = 1.0;
        double rr = 0;
        for (int it = 0; it < iters; it++) {
            rr = 0;
            for (int i = 1; i < n - 1; i++)
                for (int j = 1; j < n - 1; j++) {
                    v[i * n + j] = 0.25 * (u[(i - 1) * n + j] + u[(i + 1) * n + j] + u[i * n + j - 1] + u[i * n + j + 1]);
                    rr += fabs(v[i * n + j] - u[i * n + j]);
                }
            double *t = u; u = v; v = t;
        }
        memcpy(ref, u, sizeof(double) * (size_t)n * n);
        int bad = 0;
        for (int i = 0; i < n * n; i++)
            if (fabs(ref[i] - all[i]) > 1e-12)
                bad++;
        CHECK(bad == 0, "%d grid points differ from the serial solve", bad);
        CHECK(fabs(rr - res) < 1e-9 * (1 + rr), "residual %g vs serial %g", res, rr);
        free(u); free(v); free(ref);
    }
    free(all); free(mine); free(counts); free(displs);
    return finish();
}
