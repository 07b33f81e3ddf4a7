/*
 * condition_buffer - a bounded buffer kept in a file, with a condition
 * variable for "there is room" and "there is an item".
 *
 *   mprun -n 4 ./examples/condition_buffer [FILE [ITEMS [CAPACITY]]]
 *
 * Rank 0 produces ITEMS items (default 40) for every other rank; the
 * others consume. The buffer is FILE (default ./condition_buffer.txt),
 * one item per line, holding at most CAPACITY items (default 3). Every
 * access happens under the condition's lock: the producer waits (with
 * mpr_condition_wait_for, as Python's Condition.wait_for) until there is
 * room, appends, and notifies; a consumer waits until there is an item,
 * takes the first line, and notifies. Producer and consumers wait on the
 * same condition for different things, so each change notifies all and
 * every waiter checks its own predicate. At the end every item has been
 * consumed exactly once: rank 0 checks the sum of what was taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"
#include "example_util.h"

#define MAX_CAPACITY 64

static const char *path;

/* Read the buffer: its items into items[], their count returned. */
static int read_buffer(long items[MAX_CAPACITY + 1])
{
    FILE *f = open_or_abort(path, "r");
    int n = 0;
    while (n <= MAX_CAPACITY && fscanf(f, "%ld", &items[n]) == 1)
        n++;
    fclose(f);
    return n;
}

static void write_buffer(const long *items, int n)
{
    FILE *f = open_or_abort(path, "w");
    for (int i = 0; i < n; i++)
        fprintf(f, "%ld\n", items[i]);
    fclose(f);
}

static int capacity;

static int has_room(void *arg)
{
    (void)arg;
    long items[MAX_CAPACITY + 1];
    return read_buffer(items) < capacity;
}

static int has_item(void *arg)
{
    (void)arg;
    long items[MAX_CAPACITY + 1];
    return read_buffer(items) > 0;
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("condition_buffer", &argc, &argv, &rank, &size);
    path = arg_string(argc, argv, 1, "condition_buffer.txt");
    int per_consumer = arg_int(argc, argv, 2, 40);
    capacity = arg_int(argc, argv, 3, 3);
    if (capacity < 1 || capacity > MAX_CAPACITY)
        capacity = 3;

    mpr_condition cond;
    check(mpr_condition_create(MPR_COMM_WORLD, &cond), "mpr_condition_create");
    if (rank == 0)
        write_buffer(NULL, 0);
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");

    long items[MAX_CAPACITY + 1], taken_sum = 0;
    if (rank == 0) {
        long total = (long)per_consumer * (size - 1);
        for (long item = 1; item <= total; item++) {
            check(mpr_condition_acquire(cond, MPR_WAIT_FOREVER), "acquire");
            check(mpr_condition_wait_for(cond, has_room, NULL, MPR_WAIT_FOREVER), "wait_for room");
            int n = read_buffer(items);
            items[n++] = item;
            write_buffer(items, n);
            check(mpr_condition_notify_all(cond), "notify_all");
            check(mpr_condition_release(cond), "release");
        }
    } else {
        for (int i = 0; i < per_consumer; i++) {
            check(mpr_condition_acquire(cond, MPR_WAIT_FOREVER), "acquire");
            check(mpr_condition_wait_for(cond, has_item, NULL, MPR_WAIT_FOREVER), "wait_for item");
            int n = read_buffer(items);
            taken_sum += items[0];
            write_buffer(items + 1, n - 1);
            check(mpr_condition_notify_all(cond), "notify_all");
            check(mpr_condition_release(cond), "release");
        }
    }
    long sum = 0;
    check(mpr_reduce(&taken_sum, &sum, 1, MPR_LONG, MPR_SUM, 0, MPR_COMM_WORLD), "mpr_reduce");
    int failed = 0;
    if (rank == 0) {
        long total = (long)per_consumer * (size - 1);
        long want = total * (total + 1) / 2;
        failed = sum != want || read_buffer(items) != 0;
        printf("condition_buffer: %ld items through a buffer of %d: %s\n", total, capacity,
               failed ? "LOST OR DUPLICATED ITEMS" : "each consumed once");
    }
    check(mpr_condition_free(&cond), "mpr_condition_free");
    check(mpr_finalize(), "mpr_finalize");
    return failed;
}
