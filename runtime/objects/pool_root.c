/*
 * pool_root.c - the root's side of a pool: dealing tasks to the workers,
 * taking their results, noticing their deaths, running callbacks.
 *
 * Submissions become jobs (a map's n items, an apply's one) queued in
 * `pending`. Dispatch carves chunks (chunksize items of one job) off the
 * head job and sends them, several chunks to a message, to the least
 * loaded live worker while its items in flight stay within its window:
 * WINDOW_SECONDS of work by the current estimate of one item's time
 * (which the workers report with their results), from WINDOW_MIN to
 * WINDOW_MAX items. A worker is refilled only once it is down to half its
 * window (or to one chunk, so large chunks are sent while the worker runs
 * the one before), so batches stay large when tasks are short, and a slow task
 * never has more than a couple of others queued behind it on one worker
 * while another worker idles. One message per batch and one per batch of
 * results is what makes chunksize 1 cheap.
 *
 * A worker runs the chunks of a message in order and answers each item in
 * that order, so the root keeps, per worker, the chunks in flight in a
 * FIFO and matches each result record against its head: no table of task
 * ids, and a record that does not match is a broken worker. A worker that
 * ends before its BYE (liveness.c says a receive from it cannot match any
 * more, and nothing it sent is left to take) fails every item of its FIFO
 * with MPR_ERR_PROC_FAILED: at most once, never run again elsewhere.
 *
 * Nothing here waits inside mpr__wait's poll: the one receive in flight
 * (a large result still arriving) is looked at again on the next pass, and
 * sends never block (a send not done at once is kept with its buffer until
 * it is). Callbacks are queued as their tasks complete and run by
 * mpr__pool_run_callbacks at the outermost pool call only, between waits,
 * never from a poll (see "Callbacks" in mpr.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire_bytes.h"
#include "objects/pool.h"

#define WINDOW_MIN 2
#define WINDOW_MAX 1024
#define WINDOW_SECONDS 0.002
#define ITEM_SECONDS_START 2e-4 /* before the first measurement: a window of 10 */
#define BATCH_BYTES (48u << 10) /* below the transports' eager limit */
#define CALLBACKS_DUE 2         /* a wait's poll: return to run callbacks */

struct mpr__pool_chunk {
    struct mpr__pool_job *job;
    uint64_t id;
    size_t first, count, done;
    struct mpr__pool_chunk *next;
};

static bool said_bad_message;

void mpr__pool_root_setup(struct mpr_pool *pool)
{
    pool->item_seconds = ITEM_SECONDS_START;
    pool->next_chunk_id = 1;
}

/* ---- completing items -------------------------------------------------- */

static void pending_remove_head(struct mpr_pool *pool)
{
    struct mpr__pool_job *job = pool->pending_head;
    pool->pending_head = job->next;
    if (!pool->pending_head)
        pool->pending_tail = NULL;
    job->next = NULL;
    job->queued = false;
}

static void done_append(struct mpr_pool *pool, struct mpr__pool_job *job)
{
    job->next = NULL;
    if (pool->done_tail)
        pool->done_tail->next = job;
    else
        pool->done_head = job;
    pool->done_tail = job;
}

