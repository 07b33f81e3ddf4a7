/*
 * p2p.c - point-to-point traffic in one call, checked against MPI's
 * matching rules.
 *
 * Every rank derives the same plan: for each ordered pair of ranks (itself
 * included) up to three messages, sizes from 0 B to a few MiB (so every path
 * is taken: inline in one or two descriptors, data area, fragments,
 * rendezvous by CMA or by CTS, TCP eager and RTS, flow control past the
 * bound), tags from {0, 1, 2} so that messages with equal envelopes must
 * keep their order. A rank first pre-posts irecvs for the first messages of
 * some (source, tag) classes, then isends everything it sends, then receives
 * the rest one by one in a drawn order with a drawn pattern: (source, tag),
 * (source, MPR_ANY_TAG), (MPR_ANY_SOURCE, tag) or both wildcards, sometimes
 * probing first, sometimes into a short buffer. The model of a receive: from
 * each source, the earliest message not received yet that the pattern
 * matches (non-overtaking); with MPR_ANY_SOURCE any source's such message
 * will do, and the status says which. Every byte and every status is
 * checked; bytes past the message stay untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

#define PATTERN 0xa5
#define MAX_PER_PAIR 3
#define NTAGS 3

struct msg {
    int src, dst, tag;
    int index;    /* among all messages of the call: names its data */
    size_t len;
    bool taken;   /* received (by this rank, which is dst) */
    bool preposted;
};

struct plan {
    struct msg *msgs;
    int nmsgs;
};

static uint64_t h(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b ^ 0x9292);
}

/* Mostly small, some past the eager limits, a few large; the whole call
 * stays within a budget so that eight ranks do not move gigabytes. */
static size_t draw_len(const struct call *c, int m, size_t cap)
{
    uint64_t x = h(c, 1, (uint64_t)m), cls = x % 100;
    size_t len;
    x >>= 8;
    if (cls < 6)
        len = 0;
    else if (cls < 40)
        len = 1 + x % 300;
    else if (cls < 70)
        len = 300 + x % 8000;
    else if (cls < 90)
        len = 8192 + x % (120 << 10);
    else
        len = (128 << 10) + x % (3u << 20);
    return len < cap ? len : cap;
}

static void make_plan(const struct call *c, int n, struct plan *p)
{
    p->msgs = xmalloc(sizeof(struct msg) * (size_t)(n * n * MAX_PER_PAIR + 1));
    p->nmsgs = 0;
    size_t cap = opt.max_size < ((size_t)1 << 20) * 3 ? opt.max_size : ((size_t)3 << 20);
    size_t budget = (size_t)48 << 20, used = 0;
    for (int src = 0; src < n; src++)
        for (int dst = 0; dst < n; dst++) {
            int k = (int)(h(c, 2, (uint64_t)(src * n + dst)) % (MAX_PER_PAIR + 1));
            for (int j = 0; j < k; j++) {
                struct msg *m = &p->msgs[p->nmsgs];
                memset(m, 0, sizeof(*m));
                m->src = src;
                m->dst = dst;
                m->index = p->nmsgs;
                m->tag = (int)(h(c, 3, (uint64_t)m->index) % NTAGS);
                m->len = draw_len(c, m->index, used < budget ? cap : 64);
                used += m->len;
                p->nmsgs++;
            }
        }
}

/* The earliest message from src to me not taken yet that tag matches. */
static struct msg *earliest(struct plan *p, int me, int src, int tag)
{
    for (int i = 0; i < p->nmsgs; i++) {
        struct msg *m = &p->msgs[i];
        if (m->dst == me && m->src == src && !m->taken && (tag == MPR_ANY_TAG || m->tag == tag))
            return m;
    }
    return NULL;
}

/* Which message a receive of pattern (source, tag) may get: for one source
 * the earliest match; for MPR_ANY_SOURCE the one of status->source. */
static struct msg *model(struct plan *p, int me, int source, int tag, const mpr_status *st)
{
    if (source != MPR_ANY_SOURCE)
        return earliest(p, me, source, tag);
    if (st->source < 0)
        return NULL;
    return earliest(p, me, st->source, tag);
}

