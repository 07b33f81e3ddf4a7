/*
 * workers - a pool of workers fed by a joinable queue.
 *
 *   mprun -n 4 ./examples/workers [TASKS]
 *
 * Rank 0 puts TASKS tasks (default 100: count the primes below some
 * number) into a task queue, then waits with mpr_queue_join until every
 * task has been got and marked done with mpr_queue_task_done. The workers
 * (every rank but 0, or rank 0 itself when alone) take tasks, put their
 * answers into a result queue and mark each task done. Rank 0 then
 * collects the answers and stops the workers with one sentinel each.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"
#include "example_util.h"

struct task {
    int id;
    int limit; /* count the primes below this */
};

struct result {
    int id;
    int primes;
    int worker;
};

static int count_primes(int limit)
{
    int n = 0;
    for (int i = 2; i < limit; i++) {
        int prime = 1;
        for (int d = 2; d * d <= i && prime; d++)
            prime = i % d != 0;
        n += prime;
    }
    return n;
}

/* Take tasks until the sentinel (or, with stop_when_empty, until none is left). */
static int work(mpr_queue tasks, mpr_queue results, int rank, int stop_when_empty)
{
    int done = 0;
    for (;;) {
        struct task t;
        size_t len;
        int rc = mpr_queue_get(tasks, &t, sizeof t, &len,
                               stop_when_empty ? MPR_NO_WAIT : MPR_WAIT_FOREVER);
        if (rc == MPR_ERR_EMPTY && stop_when_empty)
            return done;
        check(rc, "mpr_queue_get");
        if (len == 0) {
            check(mpr_queue_task_done(tasks), "mpr_queue_task_done");
            return done; /* the sentinel */
        }
        struct result r = { t.id, count_primes(t.limit), rank };
        check(mpr_queue_put(results, &r, sizeof r, MPR_WAIT_FOREVER), "mpr_queue_put");
        check(mpr_queue_task_done(tasks), "mpr_queue_task_done");
        done++;
    }
}

int main(int argc, char **argv)
{
    int rank, size;
    example_start("workers", &argc, &argv, &rank, &size);
    int ntasks = arg_int(argc, argv, 1, 100);

    mpr_queue tasks, results;
    check(mpr_queue_create(MPR_COMM_WORLD, 0, sizeof(struct task), &tasks), "mpr_queue_create");
    check(mpr_queue_create(MPR_COMM_WORLD, 0, sizeof(struct result), &results), "mpr_queue_create");

    int ok = 1;
    if (rank == 0) {
        for (int i = 0; i < ntasks; i++) {
            struct task t = { i, 1000 + 97 * i };
            check(mpr_queue_put(tasks, &t, sizeof t, MPR_WAIT_FOREVER), "mpr_queue_put");
        }
        if (size == 1)
            work(tasks, results, rank, 1);
        double t0 = mpr_wtime();
        check(mpr_queue_join(tasks, MPR_WAIT_FOREVER), "mpr_queue_join");
        printf("workers: all %d tasks done (joined after %.1f ms)\n", ntasks,
               (mpr_wtime() - t0) * 1e3);

        int *by_worker = calloc((size_t)size, sizeof(int));
        for (int i = 0; i < ntasks; i++) {
            struct result r;
            size_t len;
            check(mpr_queue_get(results, &r, sizeof r, &len, MPR_WAIT_FOREVER), "mpr_queue_get");
            if (r.primes != count_primes(1000 + 97 * r.id)) {
                printf("workers: task %d: wrong answer %d from rank %d\n", r.id, r.primes, r.worker);
                ok = 0;
            }
            by_worker[r.worker]++;
        }
        for (int w = 0; w < size; w++)
            if (by_worker[w])
                printf("workers: rank %d did %d tasks\n", w, by_worker[w]);
        free(by_worker);
        for (int w = 1; w < size; w++)
            check(mpr_queue_put(tasks, NULL, 0, MPR_WAIT_FOREVER), "mpr_queue_put (sentinel)");
    } else {
        work(tasks, results, rank, 0);
    }

    check(mpr_queue_free(&tasks), "mpr_queue_free");
    check(mpr_queue_free(&results), "mpr_queue_free");
    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
