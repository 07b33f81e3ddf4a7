/*
 * mpr-objbench - throughput and latency of mpr's shared objects.
 *
 *   mprun -n 2 mpr-objbench                    every test, a table
 *   mprun -n 8 --oversubscribe mpr-objbench --test queue-mpmc,sem --csv
 *
 * Tests (N is the job size; ranks a test does not use wait in a barrier):
 *   queue-8      rank 0 puts 8-byte items, rank 1 gets them: items/s
 *   queue-4k     the same with 4 KiB items
 *   queue-mpmc   N/2 producers, N/2 consumers, 8-byte items: items/s
 *   sem          hand-off latency: ranks 2i and 2i+1 (N/2 pairs at once)
 *                wake each other through two semaphores: us one way
 *   event        the same through two events (set, wait, clear)
 *   event-all    rank 0 sets an event N-1 ranks wait for: us from the set
 *                to a waiter's return, average over waiters and rounds
 *   value-lock   every rank adds 1 to a shared int Value under its lock
 *                (acquire, read, write, release; Python's
 *                `with v.get_lock(): v.value += 1`): ops/s of all ranks
 *   value-add    the same with mpr_array_fetch_add, no lock: ops/s
 *   pipe         ranks 2i and 2i+1 (N/2 pairs at once) ping-pong 8-byte
 *                messages over a duplex pipe: us one way (half a round trip)
 *   p2p          the same with mpr_send/mpr_recv, the yardstick for pipe
 *   pool-map     rank 0 maps a squaring function over --tasks 8-byte
 *                integers with chunk size 1 on a pool of the N-1 others
 *                (Python's Pool.map(f, xs, chunksize=1)): tasks/s
 *   pool-map-chunks  the same with the default chunk size
 *   pool-async   rank 0 submits --tasks apply_async calls with a callback,
 *                then closes and joins (Python's apply_async(f, (x,),
 *                callback=cb) in a loop, close(), join()): tasks/s
 *   dict-setget  rank 0 alone sets and gets (in turn) 8-byte values of 1000
 *                keys of a shared dict (Python's d[k] = v; v = d[k]): ops/s
 *   dict-all     every rank does the same on keys of its own, at once:
 *                ops/s of all ranks
 * Queue tests end with one empty item (a sentinel) per consumer and count
 * from a common start to the last consumer's end; items are checked
 * (sequence numbers per producer) but not timed separately. Each test
 * runs --repeat times (default 3) after a warm-up, and the best run is
 * reported. The times of different ranks are comparable because
 * mpr_wtime reads the host's monotonic clock.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr.h"

enum { TAG_DONE = 1, TAG_END = 2, TAG_PING = 3 };

enum test_id {
    T_QUEUE8, T_QUEUE4K, T_QUEUE_MPMC, T_SEM, T_EVENT, T_EVENT_ALL, T_VALUE_LOCK, T_VALUE_ADD,
    T_PIPE, T_P2P, T_POOL_MAP, T_POOL_MAP_CHUNKS, T_POOL_ASYNC, T_DICT_SETGET, T_DICT_ALL,
    T_COUNT
};

static const struct {
    const char *name;
    const char *unit;
    int min_ranks;
} tests[T_COUNT] = {
    [T_QUEUE8] = { "queue-8", "items/s", 2 },
    [T_QUEUE4K] = { "queue-4k", "items/s", 2 },
    [T_QUEUE_MPMC] = { "queue-mpmc", "items/s", 2 },
    [T_SEM] = { "sem", "us", 2 },
    [T_EVENT] = { "event", "us", 2 },
    [T_EVENT_ALL] = { "event-all", "us", 2 },
    [T_VALUE_LOCK] = { "value-lock", "ops/s", 2 },
    [T_VALUE_ADD] = { "value-add", "ops/s", 2 },
    [T_PIPE] = { "pipe", "us", 2 },
    [T_P2P] = { "p2p", "us", 2 },
    [T_POOL_MAP] = { "pool-map", "tasks/s", 2 },
    [T_POOL_MAP_CHUNKS] = { "pool-map-chunks", "tasks/s", 2 },
    [T_POOL_ASYNC] = { "pool-async", "tasks/s", 2 },
    [T_DICT_SETGET] = { "dict-setget", "ops/s", 1 },
    [T_DICT_ALL] = { "dict-all", "ops/s", 1 },
};

static struct {
    unsigned tests;
    long items;      /* per producer, 8-byte tests */
    long items_4k;
    long handoffs;   /* per pair */
    long rounds;     /* event-all */
    long ops;        /* per rank, value tests */
    long tasks;      /* pool tests */
    int repeat;
    size_t maxsize;
    int csv;
} opt = { .items = 1000000, .items_4k = 200000, .handoffs = 20000, .rounds = 2000, .ops = 200000,
          .tasks = 200000, .repeat = 3, .maxsize = 0 };

