/*
 * mpr-bench.h - what the parts of mpr-bench share: the driver (mpr-bench.c:
 * options, iteration planning, data patterns, output) and the tests
 * (bench-p2p.c, bench-coll.c, bench-reduce.c).
 */
#ifndef MPR_BENCH_H
#define MPR_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shim.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

enum { TAG_DATA = 1, TAG_ACK = 2, TAG_PLAN = 3, TAG_RESULT = 4 };

enum {
    WINDOW = 64,          /* non-blocking sends per bandwidth window */
    PROBE_ITERS = 4,      /* iterations timed to estimate a size's cost */
    MIN_ITERS = 10,       /* --max-time never cuts a timed loop below this */
    MAX_SIZES = 40,       /* 0, 1, 2, 4, ... 1 GiB, and the two range ends */
    POISON = 0xa5,        /* fills receive buffers before a checked iteration */
};

/* Sizes up to this many bytes run the full iteration count; larger ones
 * run proportionally fewer, so every size moves a similar number of bytes. */
#define FULL_ITERS_MAX_SIZE ((size_t)8 * KIB)

/* Bound on the distinct receive slots of a checked bandwidth window. */
#define CHECK_SLOTS_MAX_BYTES ((size_t)256 * MIB)

enum test_id {
    TEST_LATENCY,
    TEST_BANDWIDTH,
    TEST_MSGRATE,
    TEST_BARRIER,
    TEST_BCAST,
    TEST_BARRIER_BCAST,
    TEST_ALLREDUCE,
    TEST_REDUCE,
    TEST_GATHER,
    TEST_SCATTER,
    TEST_ALLGATHER,
    TEST_ALLTOALL,
    TEST_COUNT
};

struct test_info {
    const char *name;
    long default_iters; /* for sizes up to FULL_ITERS_MAX_SIZE */
    size_t default_min_size;
    size_t default_max_size;
    int needs_pair;     /* needs at least 2 ranks */
};

extern const struct test_info test_infos[TEST_COUNT];

struct options {
    unsigned tests;          /* bit (1u << test_id) per selected test */
    int tests_explicit;      /* named one by one rather than "all" */
    size_t min_size, max_size;
    int min_size_set, max_size_set;
    long iters;              /* 0: each test's default */
    double max_time;         /* seconds; caps the timed loop of one size */
    size_t offset;           /* buffers start this far past a page */
    int csv;
};

/* How many iterations one size runs; rank 0 decides, every rank follows. */
struct plan {
    long warmup;
    long iters;
};

/* One size of one test, as measure() drives it. run() performs `iters`
 * iterations on this rank and returns the seconds that count. */
struct workload {
    double (*run)(const struct workload *work, long iters);
    int pair_only;           /* ranks 0 and 1 take part, not the whole job */
    enum test_id test;
    size_t size;
    void *sendbuf;
    void *recvbuf;
    /* Collectives: one call of the operation (run = time_each_call). */
    void (*call)(const struct workload *work);
};

/* What measure() found: the plan it followed and the seconds counted. */
struct timing {
    struct plan plan;
    double seconds;
};

/* A per-rank figure summarised over the job. */
struct spread {
    double avg, min, max;
};

extern struct options opt;
extern int my_rank;
extern int job_size;

#define CHECK(call) check_call((call), #call, __LINE__)
void check_call(int rc, const char *call, int line);
void *alloc_buffer(size_t len);
void free_buffer(void *buf);

void fill_pattern(void *buf, size_t len, uint32_t seed);
void expect_pattern(const void *buf, size_t len, uint32_t seed, const char *what,
                    size_t size);
uint32_t pattern_seed(enum test_id test, size_t size, int last);

long base_iters(enum test_id test);
long scaled_iters(long base, size_t size);
struct timing measure(const struct workload *work, long planned);
struct spread gather_spread(double mine);
double time_each_call(const struct workload *work, long iters);
void run_collective(enum test_id test, const char *title,
                    void (*call)(const struct workload *work), size_t send_blocks,
                    size_t recv_blocks, void (*checked)(const struct workload *work, int last));

void print_title(const char *text);
void print_header(const char *columns);
void print_result(enum test_id test, size_t size, long iters, double value,
                  const char *unit, const struct spread *spread);
int sizes_of(enum test_id test, size_t sizes[MAX_SIZES]);

/* The tests: each runs every size of its range on every rank. */
void run_latency(void);
void run_bandwidth(void);
void run_msgrate(void);
void run_barrier(void);
void run_bcast(void);
void run_barrier_bcast(void);
void run_allreduce(void);
void run_reduce(void);
void run_gather(void);
void run_scatter(void);
void run_allgather(void);
void run_alltoall(void);

#endif /* MPR_BENCH_H */