/* Item `index` of job is done with code (and output data, len). */
static void item_done(struct mpr_pool *pool, struct mpr__pool_job *job, size_t index, int code,
                      const unsigned char *data, size_t len)
{
    if (code == MPR_SUCCESS && job->kind != MPR__POOL_JOB_ASYNC && len > job->out_size)
        code = MPR_ERR_TRUNCATE; /* the worker should have said so */
    switch (job->kind) {
    case MPR__POOL_JOB_ITEMS:
        if (job->detached)
            break;
        if (code == MPR_SUCCESS && len > 0)
            memcpy(job->outputs + index * job->out_size, data, len);
        job->errors[index] = code;
        if (code != MPR_SUCCESS &&
            (job->first_error == MPR_SUCCESS || index < job->first_error_index)) {
            job->first_error = code;
            job->first_error_index = index;
        }
        if (job->finished)
            job->finished[index] = 1;
        if (job->order)
            job->order[job->ndone] = index;
        break;
    case MPR__POOL_JOB_APPLY:
        job->code = code;
        if (code == MPR_SUCCESS && len > 0)
            memcpy(job->outputs, data, len);
        if (code == MPR_SUCCESS && job->out_len)
            *job->out_len = len;
        break;
    case MPR__POOL_JOB_ASYNC: {
        void *copy = NULL;
        if (code == MPR_SUCCESS && !(copy = malloc(len ? len : 1)))
            code = MPR_ERR_NO_MEM;
        if (copy && len > 0)
            memcpy(copy, data, len);
        job->code = code;
        struct mpr_pool_result *r = job->result;
        if (r) {
            r->code = code;
            r->data = copy;
            r->len = copy ? len : 0;
            r->ready = true;
        } else {
            job->data = copy;
            job->data_len = copy ? len : 0;
        }
        done_append(pool, job);
        break;
    }
    }
    job->ndone++;
    if (job->ndone == job->n) {
        pool->jobs_open--;
        if (job->kind == MPR__POOL_JOB_ITEMS && job->detached)
            mpr__pool_job_free(job);
    }
}

/* The items of job from `first` not yet sent will never be: fail them. */
static void fail_unsent(struct mpr_pool *pool, struct mpr__pool_job *job, int code)
{
    size_t n = job->n;
    for (size_t i = job->next_send; i < n; i++) {
        job->next_send = i + 1; /* item_done may free a detached job at the last */
        item_done(pool, job, i, code, NULL, 0);
    }
}

static void fail_pending(struct mpr_pool *pool, int code)
{
    while (pool->pending_head) {
        struct mpr__pool_job *job = pool->pending_head;
        pending_remove_head(pool);
        fail_unsent(pool, job, code);
    }
}

/* Jobs whose iterator was freed: their items not sent yet are dropped. */
static void drop_detached(struct mpr_pool *pool)
{
    while (pool->pending_head && pool->pending_head->detached) {
        struct mpr__pool_job *job = pool->pending_head;
        pending_remove_head(pool);
        fail_unsent(pool, job, MPR_ERR_VALUE);
    }
}

static void chunk_free(struct mpr_pool *pool, struct mpr__pool_chunk *c)
{
    c->next = pool->free_chunks;
    pool->free_chunks = c;
}

/* Fail what w holds (its chunks' items not answered yet). */
static void fail_inflight(struct mpr_pool *pool, struct mpr__pool_worker *w, int code)
{
    while (w->head) {
        struct mpr__pool_chunk *c = w->head;
        w->head = c->next;
        for (size_t i = c->done; i < c->count; i++)
            item_done(pool, c->job, c->first + i, code, NULL, 0);
        chunk_free(pool, c);
    }
    w->tail = NULL;
    w->inflight = 0;
    w->nchunks = 0;
}

static void worker_lost(struct mpr_pool *pool, struct mpr__pool_worker *w, const char *why)
{
    if (!w->alive)
        return;
    w->alive = false;
    pool->nalive--;
    if (why)
        mpr__log("pool: worker %d (rank %d of the job) lost: %s; %zu items in flight fail",
                 w->rank, w->world, why, w->inflight);
    fail_inflight(pool, w, MPR_ERR_PROC_FAILED);
    if (pool->nalive == 0)
        fail_pending(pool, MPR_ERR_PROC_FAILED);
}

void mpr__pool_fail_all(struct mpr_pool *pool, int code)
{
    fail_pending(pool, code);
    for (int i = 0; i < pool->nworkers; i++)
        fail_inflight(pool, &pool->workers[i], code);
}

/* ---- dispatch ---------------------------------------------------------- */