static int rank, size;

static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "mpr-objbench: rank %d: %s failed: %s\n", rank, what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: mprun -n N mpr-objbench [--test LIST] [--items N] [--items-4k N]\n"
                 "         [--handoffs N] [--rounds N] [--ops N] [--tasks N] [--repeat R]\n"
                 "         [--maxsize M] [--csv]\n"
                 "tests: queue-8, queue-4k, queue-mpmc, sem, event, event-all, value-lock,\n"
                 "       value-add, pipe, p2p, pool-map, pool-map-chunks, pool-async,\n"
                 "       dict-setget, dict-all, all\n");
}

static void parse(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "test", required_argument, NULL, 't' },     { "items", required_argument, NULL, 'i' },
        { "items-4k", required_argument, NULL, 'k' }, { "handoffs", required_argument, NULL, 'h' },
        { "rounds", required_argument, NULL, 'r' },   { "repeat", required_argument, NULL, 'R' },
        { "maxsize", required_argument, NULL, 'm' },  { "csv", no_argument, NULL, 'c' },
        { "ops", required_argument, NULL, 'o' },      { "help", no_argument, NULL, 'H' },
        { "tasks", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *list = strdup(optarg), *save = NULL;
            for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                int found = strcmp(name, "all") == 0;
                if (found)
                    opt.tests = (1u << T_COUNT) - 1;
                for (int t = 0; t < T_COUNT; t++)
                    if (strcmp(name, tests[t].name) == 0) {
                        opt.tests |= 1u << t;
                        found = 1;
                    }
                if (!found) {
                    if (rank == 0)
                        fprintf(stderr, "mpr-objbench: unknown test %s\n", name);
                    exit(2);
                }
            }
            free(list);
            break;
        }
        case 'i': opt.items = atol(optarg); break;
        case 'k': opt.items_4k = atol(optarg); break;
        case 'h': opt.handoffs = atol(optarg); break;
        case 'r': opt.rounds = atol(optarg); break;
        case 'o': opt.ops = atol(optarg); break;
        case 'T': opt.tasks = atol(optarg); break;
        case 'R': opt.repeat = atoi(optarg); break;
        case 'm': opt.maxsize = (size_t)atol(optarg); break;
        case 'c': opt.csv = 1; break;
        case 'H': if (rank == 0) usage(stdout); exit(0);
        default: if (rank == 0) usage(stderr); exit(2);
        }
    }
    if (!opt.tests)
        opt.tests = (1u << T_COUNT) - 1;
    if (opt.tasks < 1 || opt.items < 1 || opt.items_4k < 1 || opt.handoffs < 1 || opt.rounds < 1 || opt.repeat < 1) {
        if (rank == 0)
            fprintf(stderr, "mpr-objbench: counts must be at least 1\n");
        exit(2);
    }
}

/* ---- queues ------------------------------------------------------------ */

/* Producers 0..P-1 put `items` items of item_bytes each; ranks P..P+C-1
 * get until a sentinel. Returns items/s on rank 0 (0 elsewhere). */
