/*
 * objects_array.c - the shared array and value (OBJ_ARRAY), in patterns
 * whose outcome every rank can check. Every rank keeps the same model of
 * the array's contents (what the program has put there so far) and
 * compares what it reads with it.
 *
 * create   an array of a random type (integers of 1, 2, 4 and 8 bytes,
 *          float, double, long double) and count (1 through
 *          mpr_value_create, up to ranges that cross the object service's
 *          1 MiB pieces); it reads as zeros.
 * use      always: ranks write their own disjoint ranges (in pieces, some
 *          through mpr_array_data), then read random ranges back.
 *          Then some of:
 *          fetch_add  every rank adds to shared counters; the final value
 *                     is the sum of all deltas (wrapping in the type) and
 *                     the `old` values seen are the prefix sums in one
 *                     order (the deltas of a counter share a sign and add
 *                     up to less than the type's range, so the prefix sums
 *                     are distinct and the order is found greedily);
 *          cas        rounds of compare_swap races: one winner each, the
 *                     losers see the winner's value;
 *          lock       read-modify-write under the array's lock (get_lock),
 *                     with pauses inside: no update lost;
 *          bad input  out of range, overflowing ranges, NULL buffers,
 *                     atomics on floating types, values the type cannot
 *                     hold: MPR_ERR_ARG and nothing changed.
 *          A read of the whole array ends every use.
 * Rank 0 of the communicator gets the atomics' results point-to-point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"

#define TAG_ARRAY 803
#define MAX_COUNTERS 3
#define MAX_FA_OPS 256 /* fetch_adds per rank */
#define MAX_CAS_ROUNDS 4

static double obj_timeout(void)
{
    return opt.hang_seconds > 0 ? 0.75 * opt.hang_seconds : MPR_WAIT_FOREVER;
}

static uint64_t ahash(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b ^ 0xa77a7);
}

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* ---- element values ---- */

static const mpr_datatype array_types[] = {
    MPR_BYTE,  MPR_CHAR,     MPR_SIGNED_CHAR, MPR_UNSIGNED_CHAR, MPR_INT8,          MPR_UINT8,
    MPR_SHORT, MPR_UNSIGNED_SHORT, MPR_INT16, MPR_UINT16,        MPR_INT,           MPR_UNSIGNED,
    MPR_INT32, MPR_UINT32,   MPR_LONG,        MPR_UNSIGNED_LONG, MPR_LONG_LONG,
    MPR_UNSIGNED_LONG_LONG,  MPR_INT64,       MPR_UINT64,        MPR_SIZE_T,        MPR_FLOAT,
    MPR_DOUBLE, MPR_FLOAT,   MPR_DOUBLE,      MPR_LONG_DOUBLE,
};
#define NARRAY_TYPES (sizeof(array_types) / sizeof(array_types[0]))

static bool is_signed(mpr_datatype t)
{
    switch (t) {
    case MPR_CHAR: case MPR_SIGNED_CHAR: case MPR_SHORT: case MPR_INT: case MPR_LONG:
    case MPR_LONG_LONG: case MPR_INT8: case MPR_INT16: case MPR_INT32: case MPR_INT64:
        return true;
    default:
        return false;
    }
}

static uint64_t type_mask(mpr_datatype t)
{
    size_t w = type_size(t);
    return w >= 8 ? ~0ull : (1ull << (8 * w)) - 1;
}

/* v as the int64_t the API reports for an element of type t holding v's
 * low bits: sign-extended for signed types, zero-extended otherwise */
static int64_t widen(mpr_datatype t, uint64_t v)
{
    uint64_t m = type_mask(t);
    if (m == ~0ull)
        return (int64_t)v;
    v &= m;
    if (is_signed(t) && (v & ((m >> 1) + 1)))
        v |= ~m;
    return (int64_t)v;
}

/* A number in an element (integers modulo 2^bits; floating types hold
 * the small integers the lock pattern adds) */
static void put_num(mpr_datatype t, void *p, int64_t v)
{
    if (t == MPR_FLOAT) {
        float f = (float)v;
        memcpy(p, &f, sizeof(f));
    } else if (t == MPR_DOUBLE) {
        double d = (double)v;
        memcpy(p, &d, sizeof(d));
    } else if (t == MPR_LONG_DOUBLE) {
        long double l = (long double)v;
        memset(p, 0, sizeof(l)); /* the padding at 0: models compare bytes */
        memcpy(p, &l, 10);       /* x87 extended: 10 bytes of value */
    } else {
        memcpy(p, &v, type_size(t)); /* little-endian */
    }
}

