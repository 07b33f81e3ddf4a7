/*
 * queue.c - mpr_queue_*: a FIFO queue of byte items shared by the ranks of
 * a communicator, with JoinableQueue's task_done/join.
 *
 * The items live in a ring in the queue's segment (queue_ring.c); this file
 * adds arguments, sizes, and waiting: a put that finds the queue full
 * sleeps on `not_full`, which every get signals; a get on an empty queue
 * sleeps on `not_empty`, which every put signals; join sleeps on
 * `all_done`, signalled by the task_done that finishes the last task.
 * Signalling costs a fence and a load unless someone sleeps.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "objects/objects.h"
#include "objects/queue_ring.h"

#define UNBOUNDED_ITEMS_DEFAULT 65536
#define DATA_BYTES_DEFAULT ((uint64_t)32 << 20)
#define DATA_BYTES_MAX ((uint64_t)1 << 36)
/* Every item inline while the slots take at most this much. */
#define INLINE_BYTES_MAX ((uint64_t)16 << 20)

struct queue_state {
    struct mpr__waitpoint not_empty;
    struct mpr__waitpoint not_full;
    struct mpr__waitpoint all_done;
    _Alignas(MPR__OBJ_LINE) unsigned char ring[];
};

struct mpr_queue {
    struct mpr__obj obj;
    struct queue_state *state;
    struct mpr__qring ring;
    bool said_no_room; /* this rank's line about /dev/shm running out */
};

/* A size from the environment: fallback when unset; a value that is not a
 * whole number from 1 to max is refused with one line (said by rank 0,
 * whose settings count). */
static int env_size(const char *name, uint64_t fallback, uint64_t max, bool say, uint64_t *out)
{
    const char *env = getenv(name);
    *out = fallback;
    if (!env || !*env)
        return MPR_SUCCESS;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(env, &end, 10);
    if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0 || v == 0 || v > max) {
        if (say)
            mpr__log("%s=%s: not a whole number from 1 to %llu; the queue is not created", name,
                     env, (unsigned long long)max);
        return MPR_ERR_ARG;
    }
    *out = v;
    return MPR_SUCCESS;
}

static int serve_queue(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

static void format_queue(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    struct queue_state *qs = state;
    mpr__qring_format(qs->ring, arg);
}

int mpr_queue_create(mpr_comm comm, size_t maxsize, size_t max_item_bytes, mpr_queue *queue)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!queue || maxsize > MPR_QUEUE_MAXSIZE_MAX || max_item_bytes > MPR_QUEUE_ITEM_MAX)
        return MPR_ERR_ARG;
    if (max_item_bytes == 0)
        max_item_bytes = MPR_QUEUE_ITEM_DEFAULT;

    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;

    /* Only rank 0's plan counts: it formats the ring, the others read it. */
    bool home = comm->rank == 0;
    uint64_t capacity = maxsize, data_bytes;
    int env_rc = MPR_SUCCESS;
    if (!maxsize)
        env_rc = env_size("MPR_QUEUE_ITEMS", UNBOUNDED_ITEMS_DEFAULT, MPR_QUEUE_MAXSIZE_MAX, home,
                          &capacity);
    int data_rc = env_size("MPR_QUEUE_DATA_BYTES", DATA_BYTES_DEFAULT, DATA_BYTES_MAX, home,
                           &data_bytes);
    struct mpr__qring_plan plan;
    mpr__qring_plan(capacity, max_item_bytes, INLINE_BYTES_MAX, data_bytes, &plan);

    struct mpr_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return MPR_ERR_NO_MEM;
    q->obj.max_item = plan.max_item; /* what the home tells ranks of other hosts */
    q->obj.capacity = plan.capacity;
    q->obj.refuse = env_rc != MPR_SUCCESS ? env_rc : data_rc;
    if (plan.initial_bytes < plan.total_bytes) /* the arena grows on demand */
        q->obj.alloc_bytes = offsetof(struct queue_state, ring) + plan.initial_bytes;
    rc = mpr__obj_create(comm, MPR__OBJ_QUEUE, sizeof(struct queue_state) + plan.total_bytes,
                         format_queue, &plan, &q->obj);
    if (rc != MPR_SUCCESS) {
        free(q);
        return rc;
    }
    if (!q->obj.remote) {
        q->state = q->obj.state;
        mpr__qring_attach(&q->ring, q->state->ring);
        q->obj.max_item = q->ring.hdr->plan.max_item;
        q->obj.capacity = q->ring.capacity;
    }
    if (q->obj.service_id)
        mpr__obj_service_enable(q->obj.service_id, serve_queue, q);
    *queue = q;
    return MPR_SUCCESS;
}