static void check_received(const struct call *c, const struct msg *m, const unsigned char *buf,
                           size_t buflen, const mpr_status *st, int rc, const char *how)
{
    char what[160];
    snprintf(what, sizeof(what), "%s: message %d (%zu bytes, tag %d) from rank %d", how, m->index,
             m->len, m->tag, m->src);
    int want_rc = m->len > buflen ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
    if (rc != want_rc)
        fail(c, "%s: returned %s, expected %s", what, mpr_error_name(rc), mpr_error_name(want_rc));
    if (st->source != m->src || st->tag != m->tag || st->count != m->len)
        fail(c, "%s: status says source %d tag %d count %zu", what, st->source, st->tag, st->count);
    size_t got = m->len < buflen ? m->len : buflen;
    check_bytes(c, buf, got, data_key(c, m->src, 7000 + m->index), what);
    for (size_t i = got; i < buflen; i++)
        if (buf[i] != PATTERN) {
            fail(c, "%s: byte %zu past the message written (0x%02x)", what, i, buf[i]);
            break;
        }
}

struct prepost {
    struct msg *m;
    unsigned char *buf;
    size_t buflen;
    mpr_request req;
};

/* irecvs for the first messages of some (source, tag) classes, exact
 * patterns, so each class's messages go to them in order */
static int prepost(const struct call *c, struct plan *p, const struct slot *s, mpr_comm comm,
                   struct prepost *pp)
{
    int np = 0;
    for (int src = 0; src < s->size; src++)
        for (int tag = 0; tag < NTAGS; tag++) {
            int r = (int)(h(c, 4, (uint64_t)(s->rank * 64 + src * NTAGS + tag)) % 4);
            for (int i = 0; i < p->nmsgs && r > 0; i++) {
                struct msg *m = &p->msgs[i];
                if (m->dst != s->rank || m->src != src || m->tag != tag)
                    continue;
                m->preposted = true;
                m->taken = true; /* by its irecv, before any later receive */
                pp[np].m = m;
                pp[np].buflen = m->len + h(c, 5, (uint64_t)m->index) % 3 * 8;
                pp[np].buf = xmalloc(pp[np].buflen + 1);
                memset(pp[np].buf, PATTERN, pp[np].buflen);
                check_rc(c, mpr_irecv(pp[np].buf, pp[np].buflen, src, tag, comm, &pp[np].req),
                         "mpr_irecv (pre-posted)");
                np++;
                r--;
            }
        }
    return np;
}

static void receive_one(const struct call *c, struct plan *p, const struct slot *s, mpr_comm comm,
                        uint64_t draw)
{
    int me = s->rank, pending = 0;
    for (int i = 0; i < p->nmsgs; i++)
        pending += p->msgs[i].dst == me && !p->msgs[i].taken && !p->msgs[i].preposted;
    struct msg *pick = NULL;
    for (int i = 0, k = (int)(draw % (uint64_t)pending); i < p->nmsgs; i++) {
        struct msg *m = &p->msgs[i];
        if (m->dst == me && !m->taken && !m->preposted && k-- == 0) {
            pick = m;
            break;
        }
    }
    int mode = (int)(draw >> 16) % 4;
    int source = mode & 2 ? MPR_ANY_SOURCE : pick->src;
    int tag = mode & 1 ? MPR_ANY_TAG : pick->tag;
    /* the longest message the pattern may bring, for the buffer */
    size_t longest = 0;
    for (int src = 0; src < s->size; src++) {
        if (source != MPR_ANY_SOURCE && src != source)
            continue;
        struct msg *m = earliest(p, me, src, tag);
        if (m && m->len > longest)
            longest = m->len;
    }
    size_t buflen = longest + (draw >> 24) % 3 * 8;
    if (source != MPR_ANY_SOURCE && (draw >> 32) % 8 == 0 && longest > 0)
        buflen = (size_t)((draw >> 40) % longest); /* short: MPR_ERR_TRUNCATE */
    mpr_status st = { .source = -1 };
    const char *how = "mpr_recv";
    if ((draw >> 48) % 5 == 0) {
        check_rc(c, mpr_probe(source, tag, comm, &st), "mpr_probe");
        struct msg *m = model(p, me, source, tag, &st);
        if (!m || st.tag != m->tag || st.count != m->len) {
            fail(c, "mpr_probe(%d, %d) found source %d tag %d count %zu, which no model message is",
                 source, tag, st.source, st.tag, st.count);
            return;
        }
        source = st.source; /* receive what was probed */
        tag = st.tag;
        how = "mpr_recv after mpr_probe";
    }
    unsigned char *buf = xmalloc(buflen + 1);
    memset(buf, PATTERN, buflen);
    int rc = mpr_recv(buf, buflen, source, tag, comm, &st);
    struct msg *m = model(p, me, source, tag, &st);
    if (!m) {
        fail(c, "%s(%d, %d) returned %s with source %d tag %d count %zu: no such message pending",
             how, source, tag, mpr_error_name(rc), st.source, st.tag, st.count);
        for (int i = 0; i < p->nmsgs; i++)
            if (p->msgs[i].dst == me)
                printf("conform:   message %d from %d tag %d len %zu%s%s\n", p->msgs[i].index,
                       p->msgs[i].src, p->msgs[i].tag, p->msgs[i].len,
                       p->msgs[i].preposted ? " pre-posted" : "", p->msgs[i].taken ? " taken" : "");
    } else {
        check_received(c, m, buf, buflen, &st, rc, how);
        m->taken = true;
    }
    free(buf);
}