static int64_t get_num(mpr_datatype t, const void *p)
{
    if (t == MPR_FLOAT) {
        float f;
        memcpy(&f, p, sizeof(f));
        return (int64_t)f;
    }
    if (t == MPR_DOUBLE) {
        double d;
        memcpy(&d, p, sizeof(d));
        return (int64_t)d;
    }
    if (t == MPR_LONG_DOUBLE) {
        long double l;
        memcpy(&l, p, sizeof(l));
        return (int64_t)l;
    }
    uint64_t v = 0;
    memcpy(&v, p, type_size(t));
    return widen(t, v);
}

/* ---- create / free ---- */

int array_obj_create(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    mpr_datatype t = array_types[c->raw[1] % NARRAY_TYPES];
    size_t w = type_size(t), count;
    uint64_t cls = c->raw[2] % 100, x = c->raw[2] / 100;
    bool value = cls < 25;
    if (value)
        count = 1;
    else if (cls < 60)
        count = 1 + x % 64;
    else if (cls < 92 || opt.max_size < (1u << 20))
        count = 65 + x % 16384;
    else /* around the service's 1 MiB pieces, or a few of them */
        count = (cls < 97 ? ((size_t)1 << 20) / w + x % 5 - 2 : ((size_t)1 << 20) / w + x % (((size_t)2 << 20) / w));
    o->array_type = t;
    o->array_count = count;
    int rc = value ? mpr_value_create(s->comm, t, &o->array) : mpr_array_create(s->comm, t, count, &o->array);
    check_rc(c, rc, value ? "mpr_value_create" : "mpr_array_create");
    if (rc != MPR_SUCCESS)
        return rc;
    o->array_model = calloc(count, w);
    if (!o->array_model)
        abort();
    size_t got_count = 0;
    mpr_datatype got_type = -1;
    mpr_lock lock = NULL;
    check_rc(c, mpr_array_size(o->array, &got_count), "mpr_array_size");
    check_rc(c, mpr_array_type(o->array, &got_type), "mpr_array_type");
    check_rc(c, mpr_array_get_lock(o->array, &lock), "mpr_array_get_lock");
    if (got_count != count || got_type != t || !lock)
        fail(c, "the new array says count %zu, type %s, lock %p; made with %zu of %s", got_count,
             type_name(got_type), (void *)lock, count, type_name(t));
    /* it reads as zeros (a random range, its last element) */
    size_t first = (size_t)(ahash(c, 0xc7, (uint64_t)s->rank) % count);
    size_t n = count - first < 4096 ? count - first : 4096;
    unsigned char *buf = xmalloc(n * w);
    check_rc(c, mpr_array_read(o->array, first, n, buf), "mpr_array_read (new array)");
    for (size_t i = 0; i < n * w; i++)
        if (buf[i] != 0) {
            fail(c, "a new array of %zu x %s holds 0x%02x at byte %zu of element %zu", count,
                 type_name(t), buf[i], i % w, first + i / w);
            break;
        }
    free(buf);
    group_sync(c, s); /* nobody writes before everybody looked */
    return MPR_SUCCESS;
}

void array_obj_free(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    check_rc(c, mpr_array_free(&o->array), "mpr_array_free");
    if (o->array)
        fail(c, "mpr_array_free left the handle set");
    free(o->array_model);
    o->array_model = NULL;
}

/* ---- checks against the model ---- */

static void report_mismatch(const struct call *c, const struct objects *o, size_t first,
                            const unsigned char *got, const unsigned char *want, size_t bytes,
                            const char *when, const char *how)
{
    size_t w = type_size(o->array_type), i = 0;
    while (i < bytes && got[i] == want[i])
        i++;
    fail(c, "%s: element %zu of %zu x %s %s holds %lld (byte %zu: 0x%02x), expected %lld (0x%02x)",
         when, first + i / w, o->array_count, type_name(o->array_type), how,
         (long long)get_num(o->array_type, got + i / w * w), i % w, got[i],
         (long long)get_num(o->array_type, want + i / w * w), want[i]);
}

/* Elements first .. first+n-1 as read (and as seen in place, when this
 * rank has the memory) are the model's. */
