/*
 * conform.c - the randomized differential conformance suite (issue 9):
 * options, the sequence runner, communicators, the skew before each call,
 * and failure reports.
 *
 *   mprun -n N conform [--seed S] [--sequences M] [--calls K]
 *                      [--max-size BYTES] [--max-skew-us US] [--only KINDS]
 *                      [--avoid BUGS] [--hang-seconds T] [--progress] [--verbose]
 *
 * Runs the programs of seeds S..S+M-1, K calls each (then frees what is
 * left). A failure prints one line per problem seen by a rank,
 *   conform: FAIL seed=S call=I rank=R <what> | <the call>
 * and the job exits 1; `--seed S --calls I+1` replays the program up to
 * that call. A call that has not returned after T seconds prints
 * "... hung ..." and exits 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"

struct options opt = {
    .seed = 1,
    .sequences = 1,
    .calls = 40,
    .max_size = 4u << 20,
    .max_skew_us = 20000,
    .hang_seconds = 60,
};
int world_rank, world_size;
uint64_t cur_seed;
struct slot slots[MAX_SLOTS];

static int failures;
static char opt_text[256]; /* options that change the program, for the replay line */
static char hang_line[512]; /* written by the SIGALRM handler */
static char call_desc[256];
static double start_time;

#define TAG_SYNC 801

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "conform: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

void fail(const struct call *c, const char *fmt, ...)
{
    if (failures++ >= 8)
        return;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    printf("conform: FAIL seed=%llu call=%d rank=%d %s | %s\n", (unsigned long long)cur_seed,
           c->index, world_rank, what, call_desc);
    fflush(stdout);
}

void check_rc(const struct call *c, int rc, const char *what)
{
    if (rc != MPR_SUCCESS)
        fail(c, "%s returned %s (%d)", what, mpr_error_name(rc), rc);
}

/* Every rank of the group reaches this before any leaves it. Point to
 * point through the group's rank 0, so that it does not depend on the
 * collectives under test. */
void group_sync(const struct call *c, const struct slot *s)
{
    if (s->rank == 0) {
        for (int i = 1; i < s->size; i++)
            check_rc(c, mpr_recv(NULL, 0, MPR_ANY_SOURCE, TAG_SYNC, s->comm, MPR_STATUS_IGNORE),
                     "group_sync mpr_recv");
        for (int i = 1; i < s->size; i++)
            check_rc(c, mpr_send(NULL, 0, i, TAG_SYNC, s->comm), "group_sync mpr_send");
    } else {
        check_rc(c, mpr_send(NULL, 0, 0, TAG_SYNC, s->comm), "group_sync mpr_send");
        check_rc(c, mpr_recv(NULL, 0, 0, TAG_SYNC, s->comm, MPR_STATUS_IGNORE), "group_sync mpr_recv");
    }
}

static const char *const obj_names[OBJ_NKINDS] = { "queue", "event", "semaphore", "lock",
                                                       "rlock", "condition", "barrier object",
                                                       "array", "pipe" };

void describe(const struct call *c, const struct slot *s, char *out, size_t len)
{
    int n = 0;
    n += snprintf(out + n, len - (size_t)n, "%s on %s (size %d, rank %d)", kind_name(c->kind), s->name,
                  s->size, s->rank);
    switch (c->kind) {
    case K_BARRIER:
    case K_COMM_DUP:
    case K_COMM_FREE:
        break;
    case K_P2P:
        n += snprintf(out + n, len - (size_t)n, ": isends and receives among all ranks");
        break;
    case K_COMM_SPLIT:
        n += snprintf(out + n, len - (size_t)n, " into slot %d", c->new_slot);
        break;
    case K_OBJ_CREATE:
    case K_OBJ_USE:
    case K_OBJ_FREE:
        n += snprintf(out + n, len - (size_t)n, ": %s", obj_names[c->obj]);
        break;
    case K_REDUCE:
    case K_ALLREDUCE:
    case K_SCAN:
    case K_EXSCAN:
    case K_REDUCE_SCATTER_BLOCK: {
        size_t w = type_size(c->type);
        size_t count = c->kind == K_REDUCE_SCATTER_BLOCK ? c->bytes / (w * (size_t)s->size) : c->bytes / w;
        n += snprintf(out + n, len - (size_t)n, " %s%zu x %s %s", c->kind == K_REDUCE_SCATTER_BLOCK ? "recvcount " : "",
                      count, type_name(c->type), op_name(c->op));
        if (c->kind == K_REDUCE)
            n += snprintf(out + n, len - (size_t)n, " root %d%s", (int)(c->raw[0] % (uint64_t)s->size),
                          c->null_recv ? " (NULL recvbuf off root)" : "");
        if (c->in_place)
            n += snprintf(out + n, len - (size_t)n, " MPR_IN_PLACE");
        break;
    }
    default: {
        bool rooted = c->kind == K_BCAST || c->kind == K_GATHER || c->kind == K_GATHERV ||
                      c->kind == K_SCATTER || c->kind == K_SCATTERV;
        n += snprintf(out + n, len - (size_t)n, " %zu bytes", c->bytes);
        if (rooted)
            n += snprintf(out + n, len - (size_t)n, " root %d", (int)(c->raw[0] % (uint64_t)s->size));
        if (c->in_place && c->kind != K_BCAST && c->kind != K_ALLTOALLV)
            n += snprintf(out + n, len - (size_t)n, " MPR_IN_PLACE");
        if (c->short_block && (c->kind == K_GATHERV || c->kind == K_SCATTERV || c->kind == K_ALLTOALLV))
            n += snprintf(out + n, len - (size_t)n, " short blocks");
        if (c->null_recv && c->kind != K_BCAST && rooted)
            n += snprintf(out + n, len - (size_t)n, " (NULL args off root)");
    }
    }
}

