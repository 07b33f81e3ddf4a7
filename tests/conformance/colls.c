/*
 * colls.c - each collective with inputs made from (seed, call, rank,
 * block), run, then checked on this rank: the result against the
 * reference, send buffers unchanged, everything outside the result (guard
 * bytes around every buffer, gaps between v-blocks, the rest of a block
 * sent short, recvbufs that must not be written) still holding PATTERN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define GUARD 64
#define PATTERN 0xa5

/* ---- buffers with guard bytes ---- */

struct gbuf {
    unsigned char *base; /* line-aligned: guard, shift bytes, len bytes, guard */
    size_t shift;
    size_t len;
    const char *what;
};

static uint64_t name_key(const char *s)
{
    uint64_t h = 1469598103934665037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The buffer starts 0, 16, 32 or 48 bytes into a cache line, drawn per
 * sequence, size, buffer and rank: copies between ranks' buffers and
 * shared memory then meet aligned alike (rep movsb) and not. */
static void *galloc(struct gbuf *g, size_t len, const char *what)
{
    g->shift = 16 * (size_t)(key4(cur_seed, len, name_key(what), (uint64_t)world_rank) % 4);
    size_t total = (GUARD + g->shift + len + GUARD + 63) / 64 * 64;
    g->base = aligned_alloc(64, total);
    if (!g->base)
        g->base = xmalloc(total); /* ends the run if memory is out */
    g->len = len;
    g->what = what;
    memset(g->base, PATTERN, GUARD + g->shift + len + GUARD);
    return g->base + GUARD + g->shift;
}

static size_t first_not(const unsigned char *p, size_t len, unsigned char byte, size_t *count)
{
    size_t first = len;
    *count = 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] != byte) {
            if (first == len)
                first = i;
            (*count)++;
        }
    return first;
}

static void check_untouched(const struct call *c, const void *p, size_t len, const char *what)
{
    size_t n, at = first_not(p, len, PATTERN, &n);
    if (n)
        fail(c, "%s: %zu of %zu bytes written (first at byte %zu: 0x%02x) where nothing may be",
             what, n, len, at, ((const unsigned char *)p)[at]);
}

/* checks the guards and frees */
static void gdone(const struct call *c, struct gbuf *g)
{
    if (!g->base)
        return;
    char what[96];
    snprintf(what, sizeof(what), "guard before %s", g->what);
    check_untouched(c, g->base, GUARD + g->shift, what);
    snprintf(what, sizeof(what), "guard after %s", g->what);
    check_untouched(c, g->base + GUARD + g->shift + g->len, GUARD, what);
    free(g->base);
    g->base = NULL;
}

/* ---- byte data ---- */

uint64_t data_key(const struct call *c, int src, int block)
{
    return key4(cur_seed, (uint64_t)c->index, (uint64_t)src << 32 | (uint32_t)block, 0xda7a);
}

void fill_bytes(void *dst, size_t len, uint64_t key)
{
    unsigned char *p = dst;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = stream_word(key, i / 8);
        memcpy(p + i, &w, len - i < 8 ? len - i : 8);
    }
}

void check_bytes(const struct call *c, const void *got, size_t len, uint64_t key,
                 const char *what)
{
    unsigned char want[4096];
    const unsigned char *g = got;
    size_t bad = 0, first = 0, untouched = 0;
    for (size_t off = 0; off < len; off += sizeof(want)) {
        size_t k = len - off < sizeof(want) ? len - off : sizeof(want);
        /* off is a multiple of 8, so the words line up with fill_bytes */
        for (size_t i = 0; i < k; i += 8) {
            uint64_t w = stream_word(key, (off + i) / 8);
            memcpy(want + i, &w, k - i < 8 ? k - i : 8);
        }
        if (memcmp(want, g + off, k) == 0)
            continue;
        for (size_t i = 0; i < k; i++)
            if (want[i] != g[off + i]) {
                if (!bad)
                    first = off + i;
                bad++;
                untouched += g[off + i] == PATTERN;
            }
    }
    if (bad) {
        uint64_t w = stream_word(key, first / 8);
        fail(c, "%s: %zu of %zu bytes wrong (%zu still untouched), first at byte %zu: 0x%02x, expected 0x%02x",
             what, bad, len, untouched, first, g[first], ((unsigned char *)&w)[first % 8]);
    }
}