static void check_range(const struct call *c, const struct objects *o, size_t first, size_t n,
                        const char *when)
{
    size_t w = type_size(o->array_type);
    unsigned char *buf = xmalloc(n * w);
    const unsigned char *want = o->array_model + first * w;
    int rc = mpr_array_read(o->array, first, n, buf);
    if (rc != MPR_SUCCESS) {
        fail(c, "%s: mpr_array_read of [%zu, %zu) returned %s", when, first, first + n,
             mpr_error_name(rc));
        free(buf);
        return;
    }
    if (memcmp(buf, want, n * w) != 0)
        report_mismatch(c, o, first, buf, want, n * w, when, "as read");
    const unsigned char *data = mpr_array_data(o->array);
    if (data && memcmp(data + first * w, want, n * w) != 0)
        report_mismatch(c, o, first, data + first * w, want, n * w, when, "in place");
    free(buf);
}

static void check_all(const struct call *c, const struct objects *o, const char *when)
{
    check_range(c, o, 0, o->array_count, when);
}

/* ---- writes of disjoint ranges, then reads ---- */

struct segment {
    size_t first, n;
    int owner; /* a rank of the communicator, or -1: left alone */
};

static int draw_segments(const struct call *c, size_t count, int nranks, struct segment *seg,
                         int max)
{
    int k = 1 + (int)(ahash(c, 0x5e6, 0) % (uint64_t)max);
    size_t *cuts = xmalloc(sizeof(size_t) * ((size_t)k + 1));
    cuts[0] = 0;
    for (int i = 1; i < k; i++)
        cuts[i] = (size_t)(ahash(c, 0x5e7, (uint64_t)i) % (count + 1));
    cuts[k] = count;
    for (int i = 1; i < k; i++) /* sort the inner cuts */
        for (int j = i; j > 1 && cuts[j - 1] > cuts[j]; j--) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    for (int i = 0; i < k; i++) {
        seg[i].first = cuts[i];
        seg[i].n = cuts[i + 1] - cuts[i];
        uint64_t h = ahash(c, 0x5e8, (uint64_t)i) % (uint64_t)(nranks + 1);
        seg[i].owner = h == (uint64_t)nranks ? -1 : (int)h;
    }
    free(cuts);
    return k;
}

