/*
 * lock_file - a lock around appends to a file that every rank writes.
 *
 *   mprun -n 4 ./examples/lock_file [FILE [LINES]]
 *
 * Each rank appends LINES lines (default 100) to FILE (default
 * ./lock_file.txt, emptied first), each line numbered one more than the
 * line before it, whoever wrote that one: to append, a rank reads the last
 * number in the file and writes the next. Two ranks doing that at once
 * would write the same number, so the read and the write happen under a
 * shared lock. At the end rank 0 reads the file back and checks that the
 * numbers run 1, 2, 3, ... without a gap or a repeat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "example_util.h"

/* The number on the file's last line, 0 for an empty file. */
static long last_number(FILE *f)
{
    char line[128];
    long last = 0, n;
    rewind(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%ld", &n) == 1)
            last = n;
    return last;
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("lock_file", &argc, &argv, &rank, &size);
    const char *path = arg_string(argc, argv, 1, "lock_file.txt");
    int lines = arg_int(argc, argv, 2, 100);

    mpr_lock lock;
    check(mpr_lock_create(MPR_COMM_WORLD, &lock), "mpr_lock_create");
    if (rank == 0) {
        FILE *f = open_or_abort(path, "w");
        fclose(f);
    }
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");

    FILE *f = open_or_abort(path, "a+");
    for (int i = 0; i < lines; i++) {
        check(mpr_lock_acquire(lock, MPR_WAIT_FOREVER), "mpr_lock_acquire");
        long next = last_number(f) + 1;
        fprintf(f, "%ld written by rank %d\n", next, rank);
        fflush(f); /* in the file before the lock is released */
        check(mpr_lock_release(lock), "mpr_lock_release");
    }
    fclose(f);
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");

    int ok = 1;
    if (rank == 0) {
        f = fopen(path, "r");
        char line[128];
        long want = 1, n;
        while (f && fgets(line, sizeof line, f) && ok)
            if (sscanf(line, "%ld", &n) != 1 || n != want++)
                ok = 0;
        if (f)
            fclose(f);
        ok = ok && want == (long)size * lines + 1;
        printf("lock_file: %s: %ld numbered lines from %d ranks, %s\n", path, want - 1, size,
               ok ? "in order, none lost" : "WRONG");
    }
    check(mpr_lock_free(&lock), "mpr_lock_free");
    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
