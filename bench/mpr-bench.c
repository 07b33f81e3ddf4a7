/*
 * mpr-bench - message-passing micro-benchmarks: one-way latency, streaming
 * bandwidth, multi-pair message rate, and the times of barrier, bcast,
 * barrier + bcast, allreduce, reduce, gather, scatter, allgather and
 * alltoall.
 *
 *   mprun -n 2 mpr-bench                      every test, a table per test
 *   mprun -n 4 mpr-bench --test barrier,bcast,allreduce
 *   mprun -n 2 mpr-bench --test latency --max-size 64K --csv
 *
 * The same source builds against MPI (-DBENCH_USE_MPI, see shim.h), which is
 * how bench/mpr-bench-compare puts mpr, Open MPI and MPICH side by side.
 *
 * Each size runs: one checked iteration (fresh data pattern, receive buffers
 * poisoned, every received byte compared), a short probe that estimates the
 * time per iteration, a warm-up, the timed loop, and a last checked
 * iteration. The checked iterations are not timed. Rank 0 decides the
 * iteration counts (capped by --max-time) and tells the other ranks, so all
 * ranks always run the same number of operations.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpr-bench.h"

const struct test_info test_infos[TEST_COUNT] = {
    [TEST_LATENCY] = { "latency", 10000, 0, 4 * MIB, 1 },
    [TEST_BANDWIDTH] = { "bandwidth", 1000, 1 * KIB, 4 * MIB, 1 },
    [TEST_MSGRATE] = { "msgrate", 1000, 1, 64 * KIB, 1 },
    [TEST_BARRIER] = { "barrier", 10000, 0, 0, 0 },
    [TEST_BCAST] = { "bcast", 1000, 1, 4 * MIB, 0 },
    [TEST_BARRIER_BCAST] = { "barrier_bcast", 1000, 1, 64 * KIB, 0 },
    [TEST_ALLREDUCE] = { "allreduce", 1000, 8, 4 * MIB, 0 },
    [TEST_REDUCE] = { "reduce", 1000, 8, 4 * MIB, 0 },
    [TEST_GATHER] = { "gather", 1000, 1, 1 * MIB, 0 },
    [TEST_SCATTER] = { "scatter", 1000, 1, 1 * MIB, 0 },
    [TEST_ALLGATHER] = { "allgather", 1000, 1, 1 * MIB, 0 },
    [TEST_ALLTOALL] = { "alltoall", 1000, 1, 1 * MIB, 0 },
};

struct options opt = {
    .max_time = 0.25,
};
int my_rank;
int job_size;

/* ---- Errors ------------------------------------------------------------ */

void check_call(int rc, const char *call, int line)
{
    if (rc == 0)
        return;
    fprintf(stderr, "mpr-bench: rank %d: %s (line %d) failed: %s\n", my_rank,
            call, line, bench_strerror(rc));
    bench_abort(1);
}

void *alloc_buffer(size_t len)
{
    void *buf = NULL;
    /* Page-aligned, as a real application's large buffers usually are,
     * unless --offset moves them (malloc's are 16 bytes past a page). */
    int rc = posix_memalign(&buf, 4096, opt.offset + (len > 0 ? len : 1));
    if (rc != 0) {
        fprintf(stderr, "mpr-bench: rank %d: cannot allocate %zu bytes: %s\n",
                my_rank, len, strerror(rc));
        bench_abort(1);
    }
    return (char *)buf + opt.offset;
}

void free_buffer(void *buf)
{
    if (buf)
        free((char *)buf - opt.offset);
}

/* ---- Data patterns ------------------------------------------------------ */

/* Word `index` of the pattern `seed`: every 8-byte word differs, so lost,
 * shifted or duplicated data shows up wherever it lands. */
static uint64_t pattern_word(uint32_t seed, size_t index)
{
    uint64_t x = ((uint64_t)seed << 32) ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull);
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 32;
    return x;
}

void fill_pattern(void *buf, size_t len, uint32_t seed)
{
    unsigned char *bytes = buf;
    for (size_t off = 0; off < len; off += 8) {
        uint64_t word = pattern_word(seed, off / 8);
        memcpy(bytes + off, &word, len - off < 8 ? len - off : 8);
    }
}

/* Compares buf with the pattern; on a difference, reports the first wrong
 * byte and ends the job. `what` names the check in the message. */
