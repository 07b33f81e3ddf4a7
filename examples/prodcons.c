/*
 * prodcons - producers and consumers around one shared queue.
 *
 *   mprun -n 4 ./examples/prodcons [ITEMS]
 *
 * The first half of the ranks produce ITEMS numbers each (default 10000)
 * and put them into a bounded queue; the other half get them until they
 * find a sentinel (an empty item). The sentinels must come after every
 * real item, so each producer says it has finished on a semaphore, and
 * rank 0 puts one sentinel per consumer once all have. Consumers add up
 * what they got; rank 0 checks that the grand total is right.
 * With one rank, rank 0 is both producer and consumer (it puts everything
 * first, so ITEMS must fit the queue: at most 65536).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"
#include "example_util.h"

enum { TAG_TOTAL = 1 };

struct item {
    int producer;
    long value;
};

int main(int argc, char **argv)
{
    int rank, size;
    example_start("prodcons", &argc, &argv, &rank, &size);
    long items = arg_long(argc, argv, 1, 10000);
    int producers = size > 1 ? size / 2 : 1;
    int consumers = size > 1 ? size - producers : 1;
    int producing = rank < producers;
    int consuming = size == 1 || rank >= producers;

    mpr_queue queue;
    mpr_semaphore finished; /* one release per producer that is done */
    check(mpr_queue_create(MPR_COMM_WORLD, 0, sizeof(struct item), &queue), "mpr_queue_create");
    check(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &finished), "mpr_semaphore_create");

    if (producing) {
        for (long i = 1; i <= items; i++) {
            struct item it = { rank, i };
            check(mpr_queue_put(queue, &it, sizeof it, MPR_WAIT_FOREVER), "mpr_queue_put");
        }
        check(mpr_semaphore_release(finished), "mpr_semaphore_release");
        if (rank == 0) {
            for (int p = 0; p < producers; p++)
                check(mpr_semaphore_acquire(finished, MPR_WAIT_FOREVER), "mpr_semaphore_acquire");
            for (int c = 0; c < consumers; c++)
                check(mpr_queue_put(queue, NULL, 0, MPR_WAIT_FOREVER), "mpr_queue_put (sentinel)");
        }
    }

    long total = 0, count = 0;
    if (consuming) {
        for (;;) {
            struct item it;
            size_t len;
            check(mpr_queue_get(queue, &it, sizeof it, &len, MPR_WAIT_FOREVER), "mpr_queue_get");
            if (len == 0)
                break; /* the sentinel */
            total += it.value;
            count++;
        }
        printf("prodcons: rank %d consumed %ld items\n", rank, count);
        if (rank != 0)
            check(mpr_send(&total, sizeof total, 0, TAG_TOTAL, MPR_COMM_WORLD), "mpr_send");
    }
    int ok = 1;
    if (rank == 0) {
        long grand = consuming ? total : 0;
        for (int c = consuming ? 1 : 0; c < consumers; c++) {
            long part;
            check(mpr_recv(&part, sizeof part, MPR_ANY_SOURCE, TAG_TOTAL, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            grand += part;
        }
        long want = (long)producers * items * (items + 1) / 2;
        ok = grand == want;
        printf("prodcons: %d producers, %d consumers, total %ld (%s)\n", producers, consumers,
               grand, ok ? "correct" : "WRONG");
    }
    check(mpr_queue_free(&queue), "mpr_queue_free");
    check(mpr_semaphore_free(&finished), "mpr_semaphore_free");
    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