int mpr_queue_free(mpr_queue *queue)
{
    if (!queue || !*queue)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*queue)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*queue);
    *queue = NULL;
    return rc;
}

/* ---- put / get ---------------------------------------------------------- */

struct put_attempt {
    struct mpr_queue *q;
    const void *item;
    size_t len;
};

/* Add blocks to the arena for a put of len bytes that found too few:
 * allocate their memory first (doubling the arena, or at least what the
 * item needs). When /dev/shm has no more, the arena stays as it is for
 * good and puts that need more find the queue full. True if it grew. */
static bool grow_arena(struct mpr_queue *q, size_t len)
{
    struct mpr__qring *ring = &q->ring;
    uint32_t need = (uint32_t)((len + ring->block_bytes - 1) / ring->block_bytes);
    struct mpr__qring_growth g;
    if (!mpr__qring_grow_begin(ring, need, &g))
        return false;
    size_t ring_offset = offsetof(struct queue_state, ring);
    int err = mpr__obj_grow(&q->obj, ring_offset + g.offset, g.bytes);
    if (err != 0 && g.count > need) {
        g.count = need;
        g.bytes = (uint64_t)need * ring->block_bytes;
        err = mpr__obj_grow(&q->obj, ring_offset + g.offset, g.bytes);
    }
    if (err != 0) {
        mpr__log_once(&q->said_no_room,
                      "a queue's data room cannot grow past %llu KiB (of %llu): /dev/shm: %s; "
                      "puts that need more find the queue full",
                      (unsigned long long)g.first * ring->block_bytes / 1024,
                      (unsigned long long)ring->hdr->plan.nblocks * ring->block_bytes / 1024,
                      strerror(err));
        g.count = 0;
    }
    mpr__qring_grow_end(ring, &g);
    if (g.count)
        mpr__waitpoint_signal(&q->state->not_full, INT_MAX); /* room for those waiting too */
    return g.count != 0;
}

static int attempt_put(void *arg)
{
    struct put_attempt *a = arg;
    int rc = mpr__qring_put(&a->q->ring, a->item, a->len);
    if (rc == MPR_ERR_FULL && mpr__qring_may_grow(&a->q->ring, a->len) && grow_arena(a->q, a->len))
        rc = mpr__qring_put(&a->q->ring, a->item, a->len);
    if (rc == MPR_SUCCESS)
        mpr__waitpoint_signal(&a->q->state->not_empty, 1);
    return rc;
}

static int queue_put(struct mpr_queue *q, const void *item, size_t len, double timeout,
                     const struct mpr__obj_waiter *w)
{
    struct put_attempt a = { q, item, len };
    return mpr__obj_wait(&q->obj, &q->state->not_full, attempt_put, &a, MPR_ERR_FULL, timeout, w);
}

int mpr_queue_put(mpr_queue q, const void *item, size_t len, double timeout)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q || (!item && len > 0) || len > q->obj.max_item)
        return MPR_ERR_ARG;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (q->obj.remote)
        return mpr__obj_remote_call(&q->obj, MPR__OBJW_QUEUE_PUT, timeout, item, len, NULL, 0, NULL);
    return queue_put(q, item, len, timeout, NULL);
}

int mpr_queue_put_nowait(mpr_queue q, const void *item, size_t len)
{
    return mpr_queue_put(q, item, len, MPR_NO_WAIT);
}

struct get_attempt {
    struct mpr_queue *q;
    void *buf;
    size_t buflen;
    size_t len;
};

static int attempt_get(void *arg)
{
    struct get_attempt *a = arg;
    int rc = mpr__qring_get(&a->q->ring, a->buf, a->buflen, &a->len);
    if (rc == MPR_SUCCESS)
        mpr__waitpoint_signal(&a->q->state->not_full, 1);
    return rc;
}

static int queue_get(struct mpr_queue *q, void *buf, size_t buflen, size_t *len_out,
                     double timeout, const struct mpr__obj_waiter *w)
{
    struct get_attempt a = { q, buf, buflen, 0 };
    int rc = mpr__obj_wait(&q->obj, &q->state->not_empty, attempt_get, &a, MPR_ERR_EMPTY,
                           timeout, w);
    if (rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE)
        *len_out = a.len;
    return rc;
}