/* ---- skew: a delay before each call, different on each rank ---- */

static void spin_us(long us)
{
    double end = mpr_wtime() + (double)us * 1e-6;
    while (mpr_wtime() < end)
        ;
}

static void skew(const struct call *c)
{
    uint64_t h = key4(cur_seed, (uint64_t)c->index, (uint64_t)world_rank, 0x5ce3);
    uint64_t cls = h % 100, x = h >> 8;
    long us = 0;
    if (cls < 50 || opt.max_skew_us <= 0)
        return;
    if (cls < 78) {
        spin_us(1 + (long)(x % 50));
        return;
    }
    if (cls < 97)
        us = 50 + (long)(x % 1000);
    else
        us = 1000 + (long)(x % (uint64_t)opt.max_skew_us);
    if (us > opt.max_skew_us)
        us = opt.max_skew_us;
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- communicators ---- */

static void slot_reset(struct slot *s)
{
    memset(s, 0, sizeof(*s));
    s->comm = MPR_COMM_NULL;
}

/* The split of the parent group as every member computes it: colors and
 * keys are functions of (seed, call, parent rank). */
static int split_color(const struct call *c, int prank)
{
    uint64_t h = key4(cur_seed, (uint64_t)c->index, (uint64_t)prank, 0xc0102);
    int ncolors = 1 + (int)(c->raw[1] % 3);
    bool some_undefined = c->raw[2] % 3 == 0;
    if (some_undefined && h % 4 == 0)
        return MPR_UNDEFINED;
    return (int)((h >> 8) % (uint64_t)ncolors) * 7 + 1; /* not just 0..k-1 */
}

static int split_key(const struct call *c, int prank, int psize)
{
    uint64_t h = key4(cur_seed, (uint64_t)c->index, (uint64_t)prank, 0x4e7);
    switch (c->raw[3] % 3) {
    case 0:
        return 0; /* all ties: parent order */
    case 1:
        return psize - prank; /* reversed */
    default:
        return (int)(h % 3) - 1; /* ties and negatives */
    }
}

static void do_split(const struct call *c, struct slot *parent, struct slot *child)
{
    int psize = parent->size, me = parent->rank;
    int color = split_color(c, me), key = split_key(c, me, psize);
    int want_rank = 0, want_size = 0;
    for (int p = 0; p < psize; p++) {
        if (split_color(c, p) != color)
            continue;
        want_size++;
        int k = split_key(c, p, psize);
        if (k < key || (k == key && p < me))
            want_rank++;
    }
    mpr_comm comm = MPR_COMM_NULL;
    check_rc(c, mpr_comm_split(parent->comm, color, key, &comm), "mpr_comm_split");
    snprintf(child->name, sizeof(child->name), "split%d.%d", c->index, color);
    child->color = color;
    if (color == MPR_UNDEFINED) {
        if (comm != MPR_COMM_NULL)
            fail(c, "mpr_comm_split with MPR_UNDEFINED gave a communicator");
        return;
    }
    child->comm = comm;
    if (comm == MPR_COMM_NULL)
        return;
    int rank = -1, size = -1;
    check_rc(c, mpr_comm_rank(comm, &rank), "mpr_comm_rank");
    check_rc(c, mpr_comm_size(comm, &size), "mpr_comm_size");
    if (rank != want_rank || size != want_size)
        fail(c, "split (color %d, key %d): rank %d of %d, expected %d of %d", color, key, rank, size,
             want_rank, want_size);
    child->rank = rank;
    child->size = size;
}

static void do_dup(const struct call *c, struct slot *parent, struct slot *child)
{
    mpr_comm comm = MPR_COMM_NULL;
    check_rc(c, mpr_comm_dup(parent->comm, &comm), "mpr_comm_dup");
    char parent_name[sizeof(parent->name)];
    memcpy(parent_name, parent->name, sizeof(parent_name));
    snprintf(child->name, sizeof(child->name), "dup%d(%.16s)", c->index, parent_name);
    child->comm = comm;
    child->color = parent->color;
    if (comm == MPR_COMM_NULL)
        return;
    int rank = -1, size = -1;
    check_rc(c, mpr_comm_rank(comm, &rank), "mpr_comm_rank");
    check_rc(c, mpr_comm_size(comm, &size), "mpr_comm_size");
    if (rank != parent->rank || size != parent->size)
        fail(c, "dup: rank %d of %d, expected %d of %d", rank, size, parent->rank, parent->size);
    child->rank = rank;
    child->size = size;
}

static void do_comm_free(const struct call *c, struct slot *s)
{
    for (int k = 0; k < OBJ_NKINDS; k++)
        obj_free(c, s, (enum obj_kind)k);
    barrier_check_free(c, s);
    check_rc(c, mpr_comm_free(&s->comm), "mpr_comm_free");
    if (s->comm != MPR_COMM_NULL)
        fail(c, "mpr_comm_free left the handle set");
}

/* ---- running a call ---- */

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t w = write(STDOUT_FILENO, hang_line, strlen(hang_line));
    (void)w;
    _exit(3);
}