static size_t window(const struct mpr_pool *pool)
{
    double w = WINDOW_SECONDS / pool->item_seconds;
    if (!(w >= WINDOW_MIN)) /* NaN too */
        return WINDOW_MIN;
    return w > WINDOW_MAX ? WINDOW_MAX : (size_t)w;
}

static struct mpr__pool_worker *least_loaded(struct mpr_pool *pool)
{
    struct mpr__pool_worker *best = NULL;
    for (int i = 0; i < pool->nworkers; i++) {
        struct mpr__pool_worker *w = &pool->workers[i];
        if (w->alive && !w->stop_sent && (!best || w->inflight < best->inflight))
            best = w;
    }
    return best;
}

static struct mpr__pool_chunk *chunk_new(struct mpr_pool *pool)
{
    struct mpr__pool_chunk *c = pool->free_chunks;
    if (c)
        pool->free_chunks = c->next;
    else if (!(c = malloc(sizeof(*c))))
        return NULL;
    memset(c, 0, sizeof(*c));
    return c;
}

/* Move the next chunk of the head job into b and onto w's FIFO. */
static int add_chunk(struct mpr_pool *pool, struct mpr__pool_worker *w, struct mpr__pool_buf *b)
{
    struct mpr__pool_job *job = pool->pending_head;
    size_t count = job->n - job->next_send;
    if (count > job->chunksize)
        count = job->chunksize;
    size_t bytes = count * job->in_size;
    struct mpr__pool_chunk *c = chunk_new(pool);
    if (!c)
        return MPR_ERR_NO_MEM;
    int rc = mpr__pool_put_chunk_header(b, pool->next_chunk_id, (uint32_t)count, job->in_size,
                                        job->out_size, job->fn->name, job->fn->name_len);
    if (rc == MPR_SUCCESS)
        rc = mpr__pool_buf_reserve(b, bytes);
    if (rc != MPR_SUCCESS) {
        chunk_free(pool, c);
        return rc;
    }
    if (bytes > 0)
        memcpy(b->data + b->len, job->inputs + job->next_send * job->in_size, bytes);
    b->len += bytes;
    c->job = job;
    c->id = pool->next_chunk_id++;
    c->first = job->next_send;
    c->count = count;
    job->next_send += count;
    if (job->next_send == job->n)
        pending_remove_head(pool);
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
    w->inflight += count;
    w->nchunks++;
    return MPR_SUCCESS;
}

/* Run the pending items on the root itself (a pool without workers). */
static void run_local(struct mpr_pool *pool)
{
    while (drop_detached(pool), pool->pending_head) {
        struct mpr__pool_job *job = pool->pending_head;
        size_t i = job->next_send++;
        if (job->next_send == job->n)
            pending_remove_head(pool);
        struct mpr__pool_buf *out = &pool->local_out;
        out->len = 0;
        int code = mpr__pool_run_item(job->fn, job->inputs + i * job->in_size, job->in_size,
                                      job->out_size, out);
        size_t len = out->len >= 12 ? (size_t)mpr__get64(out->data + 4) : 0;
        item_done(pool, job, i, code, out->len >= 12 ? out->data + 12 : NULL, len);
    }
}

