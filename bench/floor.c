/*
 * floor - two figures of this machine that every message-passing time on
 * one host is built from, so that benchmark results can be read against
 * them: the one-way time for a cache line to cross between two cores (two
 * threads on the first two CPUs this process may use ping-pong a counter
 * in one line), and memcpy bandwidth for 4 KiB that stays in cache.
 * bench/mpr-bench-compare builds and runs it and prints its line.
 *
 *   cc -O2 -pthread -o floor bench/floor.c && ./floor
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { ROUND_TRIPS = 200000, RUNS = 5, COPY_BYTES = 4096, COPIES = 200000 };

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
    return 0;
}
