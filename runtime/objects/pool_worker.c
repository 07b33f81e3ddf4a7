/*
 * pool_worker.c - mpr_pool_serve: a worker takes the root's messages in
 * order and runs their chunks item by item, building one RESULTS message
 * as it goes. It sends the results when nothing more has arrived from the
 * root (so a lone task is answered at once), or when FLUSH_ITEMS results
 * or FLUSH_BYTES bytes are waiting, or the oldest has waited FLUSH_SECONDS
 * (so the root hears of long batches as they go, and its estimate of a
 * task's time follows). At each such send it looks for a TERMINATE, which
 * makes it drop the rest. CLOSE comes after every task: it sends what is
 * left, then BYE, and returns once its sends are delivered.
 */
#include <math.h>
#include <stdlib.h>

#include "core/wire_bytes.h"
#include "objects/pool.h"

#define FLUSH_ITEMS 256
#define FLUSH_BYTES (48u << 10)
#define FLUSH_SECONDS 0.001

struct serve {
    struct mpr_pool *pool;
    int root_world;
    struct mpr__pool_buf out; /* the RESULTS message being built */
    uint32_t nrecords;
    double first_at; /* when the oldest result not sent was made */
    double busy;     /* seconds in functions for those results */
    bool terminate;
};

static int flush(struct serve *s)
{
    if (s->nrecords == 0)
        return MPR_SUCCESS;
    mpr__put32(s->out.data, s->nrecords);
    mpr__put64(s->out.data + 4, (uint64_t)(s->busy * 1e9));
    s->nrecords = 0;
    s->busy = 0;
    return mpr__pool_send(s->pool, s->pool->root, MPR__POOL_TAG_RESULTS, &s->out);
}

static bool terminate_arrived(const struct serve *s)
{
    struct mpr__match_item pattern = { .source = s->root_world, .tag = MPR__POOL_TAG_TERMINATE,
                                       .ctx = s->pool->ctx };
    return mpr__match_find_unexpected(&mpr__g.unexpected, &pattern, false) != NULL;
}

/* The root's next message, received into pool->rbuf (MPR_SUCCESS), or
 * MPR__PENDING, or MPR_ERR_PROC_FAILED (the root ended). Never waits. */
static int next_poll(void *arg)
{
    struct serve *s = arg;
    struct mpr_pool *pool = s->pool;
    mpr__pool_reap_sends(pool);
    if (!pool->incoming) {
        struct mpr__match_item pattern = { .source = s->root_world, .tag = MPR_ANY_TAG,
                                           .ctx = pool->ctx };
        struct mpr__match_item *m = mpr__match_find_unexpected(&mpr__g.unexpected, &pattern,
                                                               false);
        if (!m)
            return mpr__recv_cannot_match(s->root_world, pool->ctx, pool->comm)
                       ? MPR_ERR_PROC_FAILED
                       : MPR__PENDING;
        const struct mpr__msg *msg = mpr__container_of(m, struct mpr__msg, match);
        size_t len = msg->len;
        pool->incoming_tag = m->tag; /* before the receive, which may free m */
        pool->rbuf.len = 0;
        int rc = mpr__pool_buf_reserve(&pool->rbuf, len);
        if (rc == MPR_SUCCESS)
            rc = mpr__recv_start(pool->rbuf.data, len, pool->root, pool->incoming_tag,
                                 pool->comm, pool->ctx, &pool->incoming);
        if (rc != MPR_SUCCESS)
            return rc;
    }
    return pool->incoming->done ? MPR_SUCCESS : MPR__PENDING;
}

static int next_message(struct serve *s, bool wait, int *tag, size_t *len)
{
    mpr__progress();
    int rc = next_poll(s);
    if (rc == MPR__PENDING && !wait)
        return rc;
    if (rc == MPR__PENDING) {
        struct mpr__match_item watched = { .source = s->root_world, .tag = MPR_ANY_TAG,
                                           .ctx = s->pool->ctx };
        mpr__g.probing = &watched; /* liveness watches the root, as for a probe */
        mpr__g.probing_comm = s->pool->comm;
        struct mpr__wait w = { .poll = next_poll, .arg = s, .by_messages = true,
                               .deadline = INFINITY };
        rc = mpr__wait(&w);
        mpr__g.probing = NULL;
    }
    if (rc != MPR_SUCCESS)
        return rc;
    mpr_status st;
    rc = mpr__wait_request(s->pool->incoming, &st);
    s->pool->incoming = NULL;
    *tag = s->pool->incoming_tag;
    *len = st.count;
    return rc;
}