void expect_pattern(const void *buf, size_t len, uint32_t seed,
                           const char *what, size_t size)
{
    const unsigned char *bytes = buf;
    for (size_t off = 0; off < len; off += 8) {
        uint64_t word = pattern_word(seed, off / 8);
        size_t chunk = len - off < 8 ? len - off : 8;
        if (memcmp(bytes + off, &word, chunk) == 0)
            continue;
        const unsigned char *want = (const unsigned char *)&word;
        size_t i = 0;
        while (bytes[off + i] == want[i])
            i++;
        fprintf(stderr,
                "mpr-bench: rank %d: %s, %zu-byte messages: wrong data at byte "
                "%zu: 0x%02x, expected 0x%02x\n",
                my_rank, what, size, off + i, bytes[off + i], want[i]);
        bench_abort(1);
    }
}

/* A distinct pattern per test, size and checked iteration. */
uint32_t pattern_seed(enum test_id test, size_t size, int last)
{
    return (uint32_t)test << 28 ^ (uint32_t)size << 1 ^ (uint32_t)last;
}

/* ---- Iteration planning ------------------------------------------------- */

long base_iters(enum test_id test)
{
    return opt.iters > 0 ? opt.iters : test_infos[test].default_iters;
}

long scaled_iters(long base, size_t size)
{
    if (size <= FULL_ITERS_MAX_SIZE)
        return base;
    long scaled = (long)((double)base * (double)FULL_ITERS_MAX_SIZE / (double)size);
    long floor = base / 100 > 1 ? base / 100 : 1;
    return scaled > floor ? scaled : floor;
}

/* Fits `planned` iterations into opt.max_time, given the seconds one
 * iteration took in the probe. Runs on rank 0 only. */
static struct plan make_plan(long planned, double seconds_per_iter)
{
    struct plan plan = { .iters = planned };
    if (seconds_per_iter * (double)planned > opt.max_time) {
        long fit = (long)(opt.max_time / seconds_per_iter);
        long floor = planned < MIN_ITERS ? planned : MIN_ITERS;
        plan.iters = fit > floor ? fit : floor;
    }
    plan.warmup = plan.iters / 10 > 1 ? plan.iters / 10 : 1;
    return plan;
}

/* Rank 0 sends its plan to rank 1 (pair tests). */
static void share_plan_with_pair(struct plan *plan)
{
    if (my_rank == 0)
        CHECK(bench_send(plan, sizeof *plan, 1, TAG_PLAN));
    else
        CHECK(bench_recv(plan, sizeof *plan, 0, TAG_PLAN));
}

/* Probes, plans, warms up and times one workload. The probe times single
 * iterations and keeps the fastest, so that one preemption during the
 * probe does not cut the timed loop short. */
struct timing measure(const struct workload *work, long planned)
{
    /* Collectives start every size together, as OSU's benchmarks do, so
     * the probe does not time ranks still finishing the previous size. */
    if (!work->pair_only)
        CHECK(bench_barrier());
    double fastest = 0;
    for (int i = 0; i < PROBE_ITERS; i++) {
        double start = bench_wtime();
        work->run(work, 1);
        double took = bench_wtime() - start;
        if (i == 0 || took < fastest)
            fastest = took;
    }
    struct plan plan = { 0, 0 };
    if (my_rank == 0)
        plan = make_plan(planned, fastest);
    if (work->pair_only)
        share_plan_with_pair(&plan);
    else
        CHECK(bench_bcast(&plan, sizeof plan, 0));

    work->run(work, plan.warmup);
    return (struct timing){ .plan = plan, .seconds = work->run(work, plan.iters) };
}

/* Rank 0 averages one figure over all ranks; other ranks only send theirs. */
struct spread gather_spread(double mine)
{
    struct spread spread = { mine, mine, mine };
    if (my_rank != 0) {
        CHECK(bench_send(&mine, sizeof mine, 0, TAG_RESULT));
        return spread;
    }
    double sum = mine;
    for (int peer = 1; peer < job_size; peer++) {
        double theirs;
        CHECK(bench_recv(&theirs, sizeof theirs, peer, TAG_RESULT));
        sum += theirs;
        if (theirs < spread.min)
            spread.min = theirs;
        if (theirs > spread.max)
            spread.max = theirs;
    }
    spread.avg = sum / job_size;
    return spread;
}

/* For collectives: times the calls one by one, with an untimed barrier
 * after each (as OSU's tests do) so that one call cannot overlap the next;
 * returns the seconds spent inside the calls on this rank. */