/* ---- typed data ---- */

static void fill_typed(void *dst, mpr_datatype t, int op, uint64_t key, size_t first, size_t count)
{
    size_t w = type_size(t);
    for (size_t k = 0; k < count; k++)
        elem_store(t, (char *)dst + k * w, elem_input(t, op, key, first + k));
}

/* got[0..count) must be keys[0] op keys[1] op ... op keys[m-1], elements
 * first..first+count of each rank's input (m = 1: the input itself). */
static void check_fold(const struct call *c, const void *got, size_t first, size_t count,
                       const uint64_t *keys, int m, const char *what)
{
    mpr_datatype t = c->type;
    size_t w = type_size(t), bad = 0, at = 0;
    struct elem want_at = { 0, 0 }, got_at = { 0, 0 };
    for (size_t k = 0; k < count; k++) {
        struct elem acc = elem_input(t, c->op, keys[0], first + k);
        for (int r = 1; r < m; r++)
            acc = elem_combine(t, c->op, acc, elem_input(t, c->op, keys[r], first + k));
        struct elem g = elem_load(t, (const char *)got + k * w);
        if (!elem_equal(t, acc, g)) {
            if (!bad) {
                at = k;
                want_at = acc;
                got_at = g;
            }
            bad++;
        }
    }
    if (bad) {
        char ws[48], gs[48];
        elem_format(t, want_at, ws, sizeof(ws));
        elem_format(t, got_at, gs, sizeof(gs));
        size_t n, untouched_at = first_not((const unsigned char *)got + at * w, w, PATTERN, &n);
        fail(c, "%s: %zu of %zu elements wrong, first [%zu] = %s, expected %s%s", what, bad, count,
             at, gs, ws, untouched_at == w ? " (untouched)" : "");
    }
}

static uint64_t *rank_keys(const struct call *c, int n)
{
    uint64_t *keys = xmalloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    for (int r = 0; r < n; r++)
        keys[r] = data_key(c, r, 0);
    return keys;
}

/* ---- v-variant layouts: blocks in a random order with random gaps ---- */

static uint64_t hash_of(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b);
}

/* lens[i] for i < n drawn around `mean`, some 0 */
static void draw_lens(const struct call *c, int n, size_t mean, uint64_t salt, size_t lens[])
{
    for (int i = 0; i < n; i++) {
        uint64_t h = hash_of(c, salt, (uint64_t)i);
        lens[i] = h % 8 == 0 ? 0 : (h >> 8) % (2 * mean + 1);
    }
}

/* displs for lens in a random order with gaps; returns the bytes spanned */
static size_t layout(const struct call *c, int n, const size_t lens[], uint64_t salt, size_t displs[])
{
    int *order = xmalloc(sizeof(int) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(hash_of(c, salt, 1000 + (uint64_t)i) % (uint64_t)(i + 1));
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        uint64_t h = hash_of(c, salt, 2000 + (uint64_t)i);
        at += h % 3 == 0 ? (h >> 8) % 64 : 0;
        displs[order[i]] = at;
        at += lens[order[i]];
    }
    free(order);
    return at + (hash_of(c, salt, 3000) % 2 ? 16 : 0);
}

/* every byte of [0, span) not inside some [displs[i], displs[i] + lens[i]) is PATTERN */
static void check_gaps(const struct call *c, const unsigned char *buf, size_t span, int n,
                       const size_t lens[], const size_t displs[], const char *what)
{
    unsigned char *covered = calloc(span ? span : 1, 1);
    if (!covered)
        abort();
    for (int i = 0; i < n; i++)
        memset(covered + displs[i], 1, lens[i]);
    for (size_t i = 0; i < span; i++)
        if (!covered[i] && buf[i] != PATTERN) {
            fail(c, "%s: byte %zu between blocks written (0x%02x)", what, i, buf[i]);
            break;
        }
    free(covered);
}

/* how many of lens bytes a sender sends when receivers may expect more
 * (short_block): the receiver's block keeps PATTERN after them */