static void dispatch(struct mpr_pool *pool)
{
    drop_detached(pool);
    if (pool->local) {
        run_local(pool);
        return;
    }
    while (pool->pending_head) {
        struct mpr__pool_worker *w = least_loaded(pool);
        if (!w) {
            fail_pending(pool, MPR_ERR_PROC_FAILED);
            return;
        }
        size_t win = window(pool);
        if (w->inflight > win / 2 && w->nchunks >= 2)
            return; /* two chunks keep it busy while the next is sent */
        struct mpr__pool_buf b = { 0 };
        int rc = mpr__pool_buf_reserve(&b, MPR__POOL_TASKS_HEADER + 256);
        uint32_t nchunks = 0;
        b.len = MPR__POOL_TASKS_HEADER;
        while (rc == MPR_SUCCESS && pool->pending_head &&
               (nchunks == 0 || (w->inflight < win && b.len < BATCH_BYTES))) {
            if ((rc = add_chunk(pool, w, &b)) == MPR_SUCCESS)
                nchunks++;
            drop_detached(pool);
        }
        if (nchunks == 0) { /* out of memory for even one chunk */
            free(b.data);
            struct mpr__pool_job *job = pool->pending_head;
            if (!job)
                return;
            pending_remove_head(pool);
            fail_unsent(pool, job, MPR_ERR_NO_MEM);
            continue;
        }
        mpr__put32(b.data, nchunks);
        if ((rc = mpr__pool_send(pool, w->rank, MPR__POOL_TAG_TASKS, &b)) != MPR_SUCCESS)
            worker_lost(pool, w, mpr_strerror(rc));
    }
}

void mpr__pool_submit(struct mpr_pool *pool, struct mpr__pool_job *job)
{
    if (job->n == 0)
        return;
    pool->jobs_open++;
    job->queued = true;
    job->next = NULL;
    if (pool->pending_tail)
        pool->pending_tail->next = job;
    else
        pool->pending_head = job;
    pool->pending_tail = job;
    mpr__pool_pump(pool);
}

/* ---- results ----------------------------------------------------------- */

static bool take_results(struct mpr_pool *pool, struct mpr__pool_worker *w,
                         const unsigned char *msg, size_t len, char *why, size_t why_cap)
{
    if (len < MPR__POOL_RESULTS_HEADER)
        return mpr__wire_refuse(why, why_cap, "results message of %zu bytes", len);
    uint32_t n = mpr__get32(msg);
    uint64_t busy_ns = mpr__get64(msg + 4);
    size_t off = MPR__POOL_RESULTS_HEADER;
    for (uint32_t i = 0; i < n; i++) {
        struct mpr__pool_record_view r;
        if (!mpr__pool_parse_record(msg, len, &off, &r, why, why_cap))
            return false;
        struct mpr__pool_chunk *c = w->head;
        if (!c || c->id != r.chunk_id) {
            if (pool->terminated)
                return true; /* results of tasks terminate failed already */
            return mpr__wire_refuse(why, why_cap, "result for chunk %llu, expected %llu",
                                    (unsigned long long)r.chunk_id,
                                    c ? (unsigned long long)c->id : 0ULL);
        }
        w->inflight--;
        size_t index = c->first + c->done++;
        if (c->done == c->count) {
            w->head = c->next;
            if (!w->head)
                w->tail = NULL;
            w->nchunks--;
        }
        item_done(pool, c->job, index, r.code, r.data, r.len);
        if (c->done == c->count)
            chunk_free(pool, c);
    }
    if (n > 0) {
        double t = (double)busy_ns * 1e-9 / n;
        pool->item_seconds = 0.75 * pool->item_seconds + 0.25 * t;
        if (pool->item_seconds < 1e-9)
            pool->item_seconds = 1e-9;
    }
    return true;
}

static struct mpr__pool_worker *worker_of(struct mpr_pool *pool, int rank)
{
    int i = rank < pool->root ? rank : rank - 1;
    return i >= 0 && i < pool->nworkers ? &pool->workers[i] : NULL;
}

static void handle_message(struct mpr_pool *pool, int from, int tag, size_t len)
{
    struct mpr__pool_worker *w = worker_of(pool, from);
    if (!w || !w->alive)
        return; /* a lost worker's late words */
    char why[160] = "";
    bool ok = true;
    if (tag == MPR__POOL_TAG_RESULTS)
        ok = take_results(pool, w, pool->rbuf.data, len, why, sizeof why);
    else if (tag == MPR__POOL_TAG_BYE)
        w->stopped = true;
    else
        ok = mpr__wire_refuse(why, sizeof why, "unknown tag %d", tag);
    if (!ok) {
        mpr__log_once(&said_bad_message, "pool: bad message from worker %d: %s", from, why);
        worker_lost(pool, w, "it sent a malformed message");
    }
}