double time_each_call(const struct workload *work, long iters)
{
    double inside = 0;
    for (long i = 0; i < iters; i++) {
        double start = bench_wtime();
        work->call(work);
        inside += bench_wtime() - start;
        CHECK(bench_barrier());
    }
    return inside;
}

/* Prints a collective test's title and table header; returns its sizes. */
static int begin_collective(enum test_id test, const char *title, size_t sizes[MAX_SIZES])
{
    print_title(title);
    print_header("       bytes   iterations     avg [us]     min [us]     max [us]");
    return sizes_of(test, sizes);
}

/* Every size of a collective test: a checked call, the timed ones, another
 * checked call, and a row of the time per call averaged over ranks. work
 * holds buffers for the largest size. */
static void run_collective_sizes(struct workload *work, const size_t *sizes, int nsizes,
                                 void (*checked)(const struct workload *work, int last))
{
    for (int s = 0; s < nsizes; s++) {
        work->size = sizes[s];
        checked(work, 0);
        struct timing timing = measure(work, scaled_iters(base_iters(work->test), work->size));
        checked(work, 1);
        struct spread spread = gather_spread(timing.seconds / (double)timing.plan.iters * 1e6);
        print_result(work->test, work->size, timing.plan.iters, spread.avg, "us", &spread);
    }
}

/* A whole collective test: the title and header, then every size (as
 * run_collective_sizes) with buffers for the largest, zeroed: send_blocks
 * and recv_blocks times its bytes (no receive buffer for 0 blocks). */
void run_collective(enum test_id test, const char *title,
                    void (*call)(const struct workload *work), size_t send_blocks,
                    size_t recv_blocks, void (*checked)(const struct workload *work, int last))
{
    size_t sizes[MAX_SIZES];
    int nsizes = begin_collective(test, title, sizes);
    if (nsizes == 0)
        return;
    size_t max_size = sizes[nsizes - 1];
    struct workload work = {
        .run = time_each_call,
        .call = call,
        .test = test,
        .sendbuf = alloc_buffer(send_blocks * max_size),
        .recvbuf = recv_blocks ? alloc_buffer(recv_blocks * max_size) : NULL,
    };
    memset(work.sendbuf, 0, send_blocks * max_size);
    if (work.recvbuf)
        memset(work.recvbuf, 0, recv_blocks * max_size);
    run_collective_sizes(&work, sizes, nsizes, checked);
    free_buffer(work.sendbuf);
    free_buffer(work.recvbuf);
}

/* ---- Output ------------------------------------------------------------- */

void print_title(const char *text)
{
    if (my_rank != 0)
        return;
    printf(opt.csv ? "# %s\n" : "\n# %s\n", text);
    fflush(stdout);
}

/* One result: a CSV line, or a table row with the iteration count and,
 * for per-rank figures, the spread over ranks (spread may be NULL). */
void print_result(enum test_id test, size_t size, long iters,
                         double value, const char *unit,
                         const struct spread *spread)
{
    if (my_rank != 0)
        return;
    if (opt.csv)
        printf("%s,%zu,%.6g,%s\n", test_infos[test].name, size, value, unit);
    else if (spread)
        printf("%12zu %12ld %12.3f %12.3f %12.3f\n", size, iters, value,
               spread->min, spread->max);
    else
        printf("%12zu %12ld %16.3f\n", size, iters, value);
    fflush(stdout);
}

void print_header(const char *columns)
{
    if (my_rank == 0 && !opt.csv) {
        printf("%s\n", columns);
        fflush(stdout);
    }
}

/* ---- Sizes -------------------------------------------------------------- */

/* Fills sizes with lo, every power of two between, and hi; returns the count. */
static int make_sizes(size_t lo, size_t hi, size_t sizes[MAX_SIZES])
{
    int count = 0;
    if (lo > hi)
        return 0;
    sizes[count++] = lo;
    for (size_t pow2 = 1; pow2 < hi && pow2 <= BENCH_MAX_LEN / 2; pow2 *= 2)
        if (pow2 > lo)
            sizes[count++] = pow2;
    if (hi > lo)
        sizes[count++] = hi;
    return count;
}

