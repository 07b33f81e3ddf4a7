/*
 * rlock_log - a recursive lock lets helpers that lock call one another.
 *
 *   mprun -n 4 ./examples/rlock_log [FILE [TRANSACTIONS]]
 *
 * Each rank logs TRANSACTIONS transactions (default 20) to FILE (default
 * ./rlock_log.txt, emptied first). log_line() appends one line under the
 * lock; log_transaction() takes the same lock and calls log_line() three
 * times, so the three lines of a transaction stay together in the file.
 * With a plain lock, log_line() would find its own rank holding the lock
 * (mpr_lock_acquire returns MPR_ERR_DEADLOCK); an rlock just counts the
 * levels (Python's multiprocessing.RLock). At the end rank 0 reads the
 * file back and checks that every transaction's lines are consecutive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "example_util.h"

static mpr_rlock rlock;
static const char *path;

static void log_line(int rank, int transaction, int step)
{
    check(mpr_rlock_acquire(rlock, MPR_WAIT_FOREVER), "mpr_rlock_acquire");
    FILE *f = open_or_abort(path, "a");
    fprintf(f, "%d %d %d\n", rank, transaction, step);
    fclose(f);
    check(mpr_rlock_release(rlock), "mpr_rlock_release");
}

static void log_transaction(int rank, int transaction)
{
    check(mpr_rlock_acquire(rlock, MPR_WAIT_FOREVER), "mpr_rlock_acquire");
    for (int step = 0; step < 3; step++)
        log_line(rank, transaction, step);
    check(mpr_rlock_release(rlock), "mpr_rlock_release");
}

/* Lines come in threes: same rank and transaction, steps 0, 1, 2. */
static int check_file(long want_lines)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    int r, t, s, first_r = -1, first_t = -1;
    long n = 0;
    int bad = 0;
    while (fscanf(f, "%d %d %d", &r, &t, &s) == 3) {
        if (n % 3 == 0) {
            first_r = r;
            first_t = t;
        }
        if (s != n % 3 || r != first_r || t != first_t)
            bad = 1;
        n++;
    }
    fclose(f);
    if (bad || n != want_lines) {
        fprintf(stderr, "rlock_log: %s has %ld lines (wanted %ld)%s\n", path, n, want_lines,
                bad ? ", and transactions are interleaved" : "");
        return 1;
    }
    printf("rlock_log: %ld lines, every transaction in one piece\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("rlock_log", &argc, &argv, &rank, &size);
    path = arg_string(argc, argv, 1, "rlock_log.txt");
    int transactions = arg_int(argc, argv, 2, 20);

    check(mpr_rlock_create(MPR_COMM_WORLD, &rlock), "mpr_rlock_create");
    if (rank == 0) {
        FILE *f = open_or_abort(path, "w");
        fclose(f);
    }
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    for (int t = 0; t < transactions; t++)
        log_transaction(rank, t);
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    int failed = rank == 0 ? check_file(3L * transactions * size) : 0;
    check(mpr_rlock_free(&rlock), "mpr_rlock_free");
    check(mpr_finalize(), "mpr_finalize");
    return failed;
}