/* Take the messages that have arrived, one receive at a time, in arrival
 * order (which keeps each worker's order). Never waits. */
static void take_messages(struct mpr_pool *pool)
{
    for (;;) {
        if (pool->incoming) {
            if (!pool->incoming->done)
                return;
            mpr_status st;
            int rc = mpr__wait_request(pool->incoming, &st);
            pool->incoming = NULL;
            if (rc == MPR_SUCCESS)
                handle_message(pool, pool->incoming_from, pool->incoming_tag, st.count);
            continue;
        }
        struct mpr__match_item any = { .source = MPR_ANY_SOURCE, .tag = MPR_ANY_TAG,
                                       .ctx = pool->ctx };
        struct mpr__match_item *m = mpr__match_find_unexpected(&mpr__g.unexpected, &any, false);
        if (!m)
            return;
        /* m may be freed by the receive: read it first */
        const struct mpr__msg *msg = mpr__container_of(m, struct mpr__msg, match);
        size_t len = msg->len;
        int source = m->source, tag = m->tag;
        int from = mpr__comm_rank(pool->comm, source);
        pool->rbuf.len = 0;
        if (from < 0 || mpr__pool_buf_reserve(&pool->rbuf, len) != MPR_SUCCESS) {
            /* not a member (cannot be), or no memory: drop it */
            struct mpr_request *req;
            if (mpr__recv_start(NULL, 0, source, tag, MPR_COMM_WORLD, pool->ctx, &req) ==
                MPR_SUCCESS) {
                pool->incoming = req;
                pool->incoming_from = -1;
                pool->incoming_tag = -1;
            }
            continue;
        }
        pool->incoming_from = from;
        pool->incoming_tag = tag;
        if (mpr__recv_start(pool->rbuf.data, len, from, tag, pool->comm, pool->ctx,
                            &pool->incoming) != MPR_SUCCESS)
            pool->incoming = NULL;
    }
}

static bool message_left_from(const struct mpr_pool *pool, const struct mpr__pool_worker *w)
{
    if (pool->incoming && pool->incoming_from == w->rank)
        return true;
    struct mpr__match_item pattern = { .source = w->world, .tag = MPR_ANY_TAG, .ctx = pool->ctx };
    return mpr__match_find_unexpected(&mpr__g.unexpected, &pattern, false) != NULL;
}

static void check_workers(struct mpr_pool *pool)
{
    for (int i = 0; i < pool->nworkers; i++) {
        struct mpr__pool_worker *w = &pool->workers[i];
        if (w->alive && !w->stopped && mpr__recv_cannot_match(w->world, pool->ctx, pool->comm) &&
            !message_left_from(pool, w))
            worker_lost(pool, w,
                        mpr__g.peers[w->world].dead ? "it died" : "it finalized without serving");
    }
}

void mpr__pool_pump(struct mpr_pool *pool)
{
    mpr__pool_reap_sends(pool);
    if (!pool->local) {
        take_messages(pool);
        check_workers(pool);
    }
    dispatch(pool);
}

/* ---- callbacks and waiting --------------------------------------------- */

void mpr__pool_run_callbacks(struct mpr_pool *pool)
{
    if (pool->depth > 1)
        return;
    while (pool->done_head) {
        struct mpr__pool_job *job = pool->done_head;
        pool->done_head = job->next;
        if (!pool->done_head)
            pool->done_tail = NULL;
        struct mpr_pool_result *r = job->result;
        const void *data = r ? r->data : job->data;
        size_t len = r ? r->len : job->data_len;
        if (job->code == MPR_SUCCESS && job->callback)
            job->callback(job->user, data, len);
        else if (job->code != MPR_SUCCESS && job->error_callback)
            job->error_callback(job->user, job->code);
        if (r) {
            r->job = NULL;
            job->result = NULL;
            if (r->freed)
                mpr_pool_result_free(&r);
        }
        mpr__pool_job_free(job);
    }
}