static size_t short_len(const struct call *c, int i, size_t len)
{
    if (!c->short_block)
        return len;
    uint64_t h = hash_of(c, 0x5407, (uint64_t)i);
    return h % 3 == 0 ? len - (h >> 8) % (len + 1) : len;
}

/* ---- the collectives ---- */

static void do_bcast(const struct call *c, const struct slot *s)
{
    int root = (int)(c->raw[0] % (uint64_t)s->size);
    size_t len = c->bytes;
    struct gbuf g;
    void *buf = galloc(&g, len, "buf");
    if (s->rank == root)
        fill_bytes(buf, len, data_key(c, root, 0));
    check_rc(c, mpr_bcast(buf, len, root, s->comm), "mpr_bcast");
    check_bytes(c, buf, len, data_key(c, root, 0), s->rank == root ? "root's buf" : "buf");
    gdone(c, &g);
}

enum red_kind { RED_REDUCE, RED_ALLREDUCE, RED_SCAN, RED_EXSCAN };

static void do_reduction(const struct call *c, const struct slot *s, enum red_kind rk)
{
    int n = s->size, me = s->rank;
    int root = rk == RED_REDUCE ? (int)(c->raw[0] % (uint64_t)n) : -1;
    size_t w = type_size(c->type), count = c->bytes / w, bytes = count * w;
    bool wants = rk != RED_REDUCE || me == root;
    bool in_place = c->in_place && wants;
    uint64_t *keys = rank_keys(c, n);
    struct gbuf gs = { 0 }, gr = { 0 };
    void *send = NULL, *recv = NULL;
    if (!in_place) {
        send = galloc(&gs, bytes, "sendbuf");
        fill_typed(send, c->type, c->op, keys[me], 0, count);
    }
    if (wants || !c->null_recv)
        recv = galloc(&gr, bytes, "recvbuf");
    if (in_place)
        fill_typed(recv, c->type, c->op, keys[me], 0, count);
    const void *sb = in_place ? MPR_IN_PLACE : send;
    mpr_op op = elems_mpr_op(c->op);
    switch (rk) {
    case RED_REDUCE:
        check_rc(c, mpr_reduce(sb, recv, count, c->type, op, root, s->comm), "mpr_reduce");
        break;
    case RED_ALLREDUCE:
        check_rc(c, mpr_allreduce(sb, recv, count, c->type, op, s->comm), "mpr_allreduce");
        break;
    case RED_SCAN:
        check_rc(c, mpr_scan(sb, recv, count, c->type, op, s->comm), "mpr_scan");
        break;
    case RED_EXSCAN:
        check_rc(c, mpr_exscan(sb, recv, count, c->type, op, s->comm), "mpr_exscan");
        break;
    }
    if (rk == RED_EXSCAN && me == 0) {
        if (in_place)
            check_fold(c, recv, 0, count, &keys[0], 1, "rank 0's recvbuf (in place, must keep its input)");
        else
            check_untouched(c, recv, bytes, "rank 0's recvbuf");
    } else if (wants) {
        int m = rk == RED_SCAN ? me + 1 : rk == RED_EXSCAN ? me : n;
        check_fold(c, recv, 0, count, keys, m, "result");
    } else if (recv) {
        check_untouched(c, recv, bytes, "a non-root's recvbuf");
    }
    if (send)
        check_fold(c, send, 0, count, &keys[me], 1, "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
    free(keys);
    if (rk == RED_REDUCE && (opt.avoid & AVOID_REDUCE_RUNAHEAD))
        group_sync(c, s);
}

static void do_reduce_scatter_block(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank;
    size_t w = type_size(c->type), rcount = c->bytes / (w * (size_t)n);
    size_t all = rcount * (size_t)n;
    uint64_t *keys = rank_keys(c, n);
    struct gbuf gs = { 0 }, gr;
    void *send = NULL, *recv;
    if (c->in_place) {
        recv = galloc(&gr, all * w, "recvbuf");
        fill_typed(recv, c->type, c->op, keys[me], 0, all);
    } else {
        send = galloc(&gs, all * w, "sendbuf");
        fill_typed(send, c->type, c->op, keys[me], 0, all);
        recv = galloc(&gr, rcount * w, "recvbuf");
    }
    check_rc(c, mpr_reduce_scatter_block(c->in_place ? MPR_IN_PLACE : send, recv, rcount, c->type,
                                         elems_mpr_op(c->op), s->comm),
             "mpr_reduce_scatter_block");
    check_fold(c, recv, (size_t)me * rcount, rcount, keys, n, "this rank's block");
    if (send)
        check_fold(c, send, 0, all, &keys[me], 1, "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
    free(keys);
}

static void do_gather(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank, root = (int)(c->raw[0] % (uint64_t)n);
    size_t len = c->bytes / (size_t)n;
    bool in_place = c->in_place && me == root;
    struct gbuf gs = { 0 }, gr = { 0 };
    void *send = NULL, *recv = NULL;
    if (!in_place) {
        send = galloc(&gs, len, "sendbuf");
        fill_bytes(send, len, data_key(c, me, 0));
    }
    if (me == root || !c->null_recv)
        recv = galloc(&gr, len * (size_t)n, "recvbuf");
    if (in_place)
        fill_bytes((char *)recv + (size_t)me * len, len, data_key(c, me, 0));
    check_rc(c, mpr_gather(in_place ? MPR_IN_PLACE : send, len, recv, root, s->comm), "mpr_gather");
    char what[64];
    if (me == root) {
        for (int i = 0; i < n; i++) {
            snprintf(what, sizeof(what), "block from rank %d", i);
            check_bytes(c, (char *)recv + (size_t)i * len, len, data_key(c, i, 0), what);
        }
    } else if (recv) {
        check_untouched(c, recv, len * (size_t)n, "a non-root's recvbuf");
    }
    if (send)
        check_bytes(c, send, len, data_key(c, me, 0), "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
}

static void do_gatherv(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank, root = (int)(c->raw[0] % (uint64_t)n);
    size_t *lens = xmalloc(sizeof(size_t) * (size_t)n), *displs = xmalloc(sizeof(size_t) * (size_t)n);
    draw_lens(c, n, c->bytes / (size_t)n, 1, lens);
    size_t span = layout(c, n, lens, 2, displs);
    bool in_place = c->in_place && me == root;
    size_t sendlen = short_len(c, me, lens[me]);
    struct gbuf gs = { 0 }, gr = { 0 };
    void *send = NULL, *recv = NULL;
    if (!in_place) {
        send = galloc(&gs, sendlen, "sendbuf");
        fill_bytes(send, sendlen, data_key(c, me, 0));
    }
    bool root_only_args = me != root && c->null_recv;
    if (!root_only_args)
        recv = galloc(&gr, span, "recvbuf");
    if (in_place)
        fill_bytes((char *)recv + displs[me], lens[me], data_key(c, me, 0));
    check_rc(c, mpr_gatherv(in_place ? MPR_IN_PLACE : send, sendlen, recv,
                            root_only_args ? NULL : lens, root_only_args ? NULL : displs, root,
                            s->comm),
             "mpr_gatherv");
    char what[64];
    if (me == root) {
        for (int i = 0; i < n; i++) {
            size_t sent = i == me && in_place ? lens[i] : short_len(c, i, lens[i]);
            snprintf(what, sizeof(what), "block from rank %d", i);
            check_bytes(c, (char *)recv + displs[i], sent, data_key(c, i, 0), what);
            snprintf(what, sizeof(what), "rest of the short block from rank %d", i);
            check_untouched(c, (char *)recv + displs[i] + sent, lens[i] - sent, what);
        }
        check_gaps(c, recv, span, n, lens, displs, "recvbuf");
    } else if (recv) {
        check_untouched(c, recv, span, "a non-root's recvbuf");
    }
    if (send)
        check_bytes(c, send, sendlen, data_key(c, me, 0), "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
    free(lens);
    free(displs);
}

static void do_scatter(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank, root = (int)(c->raw[0] % (uint64_t)n);
    size_t len = c->bytes / (size_t)n;
    bool in_place = c->in_place && me == root;
    struct gbuf gs = { 0 }, gr = { 0 };
    void *send = NULL, *recv = NULL;
    if (me == root || !c->null_recv)
        send = galloc(&gs, len * (size_t)n, "sendbuf");
    if (me == root)
        for (int i = 0; i < n; i++)
            fill_bytes((char *)send + (size_t)i * len, len, data_key(c, root, 1 + i));
    if (!in_place)
        recv = galloc(&gr, len, "recvbuf");
    check_rc(c, mpr_scatter(send, len, in_place ? MPR_IN_PLACE : recv, root, s->comm), "mpr_scatter");
    if (recv)
        check_bytes(c, recv, len, data_key(c, root, 1 + me), "recvbuf");
    char what[64];
    if (me == root) {
        for (int i = 0; i < n; i++) {
            snprintf(what, sizeof(what), "root's sendbuf block %d (must not change)", i);
            check_bytes(c, (char *)send + (size_t)i * len, len, data_key(c, root, 1 + i), what);
        }
    } else if (send) {
        check_untouched(c, send, len * (size_t)n, "a non-root's sendbuf");
    }
    gdone(c, &gs);
    gdone(c, &gr);
}

static void do_scatterv(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank, root = (int)(c->raw[0] % (uint64_t)n);
    size_t *lens = xmalloc(sizeof(size_t) * (size_t)n), *displs = xmalloc(sizeof(size_t) * (size_t)n);
    draw_lens(c, n, c->bytes / (size_t)n, 3, lens);
    size_t span = layout(c, n, lens, 4, displs);
    bool in_place = c->in_place && me == root;
    /* short_block here: a receiver expecting more than it is sent */
    size_t recvlen = lens[me] + (lens[me] - short_len(c, me, lens[me]));
    bool root_only_args = me != root && c->null_recv;
    struct gbuf gs = { 0 }, gr = { 0 };
    void *send = NULL, *recv = NULL;
    if (!root_only_args)
        send = galloc(&gs, span, "sendbuf");
    if (me == root)
        for (int i = 0; i < n; i++)
            fill_bytes((char *)send + displs[i], lens[i], data_key(c, root, 1 + i));
    if (!in_place)
        recv = galloc(&gr, recvlen, "recvbuf");
    check_rc(c, mpr_scatterv(send, root_only_args ? NULL : lens, root_only_args ? NULL : displs,
                             in_place ? MPR_IN_PLACE : recv, recvlen, root, s->comm),
             "mpr_scatterv");
    if (recv) {
        check_bytes(c, recv, lens[me], data_key(c, root, 1 + me), "recvbuf");
        check_untouched(c, (char *)recv + lens[me], recvlen - lens[me],
                        "recvbuf beyond what root sent");
    }
    char what[64];
    if (me == root) {
        for (int i = 0; i < n; i++) {
            snprintf(what, sizeof(what), "root's sendbuf block %d (must not change)", i);
            check_bytes(c, (char *)send + displs[i], lens[i], data_key(c, root, 1 + i), what);
        }
        check_gaps(c, send, span, n, lens, displs, "root's sendbuf");
    } else if (send) {
        check_untouched(c, send, span, "a non-root's sendbuf");
    }
    gdone(c, &gs);
    gdone(c, &gr);
    free(lens);
    free(displs);
}

static void do_allgather(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank;
    size_t len = c->bytes / (size_t)n;
    struct gbuf gs = { 0 }, gr;
    void *send = NULL, *recv = galloc(&gr, len * (size_t)n, "recvbuf");
    if (c->in_place) {
        fill_bytes((char *)recv + (size_t)me * len, len, data_key(c, me, 0));
    } else {
        send = galloc(&gs, len, "sendbuf");
        fill_bytes(send, len, data_key(c, me, 0));
    }
    check_rc(c, mpr_allgather(c->in_place ? MPR_IN_PLACE : send, len, recv, s->comm), "mpr_allgather");
    char what[64];
    for (int i = 0; i < n; i++) {
        snprintf(what, sizeof(what), "block from rank %d", i);
        check_bytes(c, (char *)recv + (size_t)i * len, len, data_key(c, i, 0), what);
    }
    if (send)
        check_bytes(c, send, len, data_key(c, me, 0), "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
}

static void do_allgatherv(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank;
    size_t *lens = xmalloc(sizeof(size_t) * (size_t)n), *displs = xmalloc(sizeof(size_t) * (size_t)n);
    draw_lens(c, n, c->bytes / (size_t)n, 5, lens);
    size_t span = layout(c, n, lens, 6, displs);
    struct gbuf gs = { 0 }, gr;
    void *send = NULL, *recv = galloc(&gr, span, "recvbuf");
    if (c->in_place) {
        fill_bytes((char *)recv + displs[me], lens[me], data_key(c, me, 0));
    } else {
        send = galloc(&gs, lens[me], "sendbuf");
        fill_bytes(send, lens[me], data_key(c, me, 0));
    }
    check_rc(c, mpr_allgatherv(c->in_place ? MPR_IN_PLACE : send, lens[me], recv, lens, displs, s->comm),
             "mpr_allgatherv");
    char what[64];
    for (int i = 0; i < n; i++) {
        snprintf(what, sizeof(what), "block from rank %d", i);
        check_bytes(c, (char *)recv + displs[i], lens[i], data_key(c, i, 0), what);
    }
    check_gaps(c, recv, span, n, lens, displs, "recvbuf");
    if (send)
        check_bytes(c, send, lens[me], data_key(c, me, 0), "sendbuf (must not change)");
    gdone(c, &gs);
    gdone(c, &gr);
    free(lens);
    free(displs);
}

static void do_alltoall(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank;
    size_t len = c->bytes / (size_t)n;
    struct gbuf gs = { 0 }, gr;
    void *send = NULL, *recv = galloc(&gr, len * (size_t)n, "recvbuf");
    void *blocks = recv;
    if (!c->in_place)
        blocks = send = galloc(&gs, len * (size_t)n, "sendbuf");
    for (int j = 0; j < n; j++)
        fill_bytes((char *)blocks + (size_t)j * len, len, data_key(c, me, 1 + j));
    check_rc(c, mpr_alltoall(c->in_place ? MPR_IN_PLACE : send, len, recv, s->comm), "mpr_alltoall");
    char what[64];
    for (int i = 0; i < n; i++) {
        snprintf(what, sizeof(what), "block from rank %d", i);
        check_bytes(c, (char *)recv + (size_t)i * len, len, data_key(c, i, 1 + me), what);
        if (send) {
            snprintf(what, sizeof(what), "sendbuf block %d (must not change)", i);
            check_bytes(c, (char *)send + (size_t)i * len, len, data_key(c, me, 1 + i), what);
        }
    }
    gdone(c, &gs);
    gdone(c, &gr);
}

static void do_alltoallv(const struct call *c, const struct slot *s)
{
    int n = s->size, me = s->rank;
    size_t nn = (size_t)n;
    size_t *all = xmalloc(sizeof(size_t) * nn * nn); /* all[i*n + j]: bytes from i to j */
    for (int i = 0; i < n; i++)
        draw_lens(c, n, c->bytes / nn, 100 + (uint64_t)i, all + (size_t)i * nn);
    size_t *slens = xmalloc(sizeof(size_t) * nn), *sdispls = xmalloc(sizeof(size_t) * nn);
    size_t *rlens = xmalloc(sizeof(size_t) * nn), *rdispls = xmalloc(sizeof(size_t) * nn);
    size_t *sent = xmalloc(sizeof(size_t) * nn);
    for (int j = 0; j < n; j++) {
        slens[j] = all[(size_t)me * nn + j];
        sent[j] = all[(size_t)j * nn + me];
        /* short_block: this rank expects more from j than j sends */
        rlens[j] = sent[j] + (sent[j] - short_len(c, j * n + me, sent[j]));
    }
    size_t sspan = layout(c, n, slens, 200 + 2 * (uint64_t)me, sdispls);
    size_t rspan = layout(c, n, rlens, 201 + 2 * (uint64_t)me, rdispls);
    struct gbuf gs, gr;
    char *send = galloc(&gs, sspan, "sendbuf"), *recv = galloc(&gr, rspan, "recvbuf");
    for (int j = 0; j < n; j++)
        fill_bytes(send + sdispls[j], slens[j], data_key(c, me, 1 + j));
    check_rc(c, mpr_alltoallv(send, slens, sdispls, recv, rlens, rdispls, s->comm), "mpr_alltoallv");
    char what[80];
    for (int i = 0; i < n; i++) {
        snprintf(what, sizeof(what), "block from rank %d", i);
        check_bytes(c, recv + rdispls[i], sent[i], data_key(c, i, 1 + me), what);
        snprintf(what, sizeof(what), "block from rank %d beyond what it sent", i);
        check_untouched(c, recv + rdispls[i] + sent[i], rlens[i] - sent[i], what);
        snprintf(what, sizeof(what), "sendbuf block %d (must not change)", i);
        check_bytes(c, send + sdispls[i], slens[i], data_key(c, me, 1 + i), what);
    }
    check_gaps(c, (unsigned char *)recv, rspan, n, rlens, rdispls, "recvbuf");
    check_gaps(c, (unsigned char *)send, sspan, n, slens, sdispls, "sendbuf");
    gdone(c, &gs);
    gdone(c, &gr);
    free(all);
    free(slens);
    free(sdispls);
    free(rlens);
    free(rdispls);
    free(sent);
}

/* A barrier; half the time also a check that nobody leaves before
 * everyone arrived: each rank releases a semaphore once before, and reads
 * its count before a second barrier lets anybody take it back. The
 * semaphore is the communicator's unbounded one when it has one between
 * uses, else the slot's own, made at its first check and kept until the
 * communicator goes (made anew each time, its creation would come between
 * the barrier and the call before it, which steers mpr's barrier). */
static void do_barrier(const struct call *c, struct slot *s)
{
    const struct objects *o = &s->obj;
    if (c->raw[1] % 2 == 0) {
        check_rc(c, mpr_barrier(s->comm), "mpr_barrier");
        return;
    }
    bool own = !o->live[OBJ_SEMAPHORE] || o->sem_bounded;
    if (own && !s->barrier_sem) {
        int rc = mpr_semaphore_create(s->comm, 0, false, &s->barrier_sem);
        check_rc(c, rc, "mpr_semaphore_create for the barrier's check");
        if (rc != MPR_SUCCESS)
            return;
    }
    mpr_semaphore sem = own ? s->barrier_sem : o->sem;
    int before = own ? 0 : o->sem_value, value = -1;
    check_rc(c, mpr_semaphore_release(sem), "mpr_semaphore_release before the barrier");
    check_rc(c, mpr_barrier(s->comm), "mpr_barrier");
    check_rc(c, mpr_semaphore_value(sem, &value), "mpr_semaphore_value");
    if (value != before + s->size)
        fail(c, "after the barrier the semaphore counts %d, expected %d (every rank released once before)",
             value, before + s->size);
    check_rc(c, mpr_barrier(s->comm), "the second mpr_barrier");
    check_rc(c, mpr_semaphore_acquire(sem, opt.hang_seconds), "mpr_semaphore_acquire after the barriers");
    group_sync(c, s); /* a later use of the semaphore must not take the count this acquire needs */
}

void barrier_check_free(const struct call *c, struct slot *s)
{
    if (s->barrier_sem)
        check_rc(c, mpr_semaphore_free(&s->barrier_sem), "mpr_semaphore_free of the barrier's check");
}

void run_collective(const struct call *c, struct slot *s)
{
    switch (c->kind) {
    case K_BARRIER:
        do_barrier(c, s);
        break;
    case K_BCAST:
        do_bcast(c, s);
        break;
    case K_REDUCE:
        do_reduction(c, s, RED_REDUCE);
        break;
    case K_ALLREDUCE:
        do_reduction(c, s, RED_ALLREDUCE);
        break;
    case K_SCAN:
        do_reduction(c, s, RED_SCAN);
        break;
    case K_EXSCAN:
        do_reduction(c, s, RED_EXSCAN);
        break;
    case K_REDUCE_SCATTER_BLOCK:
        do_reduce_scatter_block(c, s);
        break;
    case K_GATHER:
        do_gather(c, s);
        break;
    case K_GATHERV:
        do_gatherv(c, s);
        break;
    case K_SCATTER:
        do_scatter(c, s);
        break;
    case K_SCATTERV:
        do_scatterv(c, s);
        break;
    case K_ALLGATHER:
        do_allgather(c, s);
        break;
    case K_ALLGATHERV:
        do_allgatherv(c, s);
        break;
    case K_ALLTOALL:
        do_alltoall(c, s);
        break;
    case K_ALLTOALLV:
        do_alltoallv(c, s);
        break;
    default:
        abort();
    }
}
