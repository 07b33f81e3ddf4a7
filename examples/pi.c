/*
 * pi - estimate pi by the midpoint rule: each rank sums its share of the
 * intervals, mpr_allreduce adds the shares up on every rank. Then the
 * ranks split into two halves that each add up their own shares, and
 * mpr_reduce checks that the two halves make the whole again.
 *
 *   mprun -n 4 ./examples/pi [INTERVALS]
 *
 * INTERVALS (default 10000000) is how finely [0, 1] is cut.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "pi: %s failed: %s\n", what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
    exit(1);
}

int main(int argc, char **argv)
{
    int rank, size;
    long intervals = 10000000;

    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");
    if (argc > 1) {
        char *end;
        intervals = strtol(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || intervals < 1) {
            if (rank == 0)
                fprintf(stderr, "usage: mprun -n 4 ./examples/pi [INTERVALS]\n");
            check(mpr_finalize(), "mpr_finalize");
            return 2;
        }
    }

    /* Rank r takes intervals r, r + size, r + 2 size, ... */
    double h = 1.0 / (double)intervals, mine = 0.0;
    for (long i = rank; i < intervals; i += size) {
        double x = h * ((double)i + 0.5);
        mine += 4.0 / (1.0 + x * x);
    }
    mine *= h;

    double pi = 0.0;
    check(mpr_allreduce(&mine, &pi, 1, MPR_DOUBLE, MPR_SUM, MPR_COMM_WORLD), "mpr_allreduce");

    /* The lower and the upper half of the ranks, each with its own sum. */
    mpr_comm half;
    check(mpr_comm_split(MPR_COMM_WORLD, rank < size / 2, rank, &half), "mpr_comm_split");
    double half_sum = 0.0;
    check(mpr_allreduce(&mine, &half_sum, 1, MPR_DOUBLE, MPR_SUM, half), "mpr_allreduce (half)");
    int half_rank;
    check(mpr_comm_rank(half, &half_rank), "mpr_comm_rank (half)");
    /* Rank 0 of each half contributes its half's sum; the others 0. */
    double contribution = half_rank == 0 ? half_sum : 0.0, whole = 0.0;
    check(mpr_reduce(&contribution, &whole, 1, MPR_DOUBLE, MPR_SUM, 0, MPR_COMM_WORLD),
          "mpr_reduce");
    check(mpr_comm_free(&half), "mpr_comm_free");

    int ok = 1;
    if (rank == 0) {
        printf("pi is about %.12f (error %.2e) from %d ranks\n", pi, fabs(pi - M_PI), size);
        if (fabs(whole - pi) > 1e-9 * pi) {
            fprintf(stderr, "pi: the halves add up to %.12f, not %.12f\n", whole, pi);
            ok = 0;
        }
        if (fabs(pi - M_PI) > 1e-6) {
            fprintf(stderr, "pi: too far from pi\n");
            ok = 0;
        }
    }
    check(mpr_bcast(&ok, sizeof ok, 0, MPR_COMM_WORLD), "mpr_bcast");
    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