static void write_and_read(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    size_t w = type_size(o->array_type), count = o->array_count;
    struct segment seg[8];
    int k = draw_segments(c, count, s->size, seg, 8);
    for (int i = 0; i < k; i++) {
        unsigned char *model = o->array_model + seg[i].first * w;
        if (seg[i].owner < 0 || seg[i].n == 0)
            continue;
        fill_bytes(model, seg[i].n * w, data_key(c, 0xa770, i));
        if (o->array_type == MPR_LONG_DOUBLE) /* 10 bytes of value: keep the padding at 0 */
            for (size_t e = 0; e < seg[i].n; e++)
                memset(model + e * w + 10, 0, w - 10);
        if (seg[i].owner != s->rank)
            continue;
        /* in up to three pieces, in a random order, one maybe in place */
        size_t cut1 = (size_t)(ahash(c, 0x5e9, (uint64_t)i) % (seg[i].n + 1));
        size_t cut2 = cut1 + (size_t)(ahash(c, 0x5ea, (uint64_t)i) % (seg[i].n - cut1 + 1));
        size_t from[3] = { 0, cut1, cut2 }, to[3] = { cut1, cut2, seg[i].n };
        int order = (int)(ahash(c, 0x5eb, (uint64_t)i) % 6);
        static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
                                         { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
        for (int j = 0; j < 3; j++) {
            int p = perms[order][j];
            size_t a = seg[i].first + from[p], n = to[p] - from[p];
            unsigned char *data = mpr_array_data(o->array);
            if (data && ahash(c, 0x5ec, (uint64_t)(i * 3 + p)) % 4 == 0) {
                memcpy(data + a * w, o->array_model + a * w, n * w);
            } else {
                int rc = mpr_array_write(o->array, a, n, n ? o->array_model + a * w : NULL);
                if (rc != MPR_SUCCESS)
                    fail(c, "mpr_array_write of [%zu, %zu) returned %s", a, a + n,
                         mpr_error_name(rc));
            }
            if (ahash(c, 0x5ed, (uint64_t)(i * 3 + p)) % 8 == 0)
                pause_us((long)(ahash(c, 0x5ee, (uint64_t)(i * 3 + p)) % 1000));
        }
    }
    group_sync(c, s);
    int reads = 1 + (int)(ahash(c, 0x5ef, (uint64_t)s->rank) % 3);
    for (int r = 0; r < reads; r++) {
        uint64_t h = ahash(c, 0x5f0, (uint64_t)(s->rank * 4 + r));
        size_t first = (size_t)(h % (count + 1)), n;
        h = ahash(c, 0x5f1, (uint64_t)(s->rank * 4 + r));
        n = h % 8 == 0 ? count - first : (size_t)(h >> 3) % (count - first + 1);
        check_range(c, o, first, n, "after the writes");
    }
    group_sync(c, s); /* nobody changes it before everybody read */
}

/* ---- to rank 0 of the communicator ---- */

/* Rank 0 gets every rank's n_r int64 values (n_r first, then the values)
 * into all[r * per_rank ...], counts in ns[r]. Others send theirs. */
static void gather_i64(const struct call *c, const struct slot *s, const int64_t *mine, int n,
                       int per_rank, int64_t *all, int *ns)
{
    if (s->rank != 0) {
        check_rc(c, mpr_send(&n, sizeof(n), 0, TAG_ARRAY, s->comm), "mpr_send of a count");
        check_rc(c, mpr_send(mine, sizeof(int64_t) * (size_t)n, 0, TAG_ARRAY, s->comm),
                 "mpr_send of results");
        return;
    }
    for (int r = 0; r < s->size; r++) {
        int64_t *dst = all + (size_t)r * (size_t)per_rank;
        if (r == 0) {
            ns[0] = n;
            memcpy(dst, mine, sizeof(int64_t) * (size_t)n);
            continue;
        }
        check_rc(c, mpr_recv(&ns[r], sizeof(int), r, TAG_ARRAY, s->comm, MPR_STATUS_IGNORE),
                 "mpr_recv of a count");
        if (ns[r] < 0 || ns[r] > per_rank) {
            fail(c, "rank %d sends %d results (at most %d)", r, ns[r], per_rank);
            ns[r] = 0;
        }
        check_rc(c, mpr_recv(dst, sizeof(int64_t) * (size_t)ns[r], r, TAG_ARRAY, s->comm,
                             MPR_STATUS_IGNORE),
                 "mpr_recv of results");
    }
}

/* ---- fetch_add ---- */

struct fa_plan {
    int ncounters;
    size_t index[MAX_COUNTERS];
    bool negative[MAX_COUNTERS];
    int ops;             /* the most per rank (fa_ops_of) */
    uint64_t magnitude;  /* deltas are 1 .. magnitude */
};

static int fa_ops_of(const struct call *c, const struct fa_plan *p, int r)
{
    uint64_t h = ahash(c, 0xfa0, (uint64_t)r);
    int few = 1 + (int)(h % 8 < (uint64_t)p->ops ? h % 8 : (uint64_t)p->ops - 1);
    return h / 8 % 4 == 0 ? few : p->ops / 2 + 1 + (int)(h / 32 % (uint64_t)(p->ops - p->ops / 2));
}

/* The counter and delta of op k of rank r */
static int fa_counter(const struct call *c, const struct fa_plan *p, int r, int k)
{
    return (int)(ahash(c, 0xfa1, (uint64_t)(r * MAX_FA_OPS + k)) % (uint64_t)p->ncounters);
}

static int64_t fa_delta(const struct call *c, const struct fa_plan *p, int r, int k)
{
    uint64_t mag = 1 + ahash(c, 0xfa2, (uint64_t)(r * MAX_FA_OPS + k)) % p->magnitude;
    int ctr = fa_counter(c, p, r, k);
    return p->negative[ctr] ? -(int64_t)mag : (int64_t)mag;
}

/* A counter's start: sometimes near where the type wraps */
static int64_t fa_start(const struct call *c, mpr_datatype t, int i)
{
    uint64_t h = ahash(c, 0xfa7, (uint64_t)i), m = type_mask(t);
    switch (h % 4) {
    case 0: return widen(t, m - h / 4 % 64);        /* the top of unsigned */
    case 1: return widen(t, (m >> 1) - h / 4 % 64); /* the top of signed */
    case 2: return 0;
    default: return widen(t, h / 4);
    }
}

struct fa_op {
    uint64_t offset; /* |old - start| in the direction of the deltas, modulo 2^bits */
    int64_t old, delta;
    int rank, k;
};

static int by_offset(const void *a, const void *b)
{
    const struct fa_op *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The olds seen on counter i are the prefix sums of its deltas in one
 * order: the deltas share a sign and add up to less than the type's range,
 * so the prefix sums are distinct and, sorted by their distance from the
 * start, each is the one before plus that one's delta. */
static void check_prefix_sums(const struct call *c, const struct fa_plan *p, int i, int64_t start,
                              mpr_datatype t, const int64_t *all, const int *ns, int n)
{
    struct fa_op *ops = xmalloc(sizeof(struct fa_op) * (size_t)(n * MAX_FA_OPS));
    int m = 0;
    for (int r = 0; r < n; r++)
        for (int k = 0; k < ns[r]; k++) {
            if (fa_counter(c, p, r, k) != i)
                continue;
            int64_t old = all[r * MAX_FA_OPS + k];
            uint64_t d = p->negative[i] ? (uint64_t)start - (uint64_t)old : (uint64_t)old - (uint64_t)start;
            ops[m++] = (struct fa_op){ d & type_mask(t), old, fa_delta(c, p, r, k), r, k };
        }
    qsort(ops, (size_t)m, sizeof(ops[0]), by_offset);
    uint64_t v = (uint64_t)start;
    for (int j = 0; j < m; j++) {
        if (ops[j].old != widen(t, v)) {
            fail(c, "fetch_add %d of rank %d (delta %lld on element %zu of %s) saw old %lld; "
                 "the prefix sums of the deltas (from %lld) reach %lld there: an add lost or "
                 "seen twice", ops[j].k, ops[j].rank, (long long)ops[j].delta, p->index[i],
                 type_name(t), (long long)ops[j].old, (long long)start,
                 (long long)widen(t, v));
            break;
        }
        v += (uint64_t)ops[j].delta;
    }
    free(ops);
}

static void use_fetch_add(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    mpr_datatype t = o->array_type;
    size_t w = type_size(t), count = o->array_count;
    int n = s->size, me = s->rank;
    struct fa_plan p;
    p.ncounters = 1 + (int)(ahash(c, 0xfa3, 0) % (count < MAX_COUNTERS ? count : MAX_COUNTERS));
    size_t base = (size_t)(ahash(c, 0xfa4, 0) % count);
    for (int i = 0; i < p.ncounters; i++) {
        p.index[i] = (base + (size_t)i) % count; /* distinct */
        p.negative[i] = ahash(c, 0xfa5, (uint64_t)i) % 2;
    }
    /* prefix sums distinct modulo 2^bits: |sum of all deltas| < 2^bits */
    int most = MAX_FA_OPS;
    if (type_mask(t) / (uint64_t)n < (uint64_t)most)
        most = (int)(type_mask(t) / (uint64_t)n);
    p.ops = most < 1 ? 1 : most;
    int total = 0;
    for (int r = 0; r < n; r++)
        total += fa_ops_of(c, &p, r);
    p.magnitude = type_mask(t) / (uint64_t)total;
    if (p.magnitude > (1ull << 58))
        p.magnitude = 1ull << 58;
    if (p.magnitude > 7 && ahash(c, 0xfa6, 0) % 3 == 0)
        p.magnitude = 1 + p.magnitude % 7; /* small steps: many collisions between ranks */
    int64_t start[MAX_COUNTERS];
    uint64_t sum[MAX_COUNTERS];
    for (int i = 0; i < p.ncounters; i++) {
        start[i] = fa_start(c, t, i);
        sum[i] = 0;
        put_num(t, o->array_model + p.index[i] * w, start[i]);
        if (me == 0)
            check_rc(c, mpr_array_write(o->array, p.index[i], 1, o->array_model + p.index[i] * w),
                     "mpr_array_write (a start value)");
    }
    group_sync(c, s);

    int mine = fa_ops_of(c, &p, me);
    int64_t *olds = xmalloc(sizeof(int64_t) * MAX_FA_OPS);
    for (int k = 0; k < mine; k++) {
        int ctr = fa_counter(c, &p, me, k);
        int rc = mpr_array_fetch_add(o->array, p.index[ctr], fa_delta(c, &p, me, k), &olds[k]);
        if (rc != MPR_SUCCESS) {
            fail(c, "mpr_array_fetch_add on element %zu returned %s", p.index[ctr], mpr_error_name(rc));
            olds[k] = 0;
        }
    }
    for (int r = 0; r < n; r++)
        for (int k = 0; k < fa_ops_of(c, &p, r); k++)
            sum[fa_counter(c, &p, r, k)] += (uint64_t)fa_delta(c, &p, r, k);
    for (int i = 0; i < p.ncounters; i++)
        put_num(t, o->array_model + p.index[i] * w, widen(t, (uint64_t)start[i] + sum[i]));
    int64_t *all = me == 0 ? xmalloc(sizeof(int64_t) * (size_t)(n * MAX_FA_OPS)) : NULL;
    int *ns = me == 0 ? xmalloc(sizeof(int) * (size_t)n) : NULL;
    gather_i64(c, s, olds, mine, MAX_FA_OPS, all, ns);
    free(olds);
    if (me == 0) {
        for (int i = 0; i < p.ncounters; i++)
            check_prefix_sums(c, &p, i, start[i], t, all, ns, n);
        free(all);
        free(ns);
    }
    group_sync(c, s);
    for (int i = 0; i < p.ncounters; i++)
        check_range(c, o, p.index[i], 1, "after the fetch_adds (the sum of all deltas)");
    group_sync(c, s);
}

/* ---- compare_swap races ---- */

static void use_compare_swap(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    mpr_datatype t = o->array_type;
    size_t w = type_size(t), idx = (size_t)(ahash(c, 0xca0, 0) % o->array_count);
    int n = s->size, me = s->rank, rounds = 1 + (int)(ahash(c, 0xca1, 0) % MAX_CAS_ROUNDS);
    int64_t results[2 * MAX_CAS_ROUNDS]; /* per round: won (0/1), old */
    int64_t first_value = get_num(t, o->array_model + idx * w);
    for (int k = 0; k < rounds; k++) {
        int64_t cur = get_num(t, o->array_model + idx * w), old = 0;
        int64_t desired = widen(t, (uint64_t)cur + 1 + (uint64_t)me);
        if (ahash(c, 0xca2, (uint64_t)(me * 8 + k)) % 4 == 0) {
            /* one that must fail: cur - 1 is nobody's desired value */
            int64_t wrong = widen(t, (uint64_t)cur - 1);
            int rc = mpr_array_compare_swap(o->array, idx, wrong, desired, &old);
            if (rc != MPR_SUCCESS)
                fail(c, "compare_swap expecting %lld returned %s", (long long)wrong, mpr_error_name(rc));
            else if (old == wrong)
                fail(c, "compare_swap expecting %lld succeeded; the value was %lld or another "
                     "rank's desired value", (long long)wrong, (long long)cur);
        }
        if (ahash(c, 0xca3, (uint64_t)(me * 8 + k)) % 3 == 0)
            pause_us((long)(ahash(c, 0xca4, (uint64_t)(me * 8 + k)) % 500));
        int rc = mpr_array_compare_swap(o->array, idx, cur, desired, &old);
        if (rc != MPR_SUCCESS)
            fail(c, "compare_swap(%lld -> %lld) on element %zu returned %s", (long long)cur,
                 (long long)desired, idx, mpr_error_name(rc));
        results[2 * k] = rc == MPR_SUCCESS && old == cur;
        results[2 * k + 1] = old;
        group_sync(c, s);
        int64_t now = 0;
        unsigned char raw[16];
        check_rc(c, mpr_array_read(o->array, idx, 1, raw), "mpr_array_read (after a race)");
        now = get_num(t, raw);
        int winner = (int)(((uint64_t)now - (uint64_t)cur - 1) & type_mask(t));
        if (winner >= n || now == cur)
            fail(c, "round %d: after every rank's compare_swap(%lld -> %lld + 1 + rank) the value is %lld",
                 k, (long long)cur, (long long)cur, (long long)now);
        put_num(t, o->array_model + idx * w, now);
        group_sync(c, s); /* everybody read before the next round */
    }
    int64_t *all = me == 0 ? xmalloc(sizeof(int64_t) * (size_t)(n * 2 * MAX_CAS_ROUNDS)) : NULL;
    int *ns = me == 0 ? xmalloc(sizeof(int) * (size_t)n) : NULL;
    gather_i64(c, s, results, 2 * rounds, 2 * MAX_CAS_ROUNDS, all, ns);
    if (me == 0) {
        /* replay the rounds: one winner, the losers saw its value */
        int64_t cur = first_value;
        for (int k = 0; k < rounds; k++) {
            int winners = 0, winner = -1;
            for (int r = 0; r < n; r++)
                if (ns[r] == 2 * rounds && all[r * 2 * MAX_CAS_ROUNDS + 2 * k])
                    winners++, winner = r;
            if (winners != 1) {
                fail(c, "round %d of compare_swap races: %d winners", k, winners);
                break;
            }
            int64_t won = all[winner * 2 * MAX_CAS_ROUNDS + 2 * k + 1]; /* the old it replaced */
            if (won != cur)
                fail(c, "round %d: the winner replaced %lld, the last round left %lld", k,
                     (long long)won, (long long)cur);
            cur = widen(t, (uint64_t)won + 1 + (uint64_t)winner);
            for (int r = 0; r < n; r++)
                if (r != winner && all[r * 2 * MAX_CAS_ROUNDS + 2 * k + 1] != cur)
                    fail(c, "round %d: rank %d lost to rank %d but saw %lld, not its %lld", k, r,
                         winner, (long long)all[r * 2 * MAX_CAS_ROUNDS + 2 * k + 1], (long long)cur);
        }
        free(all);
        free(ns);
    }
    group_sync(c, s);
}

/* ---- read-modify-write under the array's lock ---- */

static int lock_rounds(const struct call *c, int r)
{
    return 1 + (int)(ahash(c, 0x10c2, (uint64_t)r) % 6);
}

static void use_locked_updates(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    mpr_datatype t = o->array_type;
    size_t w = type_size(t), count = o->array_count;
    size_t len = 1 + (size_t)(ahash(c, 0x10c0, 0) % (count < 4 ? count : 4));
    size_t first = (size_t)(ahash(c, 0x10c1, 0) % (count - len + 1));
    int n = s->size, me = s->rank;
    bool floating = type_is_float(t);
    mpr_lock lock = NULL;
    check_rc(c, mpr_array_get_lock(o->array, &lock), "mpr_array_get_lock");
    if (!lock)
        return;
    /* small numbers first where floats hold random bits */
    for (size_t i = 0; i < len; i++)
        put_num(t, o->array_model + (first + i) * w, floating ? (int64_t)(i * 10) :
                get_num(t, o->array_model + (first + i) * w));
    if (me == 0)
        check_rc(c, mpr_array_write(o->array, first, len, o->array_model + first * w),
                 "mpr_array_write (start values)");
    group_sync(c, s);
    unsigned char buf[4 * 16];
    for (int k = 0; k < lock_rounds(c, me); k++) {
        uint64_t h = ahash(c, 0x10c3, (uint64_t)(me * 8 + k));
        int rc = mpr_lock_acquire(lock, obj_timeout());
        if (rc != MPR_SUCCESS) {
            fail(c, "acquiring the array's lock returned %s", mpr_error_name(rc));
            return;
        }
        unsigned char *data = mpr_array_data(o->array);
        bool in_place = data && h % 3 == 0;
        if (in_place)
            memcpy(buf, data + first * w, len * w);
        else
            check_rc(c, mpr_array_read(o->array, first, len, buf), "mpr_array_read (under the lock)");
        if (h / 3 % 3 == 0)
            pause_us((long)(h / 9 % 400));
        for (size_t i = 0; i < len; i++) {
            int64_t d = 1 + (int64_t)((h >> (8 * i)) % 97);
            put_num(t, buf + i * w, get_num(t, buf + i * w) + d);
        }
        if (in_place)
            memcpy(data + first * w, buf, len * w);
        else
            check_rc(c, mpr_array_write(o->array, first, len, buf), "mpr_array_write (under the lock)");
        check_rc(c, mpr_lock_release(lock), "releasing the array's lock");
    }
    for (int r = 0; r < n; r++)
        for (int k = 0; k < lock_rounds(c, r); k++) {
            uint64_t h = ahash(c, 0x10c3, (uint64_t)(r * 8 + k));
            for (size_t i = 0; i < len; i++) {
                unsigned char *m = o->array_model + (first + i) * w;
                put_num(t, m, get_num(t, m) + 1 + (int64_t)((h >> (8 * i)) % 97));
            }
        }
    group_sync(c, s);
    check_range(c, o, first, len, "after the updates under the lock (one lost?)");
    group_sync(c, s);
}

/* ---- bad input ---- */

static void expect_arg(const struct call *c, int rc, const char *what)
{
    if (rc != MPR_ERR_ARG)
        fail(c, "%s returned %s, expected MPR_ERR_ARG", what, mpr_error_name(rc));
}

static void use_bad_input(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    mpr_datatype t = o->array_type;
    size_t w = type_size(t), count = o->array_count;
    mpr_array a = o->array;
    if (s->rank == (int)(ahash(c, 0xbad, 0) % (uint64_t)s->size)) {
        size_t junk_n = count < 8 ? count + 2 : 10;
        unsigned char *junk = xmalloc(junk_n * w);
        memset(junk, 0xa5, junk_n * w);
        int64_t old = 0x5a5a;
        size_t off = count > 1 ? count - 1 : 0;
        expect_arg(c, mpr_array_write(a, count, 1, junk), "a write of the element after the last");
        expect_arg(c, mpr_array_write(a, off, 2, junk), "a write running past the end");
        expect_arg(c, mpr_array_write(a, 0, count + 1, junk), "a write of count + 1 elements");
        expect_arg(c, mpr_array_write(a, (size_t)-1, 2, junk), "a write at SIZE_MAX (overflowing)");
        expect_arg(c, mpr_array_write(a, 1, (size_t)-1, junk), "a write of SIZE_MAX elements");
        expect_arg(c, mpr_array_write(a, 0, 1, NULL), "a write from NULL");
        expect_arg(c, mpr_array_read(a, count, 1, junk), "a read of the element after the last");
        expect_arg(c, mpr_array_read(a, off, 2, junk), "a read running past the end");
        expect_arg(c, mpr_array_read(a, 0, 1, NULL), "a read into NULL");
        expect_arg(c, mpr_array_read(NULL, 0, 1, junk), "a read of a NULL array");
        expect_arg(c, mpr_array_size(a, NULL), "mpr_array_size into NULL");
        for (size_t i = 0; i < junk_n * w; i++)
            if (junk[i] != 0xa5) {
                fail(c, "a refused read wrote byte %zu of the buffer", i);
                break;
            }
        check_rc(c, mpr_array_write(a, count, 0, NULL), "a write of 0 elements at the end");
        check_rc(c, mpr_array_read(a, 0, 0, NULL), "a read of 0 elements");
        expect_arg(c, mpr_array_fetch_add(a, count, 1, &old), "fetch_add after the last element");
        expect_arg(c, mpr_array_fetch_add(a, (size_t)-1, 1, &old), "fetch_add at SIZE_MAX");
        expect_arg(c, mpr_array_compare_swap(a, count, 0, 1, &old), "compare_swap after the last element");
        if (type_is_float(t)) {
            expect_arg(c, mpr_array_fetch_add(a, 0, 1, &old), "fetch_add on a floating type");
            expect_arg(c, mpr_array_compare_swap(a, 0, 0, 1, &old), "compare_swap on a floating type");
        } else if (w < 8) {
            int64_t too_big = (int64_t)(type_mask(t) + 1), cur = get_num(t, o->array_model);
            expect_arg(c, mpr_array_compare_swap(a, 0, too_big, 0, &old),
                       "compare_swap expecting a value the type cannot hold");
            expect_arg(c, mpr_array_compare_swap(a, 0, cur, too_big, &old),
                       "compare_swap to a value the type cannot hold");
            if (!is_signed(t))
                expect_arg(c, mpr_array_compare_swap(a, 0, cur, -1, &old),
                           "compare_swap to -1 in an unsigned type");
        }
        if (old != 0x5a5a)
            fail(c, "a refused atomic set *old to %lld", (long long)old);
        free(junk);
    }
    group_sync(c, s);
}

void array_obj_use(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    bool integer = !type_is_float(o->array_type);
    write_and_read(c, s);
    uint64_t which = c->raw[1];
    if (integer && which % 2)
        use_fetch_add(c, s);
    if (integer && which / 2 % 2)
        use_compare_swap(c, s);
    if (which / 4 % 2 || !integer)
        use_locked_updates(c, s);
    if (which / 8 % 3 == 0)
        use_bad_input(c, s);
    check_all(c, o, "at the end of the use");
    group_sync(c, s);
}