int mpr_queue_get(mpr_queue q, void *buf, size_t buflen, size_t *len_out, double timeout)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q || (!buf && buflen > 0))
        return MPR_ERR_ARG;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    size_t len = 0;
    if (q->obj.remote) {
        int64_t value = 0;
        rc = mpr__obj_remote_call(&q->obj, MPR__OBJW_QUEUE_GET, timeout, NULL, 0, buf, buflen,
                                  &value);
        len = (size_t)value;
    } else {
        rc = queue_get(q, buf, buflen, &len, timeout, NULL);
    }
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && len_out)
        *len_out = len;
    return rc;
}

int mpr_queue_get_nowait(mpr_queue q, void *buf, size_t buflen, size_t *len_out)
{
    return mpr_queue_get(q, buf, buflen, len_out, MPR_NO_WAIT);
}

/* ---- size --------------------------------------------------------------- */

int mpr_queue_qsize(mpr_queue q, size_t *size)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q || !size)
        return MPR_ERR_ARG;
    if (q->obj.remote) {
        int64_t value;
        rc = mpr__obj_remote_call(&q->obj, MPR__OBJW_QUEUE_QSIZE, 0, NULL, 0, NULL, 0, &value);
        if (rc == MPR_SUCCESS)
            *size = (size_t)value;
        return rc;
    }
    *size = (size_t)mpr__qring_count(&q->ring);
    return MPR_SUCCESS;
}

int mpr_queue_empty(mpr_queue q, int *flag)
{
    size_t n;
    if (!flag)
        return MPR_ERR_ARG;
    int rc = mpr_queue_qsize(q, &n);
    if (rc == MPR_SUCCESS)
        *flag = n == 0;
    return rc;
}

int mpr_queue_full(mpr_queue q, int *flag)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q || !flag)
        return MPR_ERR_ARG;
    if (q->obj.remote) {
        uint64_t full;
        rc = mpr__obj_remote_call_arg(&q->obj, MPR__OBJW_QUEUE_QSIZE, 0, 0, NULL, &full);
        if (rc == MPR_SUCCESS)
            *flag = full != 0;
        return rc;
    }
    *flag = mpr__qring_full(&q->ring);
    return MPR_SUCCESS;
}

/* ---- task_done / join --------------------------------------------------- */

static int queue_task_done(struct mpr_queue *q)
{
    bool all_done;
    int rc = mpr__qring_task_done(&q->ring, &all_done);
    if (rc == MPR_SUCCESS && all_done)
        mpr__waitpoint_signal(&q->state->all_done, INT_MAX);
    return rc;
}

int mpr_queue_task_done(mpr_queue q)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q)
        return MPR_ERR_ARG;
    if (q->obj.remote)
        return mpr__obj_remote_call(&q->obj, MPR__OBJW_QUEUE_TASK_DONE, 0, NULL, 0, NULL, 0, NULL);
    return queue_task_done(q);
}

static int attempt_join(void *arg)
{
    struct mpr_queue *q = arg;
    return mpr__qring_all_done(&q->ring) ? MPR_SUCCESS : MPR_ERR_TIMEOUT;
}

int mpr_queue_join(mpr_queue q, double timeout)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!q)
        return MPR_ERR_ARG;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (q->obj.remote)
        return mpr__obj_remote_call(&q->obj, MPR__OBJW_QUEUE_JOIN, timeout, NULL, 0, NULL, 0, NULL);
    return mpr__obj_wait(&q->obj, &q->state->all_done, attempt_join, q, MPR_ERR_TIMEOUT, timeout,
                         NULL);
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_queue(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    struct mpr_queue *q = handle;
    double timeout = mpr__objw_timeout_seconds(req->timeout_ns);
    size_t len = 0;
    int rc;
    switch (req->op) {
    case MPR__OBJW_QUEUE_PUT:
        return queue_put(q, in, req->length, timeout, w);
    case MPR__OBJW_QUEUE_GET:
        rc = queue_get(q, out, req->arg < out_cap ? (size_t)req->arg : out_cap, &len, timeout, w);
        if (rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE)
            rep->value = (int64_t)len;
        if (rc == MPR_SUCCESS)
            rep->length = (uint32_t)len;
        return rc;
    case MPR__OBJW_QUEUE_QSIZE:
        rep->value = (int64_t)mpr__qring_count(&q->ring);
        rep->extra = mpr__qring_full(&q->ring);
        return MPR_SUCCESS;
    case MPR__OBJW_QUEUE_TASK_DONE:
        return queue_task_done(q);
    case MPR__OBJW_QUEUE_JOIN:
        return mpr__obj_wait(&q->obj, &q->state->all_done, attempt_join, q, MPR_ERR_TIMEOUT,
                             timeout, w);
    default:
        return MPR_ERR_ARG;
    }
}