int sizes_of(enum test_id test, size_t sizes[MAX_SIZES])
{
    size_t lo = opt.min_size_set ? opt.min_size : test_infos[test].default_min_size;
    size_t hi = opt.max_size_set ? opt.max_size : test_infos[test].default_max_size;
    if ((test == TEST_BANDWIDTH || test == TEST_MSGRATE) && lo == 0)
        lo = 1; /* a stream of empty messages moves no bytes */
    if (test == TEST_GATHER || test == TEST_SCATTER || test == TEST_ALLGATHER ||
        test == TEST_ALLTOALL) {
        /* size is per rank: keep the whole buffer (N times it) in bounds. */
        size_t most = BENCH_MAX_LEN / (size_t)(job_size > 0 ? job_size : 1);
        if (hi > most)
            hi = most;
    }
    if (test != TEST_ALLREDUCE && test != TEST_REDUCE)
        return make_sizes(lo, hi, sizes);
    /* Allreduce sums doubles: keep whole elements, at least one. */
    size_t all[MAX_SIZES];
    int nall = make_sizes(lo, hi, all), count = 0;
    for (int s = 0; s < nall; s++) {
        size_t whole = all[s] / sizeof(double) * sizeof(double);
        if (whole > 0 && (count == 0 || whole > sizes[count - 1]))
            sizes[count++] = whole;
    }
    return count;
}
/* ---- Options ------------------------------------------------------------ */

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: mprun -n N mpr-bench [options]\n"
            "  --test LIST       comma-separated: latency, bandwidth, msgrate, barrier,\n"
            "                    bcast, barrier_bcast (the two timed together),\n"
            "                    allreduce, reduce, gather, scatter, allgather,\n"
            "                    alltoall, or all (default: all)\n"
            "  --min-size BYTES  smallest message size (suffix K, M or G: KiB, MiB, GiB)\n"
            "  --max-size BYTES  largest message size (at most 1G)\n"
            "                    defaults: latency 0..4M, bandwidth 1K..4M, msgrate\n"
            "                    1..64K, bcast 1..4M, barrier_bcast 1..64K, allreduce\n"
            "                    and reduce 8..4M (whole doubles), gather, scatter,\n"
            "                    allgather, alltoall 1..1M (bytes per rank)\n"
            "  --iters N         iterations for sizes up to 8 KiB; larger sizes run\n"
            "                    proportionally fewer (defaults: latency and barrier\n"
            "                    10000, bandwidth and msgrate 1000 windows, the\n"
            "                    other collectives 1000)\n"
            "  --max-time SEC    cap on the timed loop of one size (default 0.25)\n"
            "  --offset BYTES    every buffer starts BYTES (0-4095) past a page\n"
            "                    (default 0; malloc's large buffers are 16 past)\n"
            "  --csv             print test,size,value,unit lines (# lines are comments)\n"
            "  --help            print this help\n"
            "latency and bandwidth run between ranks 0 and 1; msgrate between the\n"
            "pairs (i, i + N/2); the collectives use every rank.\n");
}

static int parse_size(const char *text, size_t *size)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || text[0] == '-')
        return -1;
    unsigned long long unit = 1;
    if (*end == 'k' || *end == 'K')
        unit = KIB;
    else if (*end == 'm' || *end == 'M')
        unit = MIB;
    else if (*end == 'g' || *end == 'G')
        unit = 1024 * MIB;
    if (unit != 1) {
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
            end += strlen(end);
    }
    if (*end != '\0' || value > BENCH_MAX_LEN / unit)
        return -1;
    *size = (size_t)(value * unit);
    return 0;
}

