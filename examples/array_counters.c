/*
 * array_counters - counters in a shared array, updated under its lock
 * (the multiprocessing program with Array('i', n) and get_lock()).
 *
 *   mprun -n 4 ./examples/array_counters [ITEMS]
 *
 * Every rank "processes" ITEMS items (default 1000) and counts each in one
 * of BINS counters of a shared array, taking the array's lock around the
 * read-modify-write, as Python's `with arr.get_lock(): arr[i] += 1`.
 * A shared value counts the items done with an atomic fetch_add instead,
 * which needs no lock. Rank 0 prints the counters; their sum must equal
 * the value and ITEMS times the number of ranks (exit 1 otherwise).
 * Ranks of other hosts work the same way: their reads and writes go to the
 * home rank's object service.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"
#include "example_util.h"

#define BINS 8

int main(int argc, char **argv)
{
    int rank, size;
    example_start("array_counters", &argc, &argv, &rank, &size);
    long items = arg_long(argc, argv, 1, 1000);

    mpr_array counters, done;
    mpr_lock lock;
    check(mpr_array_create(MPR_COMM_WORLD, MPR_INT, BINS, &counters), "mpr_array_create");
    check(mpr_value_create(MPR_COMM_WORLD, MPR_INT64, &done), "mpr_value_create");
    check(mpr_array_get_lock(counters, &lock), "mpr_array_get_lock");

    for (long i = 0; i < items; i++) {
        int bin = (int)((i * 31 + rank * 7) % BINS), n;
        check(mpr_lock_acquire(lock, MPR_WAIT_FOREVER), "mpr_lock_acquire");
        check(mpr_array_read(counters, bin, 1, &n), "mpr_array_read");
        n++;
        check(mpr_array_write(counters, bin, 1, &n), "mpr_array_write");
        check(mpr_lock_release(lock), "mpr_lock_release");
        check(mpr_array_fetch_add(done, 0, 1, NULL), "mpr_array_fetch_add");
    }
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");

    int status = 0;
    if (rank == 0) {
        int counts[BINS];
        int64_t total;
        long sum = 0;
        check(mpr_array_read(counters, 0, BINS, counts), "mpr_array_read");
        check(mpr_array_read(done, 0, 1, &total), "mpr_array_read");
        printf("counters:");
        for (int b = 0; b < BINS; b++) {
            printf(" %d", counts[b]);
            sum += counts[b];
        }
        printf("\nsum %ld, items done %lld, expected %ld\n", sum, (long long)total,
               items * size);
        status = sum == items * size && total == sum ? 0 : 1;
    }
    check(mpr_bcast(&status, sizeof(status), 0, MPR_COMM_WORLD), "mpr_bcast");
    check(mpr_array_free(&done), "mpr_array_free");
    check(mpr_array_free(&counters), "mpr_array_free");
    check(mpr_finalize(), "mpr_finalize");
    return status;
}