static void run_call(const struct call *c)
{
    struct slot *s = &slots[c->slot];
    bool creates = c->kind == K_COMM_SPLIT || c->kind == K_COMM_DUP;
    if (creates) {
        slot_reset(&slots[c->new_slot]);
        slots[c->new_slot].live = true;
    }
    if (s->comm == MPR_COMM_NULL) { /* not in this group */
        if (c->kind == K_COMM_FREE)
            slot_reset(s);
        return;
    }
    describe(c, s, call_desc, sizeof(call_desc));
    snprintf(hang_line, sizeof(hang_line),
             "conform: FAIL seed=%llu call=%d rank=%d hung: no return after %d s | %s\n",
             (unsigned long long)cur_seed, c->index, world_rank, opt.hang_seconds, call_desc);
    if (opt.verbose) /* with the time since start: where a slow program spends it */
        printf("conform: seed=%llu call=%d rank=%d: %s (at %.3f s)\n", (unsigned long long)cur_seed,
               c->index, world_rank, call_desc, mpr_wtime() - start_time);
    skew(c);
    if (opt.hang_seconds > 0)
        alarm((unsigned)opt.hang_seconds);
    switch (c->kind) {
    case K_COMM_SPLIT:
        do_split(c, s, &slots[c->new_slot]);
        break;
    case K_COMM_DUP:
        do_dup(c, s, &slots[c->new_slot]);
        break;
    case K_COMM_FREE:
        do_comm_free(c, s);
        slot_reset(s);
        break;
    case K_OBJ_CREATE:
        obj_create(c, s);
        break;
    case K_OBJ_USE:
        obj_use(c, s);
        break;
    case K_OBJ_FREE:
        obj_free(c, s, c->obj);
        break;
    case K_P2P:
        run_p2p(c, s);
        break;
    default:
        run_collective(c, s);
    }
    alarm(0);
    if (failures) {
        if (failures > 8)
            printf("conform: rank %d: %d more failures not shown\n", world_rank, failures - 8);
        /* the whole program: ranks that left a call early may have broken it in later calls */
        printf("conform: replay: mprun -n %d conform --seed %llu --calls %d%s (and the same -x settings)\n",
               world_size, (unsigned long long)cur_seed, opt.calls, opt_text);
        fflush(stdout);
        exit(1);
    }
}

static void run_sequence(uint64_t seed)
{
    cur_seed = seed;
    gen_start(seed);
    for (int i = 0; i < MAX_SLOTS; i++)
        slot_reset(&slots[i]);
    struct slot *w = &slots[0];
    w->live = true;
    w->comm = MPR_COMM_WORLD;
    w->rank = world_rank;
    w->size = world_size;
    snprintf(w->name, sizeof(w->name), "world");
    struct call c;
    int i = 0;
    for (; i < opt.calls; i++) {
        gen_next(i, &c);
        run_call(&c);
    }
    while (gen_cleanup(i++, &c))
        run_call(&c);
    barrier_check_free(&c, w); /* the other slots' went with their comms */
}

/* ---- options ---- */

static size_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    if (*end) {
        fprintf(stderr, "conform: bad size '%s'\n", s);
        exit(2);
    }
    return (size_t)v;
}