static int parse_tests(const char *text, unsigned *tests, int *tests_explicit)
{
    char list[128];
    if (snprintf(list, sizeof list, "%s", text) >= (int)sizeof list)
        return -1;
    unsigned mask = 0;
    int explicit = 1;
    for (char *save, *name = strtok_r(list, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (strcmp(name, "all") == 0) {
            mask |= (1u << TEST_COUNT) - 1;
            explicit = 0;
            continue;
        }
        int found = 0;
        for (int t = 0; t < TEST_COUNT; t++) {
            if (strcmp(name, test_infos[t].name) == 0) {
                mask |= 1u << t;
                found = 1;
            }
        }
        if (!found)
            return -1;
    }
    if (mask == 0)
        return -1;
    *tests = mask;
    *tests_explicit = explicit;
    return 0;
}

/* Returns 0 to run, 1 for --help, -1 (with a message on rank 0) for bad options. */
static int parse_options(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "test", required_argument, NULL, 't' },
        { "min-size", required_argument, NULL, 'm' },
        { "max-size", required_argument, NULL, 'M' },
        { "iters", required_argument, NULL, 'i' },
        { "max-time", required_argument, NULL, 'T' },
        { "offset", required_argument, NULL, 'o' },
        { "csv", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opt.tests = (1u << TEST_COUNT) - 1;
    opterr = my_rank == 0;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        const char *bad = NULL;
        char *end;
        switch (c) {
        case 't':
            if (parse_tests(optarg, &opt.tests, &opt.tests_explicit) != 0)
                bad = "--test";
            break;
        case 'm':
            if (parse_size(optarg, &opt.min_size) != 0)
                bad = "--min-size";
            opt.min_size_set = 1;
            break;
        case 'M':
            if (parse_size(optarg, &opt.max_size) != 0)
                bad = "--max-size";
            opt.max_size_set = 1;
            break;
        case 'i':
            errno = 0;
            opt.iters = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || opt.iters < 1)
                bad = "--iters";
            break;
        case 'T':
            errno = 0;
            opt.max_time = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(opt.max_time > 0))
                bad = "--max-time";
            break;
        case 'o':
            if (parse_size(optarg, &opt.offset) != 0 || opt.offset > 4095)
                bad = "--offset";
            break;
        case 'c':
            opt.csv = 1;
            break;
        case 'h':
            if (my_rank == 0)
                print_usage(stdout);
            return 1;
        default:
            if (my_rank == 0)
                print_usage(stderr);
            return -1;
        }
        if (bad) {
            if (my_rank == 0)
                fprintf(stderr, "mpr-bench: bad value for %s: '%s'\n", bad, optarg);
            return -1;
        }
    }
    if (optind < argc) {
        if (my_rank == 0)
            fprintf(stderr, "mpr-bench: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (opt.min_size_set && opt.max_size_set && opt.min_size > opt.max_size) {
        if (my_rank == 0)
            fprintf(stderr, "mpr-bench: --min-size is larger than --max-size\n");
        return -1;
    }
    return 0;
}

/* ---- Main --------------------------------------------------------------- */

static void (*const test_runners[TEST_COUNT])(void) = {
    [TEST_LATENCY] = run_latency,
    [TEST_BANDWIDTH] = run_bandwidth,
    [TEST_MSGRATE] = run_msgrate,
    [TEST_BARRIER] = run_barrier,
    [TEST_BCAST] = run_bcast,
    [TEST_BARRIER_BCAST] = run_barrier_bcast,
    [TEST_ALLREDUCE] = run_allreduce,
    [TEST_REDUCE] = run_reduce,
    [TEST_GATHER] = run_gather,
    [TEST_SCATTER] = run_scatter,
    [TEST_ALLGATHER] = run_allgather,
    [TEST_ALLTOALL] = run_alltoall,
};

int main(int argc, char **argv)
{
    CHECK(bench_init(&argc, &argv));
    CHECK(bench_rank(&my_rank));
    CHECK(bench_size(&job_size));

    /* Every rank parses the same arguments, so all reach the same verdict. */
    int parsed = parse_options(argc, argv);
    if (parsed == 0 && job_size < 2 && opt.tests_explicit &&
        (opt.tests & (1u << TEST_LATENCY | 1u << TEST_BANDWIDTH | 1u << TEST_MSGRATE))) {
        if (my_rank == 0)
            fprintf(stderr, "mpr-bench: latency, bandwidth and msgrate need at least 2 ranks "
                            "(mprun -n 2 mpr-bench)\n");
        parsed = -1;
    }
    if (parsed != 0) {
        CHECK(bench_finalize());
        return parsed > 0 ? 0 : 2;
    }

    if (my_rank == 0) {
        char library[128];
        bench_library_name(library, sizeof library);
        printf("# mpr-bench: %s, %d rank%s\n", library, job_size,
               job_size == 1 ? "" : "s");
        if (opt.csv)
            printf("test,size,value,unit\n");
        fflush(stdout);
    }
    for (int t = 0; t < TEST_COUNT; t++) {
        if (!(opt.tests & (1u << t)))
            continue;
        if (test_infos[t].needs_pair && job_size < 2) {
            if (my_rank == 0)
                printf("# %s: skipped, needs at least 2 ranks\n", test_infos[t].name);
            continue;
        }
        CHECK(bench_barrier());
        test_runners[t]();
    }
    CHECK(bench_barrier());
    CHECK(bench_finalize());
    return 0;
}