/* On a communicator of its own (a dup), so that wildcard receives meet
 * only this call's messages, not group_sync's; everyone receives all before
 * anyone frees it. */
void run_p2p(const struct call *c, struct slot *s)
{
    mpr_comm comm = MPR_COMM_NULL;
    check_rc(c, mpr_comm_dup(s->comm, &comm), "mpr_comm_dup for the messages");
    if (comm == MPR_COMM_NULL)
        return;
    struct plan p;
    make_plan(c, s->size, &p);
    int me = s->rank;
    struct prepost *pp = xmalloc(sizeof(*pp) * (size_t)(p.nmsgs + 1));
    int np = prepost(c, &p, s, comm, pp);

    /* every message of this rank, by round then by a drawn peer order, so
     * each pair's messages go in plan order */
    mpr_request *sends = xmalloc(sizeof(mpr_request) * (size_t)(p.nmsgs + 1));
    unsigned char **data = xmalloc(sizeof(unsigned char *) * (size_t)(p.nmsgs + 1));
    unsigned char **base = xmalloc(sizeof(unsigned char *) * (size_t)(p.nmsgs + 1));
    int nsends = 0;
    for (int i = 0; i < p.nmsgs; i++) {
        struct msg *m = &p.msgs[i];
        base[i] = data[i] = NULL;
        if (m->src != me)
            continue;
        /* any byte of a line: shared memory copies the payload to as far
         * into a line as the sender's buffer is */
        base[i] = xmalloc(m->len + 64);
        data[i] = base[i] + h(c, 9, (uint64_t)m->index) % 64;
        fill_bytes(data[i], m->len, data_key(c, me, 7000 + m->index));
    }
    for (int round = 0; round < MAX_PER_PAIR; round++) {
        int shift = (int)(h(c, 6, (uint64_t)(me * 8 + round)) % (uint64_t)s->size);
        for (int d = 0; d < s->size; d++) {
            int dst = (d + shift) % s->size, seen = 0;
            for (int i = 0; i < p.nmsgs; i++) {
                struct msg *m = &p.msgs[i];
                if (m->src != me || m->dst != dst || seen++ != round)
                    continue;
                check_rc(c, mpr_isend(data[i], m->len, dst, m->tag, comm, &sends[nsends++]),
                         "mpr_isend");
            }
        }
    }

    int left = 0;
    for (int i = 0; i < p.nmsgs; i++)
        left += p.msgs[i].dst == me && !p.msgs[i].preposted;
    for (int k = 0; k < left; k++)
        receive_one(c, &p, s, comm, h(c, 8, (uint64_t)(me * 100000 + k)));

    for (int i = 0; i < np; i++) {
        mpr_status st;
        int rc = mpr_wait(&pp[i].req, &st);
        check_received(c, pp[i].m, pp[i].buf, pp[i].buflen, &st, rc, "pre-posted mpr_irecv");
        free(pp[i].buf);
    }
    mpr_status *sst = xmalloc(sizeof(mpr_status) * (size_t)(nsends + 1));
    int rc = mpr_waitall(nsends, sends, sst);
    if (rc != MPR_SUCCESS)
        fail(c, "mpr_waitall of %d isends returned %s", nsends, mpr_error_name(rc));
    for (int i = 0; i < p.nmsgs; i++)
        free(base[i]);
    free(sst);
    free(base);
    free(data);
    free(sends);
    free(pp);
    free(p.msgs);
    check_rc(c, mpr_barrier(comm), "mpr_barrier after the messages");
    check_rc(c, mpr_comm_free(&comm), "mpr_comm_free after the messages");
}