static unsigned parse_kinds(const char *list)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        bool found = false;
        for (int k = 0; k < K_NKINDS; k++)
            if (strcmp(t, kind_name((enum call_kind)k)) == 0) {
                mask |= 1u << k;
                found = true;
            }
        if (strcmp(t, "objects") == 0)
            mask |= 1u << K_OBJ_CREATE | 1u << K_OBJ_USE | 1u << K_OBJ_FREE, found = true;
        if (strcmp(t, "comms") == 0)
            mask |= 1u << K_COMM_SPLIT | 1u << K_COMM_DUP | 1u << K_COMM_FREE, found = true;
        if (!found) {
            fprintf(stderr, "conform: unknown call kind '%s' (barrier, bcast, ..., alltoallv, "
                            "p2p, comm_split, comm_dup, comm_free, create, use, free, objects, comms)\n", t);
            exit(2);
        }
    }
    free(copy);
    return mask;
}

static unsigned parse_avoid(const char *list)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "reduce-runahead") == 0)
            mask |= AVOID_REDUCE_RUNAHEAD;
        else if (strcmp(t, "none") != 0) {
            fprintf(stderr, "conform: unknown --avoid '%s' (reduce-runahead, none)\n", t);
            exit(2);
        }
    }
    free(copy);
    return mask;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: mprun -n N conform [--seed S] [--sequences M] [--calls K] [--max-size BYTES]\n"
            "       [--max-skew-us US] [--only KINDS] [--avoid BUGS] [--hang-seconds T]\n"
            "       [--progress] [--verbose]\n");
    exit(2);
}

static void parse_options(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--verbose") == 0)
            opt.verbose++, takes = false;
        else if (strcmp(a, "--progress") == 0)
            opt.progress = true, takes = false;
        else if (!v)
            usage();
        else if (strcmp(a, "--seed") == 0)
            opt.seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--sequences") == 0)
            opt.sequences = strtol(v, NULL, 10);
        else if (strcmp(a, "--calls") == 0)
            opt.calls = atoi(v);
        else if (strcmp(a, "--max-size") == 0)
            opt.max_size = parse_size(v);
        else if (strcmp(a, "--max-skew-us") == 0)
            opt.max_skew_us = strtol(v, NULL, 10);
        else if (strcmp(a, "--only") == 0)
            opt.only = parse_kinds(v);
        else if (strcmp(a, "--avoid") == 0)
            opt.avoid = parse_avoid(v);
        else if (strcmp(a, "--hang-seconds") == 0)
            opt.hang_seconds = atoi(v);
        else
            usage();
        if (takes)
            i++;
    }
    if (opt.calls < 0 || opt.sequences < 0 || opt.max_size > (4u << 20))
        usage();
    for (int i = 1; i < argc; i++)
        if (i + 1 < argc && (strcmp(argv[i], "--only") == 0 || strcmp(argv[i], "--avoid") == 0 ||
                             strcmp(argv[i], "--max-size") == 0 || strcmp(argv[i], "--max-skew-us") == 0)) {
            size_t used = strlen(opt_text);
            snprintf(opt_text + used, sizeof(opt_text) - used, " %s %s", argv[i], argv[i + 1]);
        }
}

int main(int argc, char **argv)
{
    int rc = mpr_init(&argc, &argv);
    if (rc != MPR_SUCCESS) {
        fprintf(stderr, "conform: mpr_init: %s\n", mpr_error_name(rc));
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines out before a hang's _exit or a kill */
    parse_options(argc, argv);
    mpr_comm_rank(MPR_COMM_WORLD, &world_rank);
    mpr_comm_size(MPR_COMM_WORLD, &world_size);
    if (world_size > 255) {
        fprintf(stderr, "conform: at most 255 ranks\n");
        return 2;
    }
    elems_init();
    signal(SIGALRM, on_alarm);
    double start = start_time = mpr_wtime();
    for (long q = 0; q < opt.sequences; q++) {
        run_sequence(opt.seed + (uint64_t)q);
        if (opt.progress && world_rank == 0)
        {
            printf("conform: seed %llu passed (%.1f s)\n", (unsigned long long)(opt.seed + (uint64_t)q),
                   mpr_wtime() - start);
            fflush(stdout);
        }
    }
    rc = mpr_finalize();
    if (rc != MPR_SUCCESS) {
        printf("conform: FAIL rank=%d mpr_finalize returned %s\n", world_rank, mpr_error_name(rc));
        return 1;
    }
    if (world_rank == 0)
        printf("conform: %ld sequences of %d calls passed (seeds %llu..%llu, %d ranks)\n", opt.sequences,
               opt.calls, (unsigned long long)opt.seed,
               (unsigned long long)(opt.seed + (uint64_t)opt.sequences - 1), world_size);
    return 0;
}
