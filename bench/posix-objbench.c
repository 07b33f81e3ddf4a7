/*
 * posix-objbench - the hand-off of mpr-objbench's "sem" test through raw
 * POSIX semaphores, as a yardstick for mpr's semaphores and events.
 *
 *   bench/posix-objbench [-n N] [--handoffs K] [--repeat R] [--csv]
 *
 * Forks N processes (default 2); processes 2i and 2i+1 wake each other K
 * times through two process-shared sem_t in shared memory (sem_post /
 * sem_wait), all pairs at once. Like mprun, it binds process i to the i-th
 * CPU it may use when there are enough of them, and leaves them unbound
 * otherwise. Prints the one-way hand-off time in microseconds, averaged
 * over the pairs, best of R runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    pthread_barrier_t start;
    double pair_us[64];
    sem_t sems[128]; /* ping and pong of each pair */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bind_to_cpu(int index, int nprocs)
{
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < nprocs)
        return;
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed))
            continue;
        if (seen++ == index) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
            return;
        }
    }
}

static void process_main(struct shared *sh, int me, int nprocs, long handoffs)
{
    bind_to_cpu(me, nprocs);
    int pair = me / 2;
    sem_t *ping = &sh->sems[2 * pair], *pong = &sh->sems[2 * pair + 1];
    pthread_barrier_wait(&sh->start);
    if (me + 1 >= nprocs && me % 2 == 0)
        _exit(0); /* no partner */
    double t0 = now();
    for (long i = 0; i < handoffs; i++) {
        if (me % 2 == 0) {
            sem_post(ping);
            while (sem_wait(pong) != 0)
                ;
        } else {
            while (sem_wait(ping) != 0)
                ;
            sem_post(pong);
        }
    }
    if (me % 2 == 0)
        sh->pair_us[pair] = (now() - t0) / (2.0 * (double)handoffs) * 1e6;
    _exit(0);
}

static double run_once(struct shared *sh, int nprocs, long handoffs)
{
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&sh->start, &attr, (unsigned)nprocs);
    for (int i = 0; i < 2 * (nprocs / 2); i++)
        sem_init(&sh->sems[i], 1, 0);
    for (int i = 0; i < nprocs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("posix-objbench: fork");
            exit(1);
        }
        if (pid == 0)
            process_main(sh, i, nprocs, handoffs);
    }
    int status, failed = 0;
    while (wait(&status) > 0)
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (failed) {
        fprintf(stderr, "posix-objbench: a process failed\n");
        exit(1);
    }
    double sum = 0;
    for (int p = 0; p < nprocs / 2; p++)
        sum += sh->pair_us[p];
    for (int i = 0; i < 2 * (nprocs / 2); i++)
        sem_destroy(&sh->sems[i]);
    pthread_barrier_destroy(&sh->start);
    return sum / (nprocs / 2);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "handoffs", required_argument, NULL, 'h' }, { "repeat", required_argument, NULL, 'R' },
        { "csv", no_argument, NULL, 'c' },            { NULL, 0, NULL, 0 },
    };
    int nprocs = 2, repeat = 3, csv = 0, c;
    long handoffs = 20000;
    while ((c = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': nprocs = atoi(optarg); break;
        case 'h': handoffs = atol(optarg); break;
        case 'R': repeat = atoi(optarg); break;
        case 'c': csv = 1; break;
        default:
            fprintf(stderr, "usage: posix-objbench [-n N] [--handoffs K] [--repeat R] [--csv]\n");
            return 2;
        }
    }
    if (nprocs < 2 || nprocs > 128 || handoffs < 1 || repeat < 1) {
        fprintf(stderr, "posix-objbench: need 2 <= N <= 128, K >= 1, R >= 1\n");
        return 2;
    }
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("posix-objbench: mmap");
        return 1;
    }
    run_once(sh, nprocs, handoffs / 10 + 1); /* warm-up */
    double best = 1e300;
    for (int r = 0; r < repeat; r++) {
        double t = run_once(sh, nprocs, handoffs);
        if (t < best)
            best = t;
    }
    if (csv)
        printf("test,ranks,value,unit\nsem,%d,%.6g,us\n", nprocs, best);
    else
        printf("posix sem hand-off, %d processes: %.3f us one way\n", nprocs, best);
    return 0;
}