static int run_tasks(struct serve *s, size_t len)
{
    struct mpr_pool *pool = s->pool;
    const unsigned char *msg = pool->rbuf.data;
    char why[160];
    if (len < MPR__POOL_TASKS_HEADER) {
        mpr__log("pool: worker %d: tasks message of %zu bytes", pool->comm->rank, len);
        return MPR_ERR_INTERNAL;
    }
    uint32_t nchunks = mpr__get32(msg);
    size_t off = MPR__POOL_TASKS_HEADER;
    for (uint32_t c = 0; c < nchunks; c++) {
        struct mpr__pool_chunk_view chunk;
        if (!mpr__pool_parse_chunk(msg, len, &off, &chunk, why, sizeof why)) {
            mpr__log("pool: worker %d: bad tasks message: %s", pool->comm->rank, why);
            return MPR_ERR_INTERNAL;
        }
        const struct mpr__pool_fn *f = mpr__pool_find_fn(pool, chunk.name, chunk.name_len);
        for (uint32_t i = 0; i < chunk.nitems; i++) {
            struct mpr__pool_buf *out = &s->out;
            if (s->nrecords == 0) {
                out->len = 0;
                if (mpr__pool_buf_reserve(out, MPR__POOL_RESULTS_HEADER) != MPR_SUCCESS)
                    return MPR_ERR_NO_MEM;
                out->len = MPR__POOL_RESULTS_HEADER;
            }
            if (mpr__pool_buf_reserve(out, MPR__POOL_RECORD_HEADER) != MPR_SUCCESS)
                return MPR_ERR_NO_MEM;
            mpr__put64(out->data + out->len, chunk.id);
            out->len += 8;
            double t0 = mpr_wtime();
            mpr__pool_run_item(f, chunk.inputs + (size_t)i * chunk.item_len,
                               (size_t)chunk.item_len, (size_t)chunk.out_cap, out);
            double t1 = mpr_wtime();
            if (s->nrecords++ == 0)
                s->first_at = t0;
            s->busy += t1 - t0;
            if (s->nrecords >= FLUSH_ITEMS || out->len >= FLUSH_BYTES ||
                t1 - s->first_at >= FLUSH_SECONDS) {
                int rc = flush(s);
                if (rc != MPR_SUCCESS)
                    return rc;
                mpr__progress();
                if (terminate_arrived(s)) {
                    s->terminate = true;
                    return MPR_SUCCESS;
                }
            }
        }
    }
    return MPR_SUCCESS;
}

/* Send BYE, then wait until every send of this worker is delivered. */
static int leave(struct serve *s)
{
    struct mpr__pool_buf none = { 0 };
    int rc = mpr__pool_send(s->pool, s->pool->root, MPR__POOL_TAG_BYE, &none);
    while (s->pool->sends) {
        struct mpr__pool_send *p = s->pool->sends;
        s->pool->sends = p->next;
        int rc2 = mpr__wait_request(p->req, NULL);
        if (rc == MPR_SUCCESS)
            rc = rc2;
        free(p->data);
        free(p);
    }
    free(s->out.data);
    return rc;
}

int mpr__pool_serve(struct mpr_pool *pool)
{
    if (pool->served)
        return MPR_ERR_VALUE;
    pool->served = true;
    struct serve s = { .pool = pool, .root_world = mpr__world_rank(pool->comm, pool->root) };
    for (;;) {
        int tag = 0;
        size_t len = 0;
        int rc = s.terminate ? MPR__PENDING : next_message(&s, false, &tag, &len);
        if (rc == MPR__PENDING) { /* nothing waiting: send what there is, then sleep */
            if (!s.terminate && (rc = flush(&s)) != MPR_SUCCESS) {
                free(s.out.data);
                return rc;
            }
            rc = next_message(&s, true, &tag, &len);
        }
        if (rc != MPR_SUCCESS) {
            free(s.out.data);
            return rc; /* the root ended */
        }
        switch (tag) {
        case MPR__POOL_TAG_TASKS:
            if (!s.terminate && (rc = run_tasks(&s, len)) != MPR_SUCCESS) {
                free(s.out.data);
                return rc;
            }
            break;
        case MPR__POOL_TAG_CLOSE:
            if ((rc = flush(&s)) != MPR_SUCCESS) {
                free(s.out.data);
                return rc;
            }
            return leave(&s);
        case MPR__POOL_TAG_TERMINATE:
            s.nrecords = 0; /* the root failed these already */
            return leave(&s);
        default:
            mpr__log("pool: worker %d: message with unknown tag %d", pool->comm->rank, tag);
            free(s.out.data);
            return MPR_ERR_INTERNAL;
        }
    }
}