static double queue_run(mpr_queue q, int producers, int consumers, size_t item_bytes, long items)
{
    unsigned char *buf = calloc(1, item_bytes);
    if (!buf)
        check(MPR_ERR_NO_MEM, "calloc");
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    double start = mpr_wtime(), end = start;

    if (rank < producers) {
        for (long i = 0; i < items; i++) {
            memcpy(buf, &i, sizeof i);
            check(mpr_queue_put(q, buf, item_bytes, MPR_WAIT_FOREVER), "mpr_queue_put");
        }
        if (rank != 0) {
            check(mpr_send(NULL, 0, 0, TAG_DONE, MPR_COMM_WORLD), "mpr_send");
        } else {
            for (int p = 1; p < producers; p++)
                check(mpr_recv(NULL, 0, MPR_ANY_SOURCE, TAG_DONE, MPR_COMM_WORLD,
                               MPR_STATUS_IGNORE), "mpr_recv");
            for (int c = 0; c < consumers; c++)
                check(mpr_queue_put(q, NULL, 0, MPR_WAIT_FOREVER), "mpr_queue_put");
        }
    } else if (rank < producers + consumers) {
        for (;;) {
            size_t len;
            check(mpr_queue_get(q, buf, item_bytes, &len, MPR_WAIT_FOREVER), "mpr_queue_get");
            if (len == 0)
                break;
        }
        end = mpr_wtime();
        check(mpr_send(&end, sizeof end, 0, TAG_END, MPR_COMM_WORLD), "mpr_send");
    }
    double rate = 0;
    if (rank == 0) {
        for (int c = 0; c < consumers; c++) {
            double e;
            check(mpr_recv(&e, sizeof e, MPR_ANY_SOURCE, TAG_END, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            if (e > end)
                end = e;
        }
        rate = (double)items * producers / (end - start);
    }
    free(buf);
    return rate;
}

static double queue_test(int producers, int consumers, size_t item_bytes, long items)
{
    mpr_queue q;
    check(mpr_queue_create(MPR_COMM_WORLD, opt.maxsize, item_bytes, &q), "mpr_queue_create");
    queue_run(q, producers, consumers, item_bytes, items / 10 + 1); /* warm-up */
    double best = 0;
    for (int r = 0; r < opt.repeat; r++) {
        double rate = queue_run(q, producers, consumers, item_bytes, items);
        if (rate > best)
            best = rate;
    }
    check(mpr_queue_free(&q), "mpr_queue_free");
    return best;
}

/* ---- hand-offs ------------------------------------------------------- */

/* One-way hand-off time of pair (2i, 2i+1), averaged over pairs, on rank 0. */
static double pair_average(double mine)
{
    double sum = mine;
    int pairs = size / 2;
    if (rank % 2 == 0 && rank != 0 && rank + 1 < size)
        check(mpr_send(&mine, sizeof mine, 0, TAG_END, MPR_COMM_WORLD), "mpr_send");
    if (rank == 0) {
        for (int p = 1; p < pairs; p++) {
            double t;
            check(mpr_recv(&t, sizeof t, MPR_ANY_SOURCE, TAG_END, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            sum += t;
        }
    }
    return sum / pairs;
}

/* The two objects of each pair (2i, 2i+1), ping and pong: semaphores
 * (given by release, taken by acquire) or events (set; wait, clear). */
struct handoff {
    int n;
    mpr_semaphore *sems;
    mpr_event *events;
};

static void handoff_give(const struct handoff *h, int i)
{
    if (h->sems) {
        check(mpr_semaphore_release(h->sems[i]), "mpr_semaphore_release");
    } else {
        check(mpr_event_set(h->events[i]), "mpr_event_set");
    }
}

static void handoff_take(const struct handoff *h, int i)
{
    if (h->sems) {
        check(mpr_semaphore_acquire(h->sems[i], MPR_WAIT_FOREVER), "mpr_semaphore_acquire");
    } else {
        check(mpr_event_wait(h->events[i], MPR_WAIT_FOREVER), "mpr_event_wait");
        check(mpr_event_clear(h->events[i]), "mpr_event_clear");
    }
}

static double handoff_run(const struct handoff *h, long n)
{
    int pair = rank / 2;
    double mine = 0;
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    if (rank + 1 < size || rank % 2 == 1) {
        int ping = 2 * pair, pong = 2 * pair + 1;
        double start = mpr_wtime();
        for (long i = 0; i < n; i++) {
            if (rank % 2 == 0) {
                handoff_give(h, ping);
                handoff_take(h, pong);
            } else {
                handoff_take(h, ping);
                handoff_give(h, pong);
            }
        }
        mine = (mpr_wtime() - start) / (2.0 * (double)n) * 1e6;
    }
    return pair_average(mine);
}

/* T_SEM or T_EVENT: the best one-way hand-off time. */
static double handoff_test(int kind)
{
    struct handoff h = { .n = 2 * (size / 2) };
    if (kind == T_SEM)
        h.sems = calloc((size_t)h.n, sizeof(*h.sems));
    else
        h.events = calloc((size_t)h.n, sizeof(*h.events));
    for (int i = 0; i < h.n; i++) {
        if (h.sems)
            check(mpr_semaphore_create(MPR_COMM_WORLD, 0, 0, &h.sems[i]), "mpr_semaphore_create");
        else
            check(mpr_event_create(MPR_COMM_WORLD, &h.events[i]), "mpr_event_create");
    }
    handoff_run(&h, opt.handoffs / 10 + 1);
    double best = 1e300;
    for (int r = 0; r < opt.repeat; r++) {
        double t = handoff_run(&h, opt.handoffs);
        if (t < best)
            best = t;
    }
    for (int i = 0; i < h.n; i++) {
        if (h.sems)
            check(mpr_semaphore_free(&h.sems[i]), "mpr_semaphore_free");
        else
            check(mpr_event_free(&h.events[i]), "mpr_event_free");
    }
    free(h.sems);
    free(h.events);
    return best;
}

/* Rank 0 sets, everyone else wakes: average set-to-wake time on rank 0. */
static double event_all_run(mpr_event ev, long rounds)
{
    double *set_at = calloc((size_t)rounds, sizeof(double));
    double *woke_at = calloc((size_t)rounds, sizeof(double));
    if (!set_at || !woke_at)
        check(MPR_ERR_NO_MEM, "calloc");
    for (long r = 0; r < rounds; r++) {
        check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
        if (rank == 0) {
            double until = mpr_wtime() + 20e-6; /* the waiters are in wait by now */
            while (mpr_wtime() < until)
                ;
            set_at[r] = mpr_wtime();
            check(mpr_event_set(ev), "mpr_event_set");
        } else {
            check(mpr_event_wait(ev, MPR_WAIT_FOREVER), "mpr_event_wait");
            woke_at[r] = mpr_wtime();
        }
        check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
        if (rank == 0)
            check(mpr_event_clear(ev), "mpr_event_clear");
    }
    check(mpr_bcast(set_at, (size_t)rounds * sizeof(double), 0, MPR_COMM_WORLD), "mpr_bcast");
    double waited = 0;
    if (rank != 0) {
        for (long r = 0; r < rounds; r++)
            waited += woke_at[r] - set_at[r];
        waited /= (double)rounds;
        check(mpr_send(&waited, sizeof waited, 0, TAG_END, MPR_COMM_WORLD), "mpr_send");
    } else {
        for (int w = 1; w < size; w++) {
            double t;
            check(mpr_recv(&t, sizeof t, MPR_ANY_SOURCE, TAG_END, MPR_COMM_WORLD,
                           MPR_STATUS_IGNORE), "mpr_recv");
            waited += t;
        }
        waited /= size - 1;
    }
    free(set_at);
    free(woke_at);
    return waited * 1e6;
}

static double event_all_test(void)
{
    mpr_event ev;
    check(mpr_event_create(MPR_COMM_WORLD, &ev), "mpr_event_create");
    event_all_run(ev, opt.rounds / 10 + 1);
    double best = 1e300;
    for (int r = 0; r < opt.repeat; r++) {
        double t = event_all_run(ev, opt.rounds);
        if (t < best)
            best = t;
    }
    check(mpr_event_free(&ev), "mpr_event_free");
    return best;
}

/* ---- shared value ---------------------------------------------------- */

/* Every rank adds 1 n times, under the lock or with fetch_add; ops/s from
 * a common start to the last rank's end (rank 0's answer). */
static double value_run(mpr_array v, mpr_lock lock, int locked, long n)
{
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    double start = mpr_wtime();
    for (long i = 0; i < n; i++) {
        if (locked) {
            int x;
            check(mpr_lock_acquire(lock, MPR_WAIT_FOREVER), "mpr_lock_acquire");
            check(mpr_array_read(v, 0, 1, &x), "mpr_array_read");
            x++;
            check(mpr_array_write(v, 0, 1, &x), "mpr_array_write");
            check(mpr_lock_release(lock), "mpr_lock_release");
        } else {
            check(mpr_array_fetch_add(v, 0, 1, NULL), "mpr_array_fetch_add");
        }
    }
    double end = mpr_wtime(), last;
    check(mpr_allreduce(&end, &last, 1, MPR_DOUBLE, MPR_MAX, MPR_COMM_WORLD), "mpr_allreduce");
    return (double)n * size / (last - start);
}

static double value_test(int locked)
{
    mpr_array v;
    mpr_lock lock;
    check(mpr_value_create(MPR_COMM_WORLD, MPR_INT, &v), "mpr_value_create");
    check(mpr_array_get_lock(v, &lock), "mpr_array_get_lock");
    value_run(v, lock, locked, opt.ops / 10 + 1);
    double best = 0;
    for (int r = 0; r < opt.repeat; r++) {
        double t = value_run(v, lock, locked, opt.ops);
        if (t > best)
            best = t;
    }
    int x;
    check(mpr_array_read(v, 0, 1, &x), "mpr_array_read");
    long want = (opt.ops / 10 + 1 + opt.ops * opt.repeat) * size;
    if (rank == 0 && x != (int)want)
        fprintf(stderr, "mpr-objbench: value %d after the runs, wanted %ld\n", x, want);
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    check(mpr_array_free(&v), "mpr_array_free");
    return best;
}

/* ---- Manager dict ------------------------------------------------------ */

#define DICT_KEYS 1000

/* n calls (set and get in turn) by the ranks that take part (all, or rank
 * 0 alone); ops/s of them all from a common start to the last one's end. */
static double dict_run(mpr_dict d, int all, long n)
{
    char keys[DICT_KEYS][24];
    size_t lens[DICT_KEYS];
    for (int k = 0; k < DICT_KEYS; k++)
        lens[k] = (size_t)snprintf(keys[k], sizeof keys[k], "key-%d-%d", rank, k);
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    double start = mpr_wtime(), end = start;
    if (all || rank == 0) {
        int64_t v = 0;
        for (long i = 0; i < n; i += 2) {
            int k = (int)((i / 2) % DICT_KEYS);
            v = i;
            check(mpr_dict_set(d, keys[k], lens[k], &v, sizeof v), "mpr_dict_set");
            check(mpr_dict_get(d, keys[k], lens[k], &v, sizeof v, NULL), "mpr_dict_get");
        }
        if (v != (n - 1) / 2 * 2)
            fprintf(stderr, "mpr-objbench: dict read back %lld\n", (long long)v);
        end = mpr_wtime();
    }
    double last;
    check(mpr_allreduce(&end, &last, 1, MPR_DOUBLE, MPR_MAX, MPR_COMM_WORLD), "mpr_allreduce");
    return (double)n * (all ? size : 1) / (last - start);
}

static double dict_test(int all)
{
    mpr_dict d;
    check(mpr_dict_create(MPR_COMM_WORLD, 0, 0, &d), "mpr_dict_create");
    dict_run(d, all, opt.ops / 10 + 2);
    double best = 0;
    for (int r = 0; r < opt.repeat; r++) {
        double t = dict_run(d, all, 5 * opt.ops);
        if (t > best)
            best = t;
    }
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    check(mpr_dict_free(&d), "mpr_dict_free");
    return best;
}

/* ---- pipe and its yardstick ------------------------------------------ */

/* n round trips of 8 bytes between the pair, over pipe p (NULL: p2p). */
static double pingpong_run(mpr_pipe p, long n)
{
    int peer = rank ^ 1;
    double mine = 0;
    uint64_t word = 0;
    check(mpr_barrier(MPR_COMM_WORLD), "mpr_barrier");
    if (peer < size) {
        double start = mpr_wtime();
        for (long i = 0; i < n; i++) {
            if (rank % 2 == 0) {
                if (p) {
                    check(mpr_pipe_send(p, &word, sizeof word), "mpr_pipe_send");
                    check(mpr_pipe_recv(p, &word, sizeof word, NULL, MPR_WAIT_FOREVER),
                          "mpr_pipe_recv");
                } else {
                    check(mpr_send(&word, sizeof word, peer, TAG_PING, MPR_COMM_WORLD), "mpr_send");
                    check(mpr_recv(&word, sizeof word, peer, TAG_PING, MPR_COMM_WORLD,
                                   MPR_STATUS_IGNORE), "mpr_recv");
                }
            } else {
                if (p) {
                    check(mpr_pipe_recv(p, &word, sizeof word, NULL, MPR_WAIT_FOREVER),
                          "mpr_pipe_recv");
                    check(mpr_pipe_send(p, &word, sizeof word), "mpr_pipe_send");
                } else {
                    check(mpr_recv(&word, sizeof word, peer, TAG_PING, MPR_COMM_WORLD,
                                   MPR_STATUS_IGNORE), "mpr_recv");
                    check(mpr_send(&word, sizeof word, peer, TAG_PING, MPR_COMM_WORLD), "mpr_send");
                }
                word++;
            }
        }
        mine = (mpr_wtime() - start) / (2.0 * (double)n) * 1e6;
    }
    return pair_average(mine);
}

static double pingpong_test(int use_pipe)
{
    mpr_pipe p = NULL;
    if (use_pipe && (rank ^ 1) < size)
        check(mpr_pipe_open(MPR_COMM_WORLD, rank ^ 1, 0, MPR_PIPE_DUPLEX, &p), "mpr_pipe_open");
    pingpong_run(p, opt.handoffs / 10 + 1);
    double best = 1e300;
    for (int r = 0; r < opt.repeat; r++) {
        double t = pingpong_run(p, opt.handoffs);
        if (t < best)
            best = t;
    }
    if (p)
        check(mpr_pipe_close(&p), "mpr_pipe_close");
    return best;
}

/* ---- pool ------------------------------------------------------------- */

static int pool_square(const void *in, size_t in_len, void *out, size_t *out_len, void *arg)
{
    (void)in_len;
    (void)arg;
    int64_t x;
    memcpy(&x, in, sizeof x);
    x *= x;
    memcpy(out, &x, sizeof x);
    *out_len = sizeof x;
    return MPR_SUCCESS;
}

static void pool_count(void *user, const void *out, size_t len)
{
    (void)out;
    (void)len;
    ++*(long *)user;
}

/* One pool, one timed round of `kind` with n tasks: tasks/s on rank 0. */
static double pool_run(int kind, long n, int64_t *in, int64_t *out)
{
    mpr_pool pool;
    check(mpr_pool_create(MPR_COMM_WORLD, 0, &pool), "mpr_pool_create");
    check(mpr_pool_register(pool, "square", pool_square, NULL), "mpr_pool_register");
    double rate = 0;
    if (rank != 0) {
        check(mpr_pool_serve(pool), "mpr_pool_serve");
    } else {
        double start = mpr_wtime();
        if (kind == T_POOL_ASYNC) {
            long done = 0;
            for (long i = 0; i < n; i++)
                check(mpr_pool_apply_async(pool, "square", &in[i], sizeof in[i], pool_count,
                                           NULL, &done, NULL),
                      "mpr_pool_apply_async");
            check(mpr_pool_close(pool), "mpr_pool_close");
            check(mpr_pool_join(pool), "mpr_pool_join");
            if (done != n)
                check(MPR_ERR_INTERNAL, "pool-async: callbacks missing");
        } else {
            check(mpr_pool_map(pool, "square", in, (size_t)n, sizeof *in, out, sizeof *out,
                               kind == T_POOL_MAP ? 1 : 0, NULL),
                  "mpr_pool_map");
        }
        rate = (double)n / (mpr_wtime() - start);
        if (kind != T_POOL_ASYNC) {
            for (long i = 0; i < n; i++)
                if (out[i] != in[i] * in[i])
                    check(MPR_ERR_INTERNAL, "pool-map: a wrong result");
            check(mpr_pool_close(pool), "mpr_pool_close");
            check(mpr_pool_join(pool), "mpr_pool_join");
        }
    }
    check(mpr_pool_free(&pool), "mpr_pool_free");
    return rate;
}

static double pool_test(int kind)
{
    long n = opt.tasks;
    int64_t *in = malloc((size_t)n * sizeof *in), *out = malloc((size_t)n * sizeof *out);
    if (!in || !out)
        check(MPR_ERR_NO_MEM, "malloc");
    for (long i = 0; i < n; i++)
        in[i] = i;
    pool_run(kind, n / 10 + 1, in, out);
    double best = 0;
    for (int r = 0; r < opt.repeat; r++) {
        double v = pool_run(kind, n, in, out);
        if (v > best)
            best = v;
    }
    free(in);
    free(out);
    return best;
}

int main(int argc, char **argv)
{
    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");
    parse(argc, argv);
    if (size < 2) {
        if (rank == 0)
            fprintf(stderr, "mpr-objbench: needs at least 2 ranks\n");
        mpr_finalize();
        return 2;
    }

    if (rank == 0) {
        if (opt.csv)
            printf("test,ranks,value,unit\n");
        else
            printf("# mpr-objbench, %d ranks (best of %d runs)\n%-12s %14s  %s\n", size,
                   opt.repeat, "test", "value", "unit");
    }
    for (int t = 0; t < T_COUNT; t++) {
        if (!(opt.tests & (1u << t)) || size < tests[t].min_ranks)
            continue;
        double value = 0;
        switch (t) {
        case T_QUEUE8: value = queue_test(1, 1, 8, opt.items); break;
        case T_QUEUE4K: value = queue_test(1, 1, 4096, opt.items_4k); break;
        case T_QUEUE_MPMC: value = queue_test(size / 2, size - size / 2, 8, opt.items / (size / 2)); break;
        case T_SEM:
        case T_EVENT: value = handoff_test(t); break;
        case T_EVENT_ALL: value = event_all_test(); break;
        case T_VALUE_LOCK: value = value_test(1); break;
        case T_VALUE_ADD: value = value_test(0); break;
        case T_PIPE: value = pingpong_test(1); break;
        case T_P2P: value = pingpong_test(0); break;
        case T_POOL_MAP:
        case T_POOL_MAP_CHUNKS:
        case T_POOL_ASYNC: value = pool_test(t); break;
        case T_DICT_SETGET: value = dict_test(0); break;
        case T_DICT_ALL: value = dict_test(1); break;
        }
        if (rank == 0) {
            if (opt.csv)
                printf("%s,%d,%.6g,%s\n", tests[t].name, size, value, tests[t].unit);
            else
                printf("%-12s %14.6g  %s\n", tests[t].name, value, tests[t].unit);
            fflush(stdout);
        }
    }
    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
