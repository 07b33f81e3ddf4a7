/*
 * bcast - every rank takes a turn as root and broadcasts an array of
 * integers; every rank checks what it received.
 *
 *   mprun -n 4 ./examples/bcast [COUNT]
 *
 * COUNT (default 100000) is the number of ints in the array.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "bcast: %s failed: %s\n", what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
    exit(1);
}

/* What root puts at index i: differs per root, so a message from the
 * wrong root or a stale array is caught. */
static int value_at(int root, long i)
{
    return (int)(i * 3 + root * 1000003L);
}

int main(int argc, char **argv)
{
    int rank, size;
    long count = 100000;

    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");

    if (argc > 1) {
        char *end;
        count = strtol(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || count < 0) {
            if (rank == 0)
                fprintf(stderr, "usage: mprun -n 4 ./examples/bcast [COUNT]\n");
            check(mpr_finalize(), "mpr_finalize");
            return 2;
        }
    }

    int *array = malloc((size_t)(count > 0 ? count : 1) * sizeof *array);
    if (!array) {
        fprintf(stderr, "bcast: out of memory\n");
        mpr_abort(MPR_COMM_WORLD, 1);
        return 1;
    }

    long wrong = 0;
    for (int root = 0; root < size; root++) {
        for (long i = 0; i < count; i++)
            array[i] = rank == root ? value_at(root, i) : -1;
        check(mpr_bcast(array, (size_t)count * sizeof *array, root, MPR_COMM_WORLD),
              "mpr_bcast");
        for (long i = 0; i < count; i++)
            if (array[i] != value_at(root, i))
                wrong++;
    }
    free(array);

    if (wrong > 0)
        fprintf(stderr, "bcast: rank %d: %ld wrong ints\n", rank, wrong);
    else
        printf("bcast: rank %d: %d broadcasts of %ld ints, all ok\n", rank, size, count);

    check(mpr_finalize(), "mpr_finalize");
    return wrong > 0 ? 1 : 0;
}
