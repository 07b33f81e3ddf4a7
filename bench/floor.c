/*
 * floor - two figures of this machine that every message-passing time on
 * one host is built from, so that benchmark results can be read against
 * them: the one-way time for a cache line to cross between two cores (two
 * threads on the first two CPUs this process may use ping-pong a counter
 * in one line), and memcpy bandwidth for 4 KiB that stays in cache.
 *
 * A second line gives what a 2-rank bcast of one line costs when timed
 * alone after a barrier, as mpr-bench and the OSU benchmarks time it,
 * averaged over the two ranks: with a barrier the last to arrive leaves
 * first (a counter both increment), and with one the root releases. The
 * member that leaves first waits in the bcast until the root has left
 * too, so the bcast alone looks cheaper behind the second barrier, while
 * the two together cost more; bcast and scatter of small messages between
 * two ranks are read against this line.
 *
 * bench/mpr-bench-compare builds and runs it and prints its lines.
 *
 *   cc -O2 -pthread -o floor bench/floor.c && ./floor
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { ROUND_TRIPS = 200000, RUNS = 5, COPY_BYTES = 4096, COPIES = 200000, SPLITS = 100000 };

static alignas(64) _Atomic long line;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* The answering side: waits for each odd value and writes the next even. */
static void *echo(void *arg)
{
    pin(*(int *)arg);
    for (long i = 1; i < 2L * ROUND_TRIPS * RUNS; i += 2) {
        while (atomic_load_explicit(&line, memory_order_acquire) != i)
            ;
        atomic_store_explicit(&line, i + 1, memory_order_release);
    }
    return NULL;
}

/* Nanoseconds one way, best of RUNS runs; -1 without two CPUs. */
static double line_crossing(int cpu_a, int cpu_b)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, echo, &cpu_b) != 0)
        return -1;
    pin(cpu_a);
    double best = -1;
    long value = 0;
    for (int run = 0; run < RUNS; run++) {
        double start = now();
        for (int i = 0; i < ROUND_TRIPS; i++) {
            atomic_store_explicit(&line, ++value, memory_order_release);
            ++value;
            while (atomic_load_explicit(&line, memory_order_acquire) != value)
                ;
        }
        double one_way = (now() - start) / ROUND_TRIPS / 2 * 1e9;
        if (best < 0 || one_way < best)
            best = one_way;
    }
    pthread_join(thread, NULL);
    return best;
}

/* GB/s copying COPY_BYTES between two buffers in cache, best of RUNS. */
static double copy_bandwidth(void)
{
    static alignas(64) unsigned char a[COPY_BYTES], b[COPY_BYTES];
    memset(a, 1, sizeof a);
    double best = 0;
    for (int run = 0; run < RUNS; run++) {
        double start = now();
        for (int i = 0; i < COPIES; i++) {
            memcpy(i % 2 ? a : b, i % 2 ? b : a, COPY_BYTES);
            __asm__ volatile("" : : "r"(a), "r"(b) : "memory");
        }
        double gbs = (double)COPY_BYTES * COPIES / (now() - start) / 1e9;
        if (gbs > best)
            best = gbs;
    }
    return best;
}

/* ---- A bcast timed after a barrier ------------------------------------ */

struct split {
    bool root_releases;
    int cpu[2];
    double bcast_ns[2], pair_ns[2]; /* per rank: mean of the bcast alone, of both */
    /* Each on a line of its own, away from the settings above and from
     * whatever follows the struct (`end`). */
    alignas(64) _Atomic long counter; /* the counter barrier: both add 1 */
    alignas(64) _Atomic long arrived;  /* the released barrier: the member's arrival */
    alignas(64) _Atomic long released; /* ... and the root's release */
    alignas(64) _Atomic long data;     /* the bcast's one line */
    alignas(64) char end;
};

static void wait_until(_Atomic long *at, long value)
{
    while (atomic_load_explicit(at, memory_order_acquire) < value) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause(); /* as MPI libraries poll */
#endif
    }
}

static void split_barrier(struct split *s, int rank, long round)
{
    if (!s->root_releases) {
        atomic_fetch_add_explicit(&s->counter, 1, memory_order_acq_rel);
        wait_until(&s->counter, 2 * round);
    } else if (rank == 1) {
        atomic_store_explicit(&s->arrived, round, memory_order_release);
        wait_until(&s->released, round);
    } else {
        wait_until(&s->arrived, round);
        atomic_store_explicit(&s->released, round, memory_order_release);
    }
}

struct split_rank {
    struct split *s;
    int rank;
};

static void *split_rank(void *arg)
{
    struct split *s = ((struct split_rank *)arg)->s;
    int rank = ((struct split_rank *)arg)->rank;
    pin(s->cpu[rank]);
    double bcast = 0, pair = 0;
    for (long round = 1; round <= SPLITS; round++) {
        double start = now();
        split_barrier(s, rank, round);
        double left = now();
        if (rank == 0)
            atomic_store_explicit(&s->data, round, memory_order_release);
        else
            wait_until(&s->data, round);
        double end = now();
        bcast += end - left;
        pair += end - start;
    }
    s->bcast_ns[rank] = bcast / SPLITS * 1e9;
    s->pair_ns[rank] = pair / SPLITS * 1e9;
    return NULL;
}

/* The two ranks' mean times of the bcast alone and of barrier + bcast. */
static int split_bcast(int cpu_a, int cpu_b, bool root_releases, double *bcast, double *pair)
{
    static struct split s;
    memset(&s, 0, sizeof s);
    s.root_releases = root_releases;
    s.cpu[0] = cpu_a;
    s.cpu[1] = cpu_b;
    struct split_rank root = { &s, 0 }, member = { &s, 1 };
    pthread_t thread;
    if (pthread_create(&thread, NULL, split_rank, &member) != 0)
        return -1;
    split_rank(&root);
    pthread_join(thread, NULL);
    *bcast = (s.bcast_ns[0] + s.bcast_ns[1]) / 2;
    *pair = (s.pair_ns[0] + s.pair_ns[1]) / 2;
    return 0;
}

int main(void)
{
    cpu_set_t allowed;
    int cpus[2], found = 0;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++)
            if (CPU_ISSET(cpu, &allowed))
                cpus[found++] = cpu;
    double gbs = copy_bandwidth();
    if (found < 2) {
        printf("floor: one CPU only (no cache line crossing); memcpy 4 KiB in cache "
               "%.1f GB/s\n", gbs);
        return 0;
    }
    double ns = line_crossing(cpus[0], cpus[1]);
    printf("floor: a cache line crosses cpu %d -> cpu %d in %.0f ns (one way, best of %d); "
           "memcpy 4 KiB in cache %.1f GB/s\n", cpus[0], cpus[1], ns, RUNS, gbs);
    double counted, counted_pair, released, released_pair;
    if (split_bcast(cpus[0], cpus[1], false, &counted, &counted_pair) == 0 &&
        split_bcast(cpus[0], cpus[1], true, &released, &released_pair) == 0)
        printf("floor: a 2-rank bcast of one line timed alone after a barrier: %.0f ns "
               "(mean of the ranks; barrier + bcast %.0f); %.0f ns if the root releases "
               "the barrier (barrier + bcast %.0f)\n",
               counted, counted_pair, released, released_pair);
    return 0;
}