struct pool_wait {
    struct mpr_pool *pool;
    int (*done)(void *arg);
    void *arg;
};

static int wait_poll(void *arg)
{
    struct pool_wait *pw = arg;
    mpr__pool_pump(pw->pool);
    int rc = pw->done(pw->arg);
    if (rc != MPR__PENDING)
        return rc;
    if (pw->pool->depth <= 1 && pw->pool->done_head)
        return CALLBACKS_DUE;
    return MPR__PENDING;
}

static int watch_workers(void *arg)
{
    struct pool_wait *pw = arg;
    mpr__liveness_watch_comm(pw->pool->comm); /* TCP peers never connected too */
    return MPR_SUCCESS;
}

int mpr__pool_wait(struct mpr_pool *pool, int (*done)(void *arg), void *arg, double deadline)
{
    struct pool_wait pw = { pool, done, arg };
    int rc;
    for (;;) {
        mpr__progress();
        mpr__pool_pump(pool);
        mpr__pool_run_callbacks(pool);
        if ((rc = done(arg)) != MPR__PENDING)
            return rc;
        if (mpr_wtime() >= deadline)
            return MPR_ERR_TIMEOUT;
        struct mpr__wait w = {
            .poll = wait_poll, .arg = &pw, .by_messages = true, .deadline = deadline,
            .peers_ok = watch_workers,
        };
        rc = mpr__wait(&w);
        if (rc == CALLBACKS_DUE)
            continue;
        mpr__pool_run_callbacks(pool);
        return rc;
    }
}

/* ---- stopping ---------------------------------------------------------- */

static int all_done(void *arg)
{
    return ((struct mpr_pool *)arg)->jobs_open == 0 ? MPR_SUCCESS : MPR__PENDING;
}

static int all_stopped(void *arg)
{
    struct mpr_pool *pool = arg;
    for (int i = 0; i < pool->nworkers; i++)
        if (pool->workers[i].alive && !pool->workers[i].stopped)
            return MPR__PENDING;
    return MPR_SUCCESS;
}

int mpr__pool_stop(struct mpr_pool *pool, bool terminate)
{
    int rc;
    if (terminate) {
        pool->terminated = true;
        mpr__pool_fail_all(pool, MPR_ERR_VALUE);
    } else if ((rc = mpr__pool_wait(pool, all_done, pool, INFINITY)) != MPR_SUCCESS) {
        return rc;
    }
    struct mpr__pool_buf none = { 0 };
    int tag = terminate ? MPR__POOL_TAG_TERMINATE : MPR__POOL_TAG_CLOSE;
    for (int i = 0; i < pool->nworkers; i++) {
        struct mpr__pool_worker *w = &pool->workers[i];
        if (!w->alive || w->stop_sent)
            continue;
        w->stop_sent = true;
        if ((rc = mpr__pool_send(pool, w->rank, tag, &none)) != MPR_SUCCESS)
            worker_lost(pool, w, mpr_strerror(rc));
    }
    if ((rc = mpr__pool_wait(pool, all_stopped, pool, INFINITY)) != MPR_SUCCESS)
        return rc;
    pool->joined = true;
    return MPR_SUCCESS;
}

void mpr__pool_root_release(struct mpr_pool *pool)
{
    mpr__pool_fail_all(pool, MPR_ERR_VALUE); /* nothing is left, unless stop failed */
    mpr__pool_run_callbacks(pool);
    while (pool->free_chunks) {
        struct mpr__pool_chunk *c = pool->free_chunks;
        pool->free_chunks = c->next;
        free(c);
    }
    free(pool->workers);
    pool->workers = NULL;
    free(pool->local_out.data);
}
