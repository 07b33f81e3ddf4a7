/*
 * pool.c - mpr_pool_* (Python's multiprocessing.Pool): creation, the
 * registry of functions, the handles (results, iterators) and the public
 * calls. The root's engine is pool_root.c, a worker's loop pool_worker.c,
 * the messages pool_wire.c.
 *
 * The pool is point-to-point messaging on a communicator of its own (an
 * mpr_comm_dup of the creator's), so it rides shared memory on a host and
 * TCP across hosts, and its messages never meet the program's. It lives
 * with the shared objects although it shares no memory: it is the same
 * family (Python's multiprocessing) and needs only p2p and comm_dup.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire_bytes.h"
#include "objects/pool.h"

/* ---- common ------------------------------------------------------------ */

static int check_pool(mpr_pool pool)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!pool || pool->magic != MPR__POOL_MAGIC)
        return MPR_ERR_ARG;
    return MPR_SUCCESS;
}

static int check_root(mpr_pool pool)
{
    int rc = check_pool(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    return pool->is_root ? MPR_SUCCESS : MPR_ERR_VALUE;
}

/* Every root call runs between enter and leave: callbacks run at the
 * outermost one only. */
static void enter(mpr_pool pool)
{
    pool->depth++;
}

static int leave(mpr_pool pool, int rc)
{
    mpr__pool_run_callbacks(pool);
    pool->depth--;
    return rc;
}

static double deadline_of(double timeout)
{
    return timeout < 0 ? INFINITY : mpr_wtime() + timeout;
}

void mpr__pool_reap_sends(struct mpr_pool *pool)
{
    struct mpr__pool_send **link = &pool->sends;
    while (*link) {
        struct mpr__pool_send *s = *link;
        if (!s->req->done) {
            link = &s->next;
            continue;
        }
        mpr__wait_request(s->req, NULL); /* a failure shows as the peer's end */
        free(s->data);
        *link = s->next;
        free(s);
    }
}

int mpr__pool_send(struct mpr_pool *pool, int dest, int tag, struct mpr__pool_buf *b)
{
    struct mpr_request *req;
    unsigned char *data = b->data;
    size_t len = b->len;
    *b = (struct mpr__pool_buf){ 0 };
    int rc = mpr__send_start(data, len, dest, tag, pool->comm, pool->ctx, &req);
    if (rc != MPR_SUCCESS) {
        free(data);
        return rc;
    }
    if (req->done) {
        rc = mpr__wait_request(req, NULL);
        free(data);
        return rc;
    }
    struct mpr__pool_send *s = malloc(sizeof(*s));
    if (!s) { /* keep the data alive the only way left: wait */
        rc = mpr__wait_request(req, NULL);
        free(data);
        return rc;
    }
    s->req = req;
    s->data = data;
    s->next = pool->sends;
    pool->sends = s;
    return MPR_SUCCESS;
}

/* ---- functions ----------------------------------------------------------- */

static bool name_ok(const char *name, size_t *len)
{
    if (!name)
        return false;
    size_t n = strnlen(name, MPR_POOL_NAME_MAX + 1);
    if (n == 0 || n > MPR_POOL_NAME_MAX)
        return false;
    *len = n;
    return true;
}

const struct mpr__pool_fn *mpr__pool_find_fn(struct mpr_pool *pool, const char *name,
                                             size_t name_len)
{
    const struct mpr__pool_fn *f = pool->last_fn;
    if (f && f->name_len == name_len && memcmp(f->name, name, name_len) == 0)
        return f;
    for (int i = 0; i < pool->nfns; i++) {
        f = &pool->fns[i];
        if (f->name_len == name_len && memcmp(f->name, name, name_len) == 0)
            return pool->last_fn = f;
    }
    return NULL;
}

int mpr_pool_register(mpr_pool pool, const char *name, mpr_pool_function *fn, void *arg)
{
    int rc = check_pool(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    size_t len;
    if (!name_ok(name, &len) || !fn)
        return MPR_ERR_ARG;
    if (mpr__pool_find_fn(pool, name, len))
        return MPR_ERR_VALUE;
    struct mpr__pool_fn *fns = realloc(pool->fns, (size_t)(pool->nfns + 1) * sizeof(*fns));
    if (!fns)
        return MPR_ERR_NO_MEM;
    pool->fns = fns;
    pool->last_fn = NULL; /* the array may have moved */
    struct mpr__pool_fn *f = &fns[pool->nfns++];
    memset(f, 0, sizeof(*f));
    memcpy(f->name, name, len);
    f->name_len = len;
    f->fn = fn;
    f->arg = arg;
    return MPR_SUCCESS;
}

/* Functions get their input and output buffers aligned for any type, as
 * malloc's are: items inside a message are copied to (or written in)
 * buffers of their own when they are not. */
#define ITEM_ALIGN _Alignof(max_align_t)

static bool aligned(const void *p)
{
    return ((uintptr_t)p & (ITEM_ALIGN - 1)) == 0;
}

int mpr__pool_run_item(const struct mpr__pool_fn *f, const void *in, size_t in_len, size_t cap,
                       struct mpr__pool_buf *out)
{
    static struct mpr__pool_buf in_copy, out_room; /* reused: one rank, one thread */
    bool any = cap == MPR__POOL_ANY_SIZE;
    size_t room = any ? 4096 : cap;
    size_t at = out->len;
    int code = MPR_ERR_UNSUPPORTED;
    size_t len = 0;
    if (f && in_len > 0 && !aligned(in)) {
        in_copy.len = 0;
        if (mpr__pool_buf_reserve(&in_copy, in_len) == MPR_SUCCESS) {
            in = memcpy(in_copy.data, in, in_len);
        } else {
            f = NULL;
            code = MPR_ERR_NO_MEM;
        }
    }
    unsigned char *dest = NULL;
    for (int attempt = 0; f && attempt < 2; attempt++) {
        if (mpr__pool_buf_reserve(out, 12 + room) != MPR_SUCCESS) {
            code = MPR_ERR_NO_MEM;
            break;
        }
        dest = out->data + at + 12;
        if (!aligned(dest)) {
            out_room.len = 0;
            if (mpr__pool_buf_reserve(&out_room, room) != MPR_SUCCESS) {
                code = MPR_ERR_NO_MEM;
                break;
            }
            dest = out_room.data;
        }
        len = room;
        code = f->fn(in, in_len, dest, &len, f->arg);
        if (code == MPR_ERR_TRUNCATE && any && attempt == 0 && len > room &&
            len <= MPR_POOL_RESULT_MAX) {
            room = len;
            continue;
        }
        if (code == MPR_SUCCESS && len > room)
            code = MPR_ERR_TRUNCATE; /* wrote more than it was given? say so */
        break;
    }
    if (code != MPR_SUCCESS)
        len = 0;
    if (mpr__pool_buf_reserve(out, 12) != MPR_SUCCESS)
        return MPR_ERR_NO_MEM;
    if (len > 0 && dest != out->data + at + 12)
        memcpy(out->data + at + 12, dest, len);
    mpr__put32(out->data + at, (uint32_t)code);
    mpr__put64(out->data + at + 4, len);
    out->len = at + 12 + len;
    return code;
}

/* ---- creation and release ------------------------------------------------ */

int mpr_pool_create(mpr_comm comm, int root, mpr_pool *pool)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (!pool || root < 0 || root >= comm->size)
        return MPR_ERR_ARG;
    struct mpr_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return MPR_ERR_NO_MEM;
    if ((rc = mpr_comm_dup(comm, &p->comm)) != MPR_SUCCESS) {
        free(p);
        return rc;
    }
    p->magic = MPR__POOL_MAGIC;
    p->ctx = p->comm->ctx_p2p;
    p->root = root;
    p->is_root = comm->rank == root;
    if (p->is_root) {
        p->nworkers = comm->size - 1;
        p->nalive = p->nworkers;
        p->local = p->nworkers == 0;
        if (p->nworkers > 0 && !(p->workers = calloc((size_t)p->nworkers, sizeof(*p->workers)))) {
            mpr_comm_free(&p->comm);
            free(p);
            return MPR_ERR_NO_MEM;
        }
        for (int i = 0; i < p->nworkers; i++) {
            struct mpr__pool_worker *w = &p->workers[i];
            w->rank = i < root ? i : i + 1;
            w->world = mpr__world_rank(p->comm, w->rank);
            w->alive = true;
        }
        mpr__pool_root_setup(p);
    }
    *pool = p;
    return MPR_SUCCESS;
}

void mpr__pool_job_free(struct mpr__pool_job *job)
{
    if (job->own_errors)
        free(job->errors);
    free(job->finished);
    free(job->order);
    free(job->in_copy);
    free(job->data);
    free(job);
}

int mpr_pool_free(mpr_pool *pool)
{
    if (!pool)
        return MPR_ERR_ARG;
    mpr_pool p = *pool;
    int rc = check_pool(p);
    if (rc != MPR_SUCCESS)
        return rc;
    if (p->depth > 0)
        return MPR_ERR_VALUE;
    if (p->is_root) {
        enter(p);
        if (!p->joined)
            mpr__pool_stop(p, true);
        leave(p, MPR_SUCCESS);
        mpr__pool_root_release(p);
        for (struct mpr_pool_result *r = p->results; r; r = r->next)
            r->pool = NULL;
        for (struct mpr_pool_iter *it = p->iters; it; it = it->next)
            it->pool = NULL;
    }
    /* Sends still in flight (a worker's BYE to a root that is gone): they
     * end with their peer; wait for them so their buffers are not freed
     * under a transport. */
    while (p->sends) {
        struct mpr__pool_send *s = p->sends;
        p->sends = s->next;
        mpr__wait_request(s->req, NULL);
        free(s->data);
        free(s);
    }
    if (p->incoming)
        mpr__wait_request(p->incoming, NULL);
    free(p->rbuf.data);
    free(p->fns);
    mpr_comm_free(&p->comm);
    p->magic = 0;
    free(p);
    *pool = NULL;
    return MPR_SUCCESS;
}

int mpr_pool_serve(mpr_pool pool)
{
    int rc = check_pool(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    if (pool->is_root)
        return MPR_ERR_VALUE;
    return mpr__pool_serve(pool);
}

int mpr_pool_workers(mpr_pool pool, int *count)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!count)
        return MPR_ERR_ARG;
    enter(pool);
    mpr__progress();
    mpr__pool_pump(pool);
    *count = pool->nalive;
    return leave(pool, MPR_SUCCESS);
}

/* ---- submitting ---------------------------------------------------------- */

/* Checks common to submissions; *fn = the root's entry for name. */
static int check_submit(mpr_pool pool, const char *name, const struct mpr__pool_fn **fn)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    size_t len;
    if (!name_ok(name, &len) || !(*fn = mpr__pool_find_fn(pool, name, len)))
        return MPR_ERR_ARG;
    if (pool->closed)
        return MPR_ERR_VALUE;
    if (!pool->local && pool->nalive == 0)
        return MPR_ERR_PROC_FAILED;
    return MPR_SUCCESS;
}

static size_t default_chunksize(const struct mpr_pool *pool, size_t n)
{
    size_t parts = 4 * (size_t)(pool->nalive > 0 ? pool->nalive : 1);
    size_t c = (n + parts - 1) / parts;
    return c == 0 ? 1 : c > UINT32_MAX ? UINT32_MAX : c;
}

static int items_job(mpr_pool pool, const char *name, const void *inputs, size_t n,
                     size_t in_size, void *outputs, size_t out_size, size_t chunksize,
                     int *errors, struct mpr__pool_job **out)
{
    const struct mpr__pool_fn *fn;
    int rc = check_submit(pool, name, &fn);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((in_size > 0 && n > SIZE_MAX / in_size) || (out_size > 0 && n > SIZE_MAX / out_size) ||
        (!inputs && n > 0 && in_size > 0) || (!outputs && n > 0 && out_size > 0) ||
        in_size > MPR_POOL_RESULT_MAX || out_size > MPR_POOL_RESULT_MAX ||
        chunksize > UINT32_MAX)
        return MPR_ERR_ARG;
    struct mpr__pool_job *job = calloc(1, sizeof(*job));
    if (!job)
        return MPR_ERR_NO_MEM;
    job->kind = MPR__POOL_JOB_ITEMS;
    job->fn = fn;
    job->inputs = inputs;
    job->n = n;
    job->in_size = in_size;
    job->outputs = outputs;
    job->out_size = out_size;
    job->chunksize = chunksize ? chunksize : default_chunksize(pool, n);
    job->errors = errors;
    if (!errors) {
        job->errors = malloc((n ? n : 1) * sizeof(int));
        job->own_errors = true;
        if (!job->errors) {
            free(job);
            return MPR_ERR_NO_MEM;
        }
    }
    *out = job;
    return MPR_SUCCESS;
}

static int job_complete(void *arg)
{
    const struct mpr__pool_job *job = arg;
    return job->ndone == job->n ? MPR_SUCCESS : MPR__PENDING;
}

int mpr_pool_map(mpr_pool pool, const char *name, const void *inputs, size_t n, size_t in_size,
                 void *outputs, size_t out_size, size_t chunksize, int errors[])
{
    struct mpr__pool_job *job;
    int rc = items_job(pool, name, inputs, n, in_size, outputs, out_size, chunksize, errors, &job);
    if (rc != MPR_SUCCESS)
        return rc;
    enter(pool);
    mpr__pool_submit(pool, job);
    rc = mpr__pool_wait(pool, job_complete, job, INFINITY);
    if (rc == MPR_SUCCESS)
        rc = job->first_error;
    if (job->ndone == job->n) {
        mpr__pool_job_free(job);
    } else { /* the wait failed (cannot, short of a bug): let it finish unseen */
        job->detached = true;
    }
    return leave(pool, rc);
}

static int imap(mpr_pool pool, const char *name, const void *inputs, size_t n, size_t in_size,
                void *outputs, size_t out_size, size_t chunksize, bool ordered,
                mpr_pool_iter *iter)
{
    if (!iter) {
        int rc = check_pool(pool);
        return rc != MPR_SUCCESS ? rc : MPR_ERR_ARG;
    }
    struct mpr__pool_job *job;
    int rc = items_job(pool, name, inputs, n, in_size, outputs, out_size, chunksize, NULL, &job);
    if (rc != MPR_SUCCESS)
        return rc;
    struct mpr_pool_iter *it = calloc(1, sizeof(*it));
    if (ordered)
        job->finished = calloc(n ? n : 1, 1);
    else
        job->order = malloc((n ? n : 1) * sizeof(size_t));
    if (!it || !(ordered ? (void *)job->finished : (void *)job->order)) {
        free(it);
        mpr__pool_job_free(job);
        return MPR_ERR_NO_MEM;
    }
    it->magic = MPR__POOL_ITER_MAGIC;
    it->pool = pool;
    it->job = job;
    it->ordered = ordered;
    job->iter = it;
    it->next = pool->iters;
    if (pool->iters)
        pool->iters->prev = it;
    pool->iters = it;
    enter(pool);
    mpr__pool_submit(pool, job);
    *iter = it;
    return leave(pool, MPR_SUCCESS);
}

int mpr_pool_imap(mpr_pool pool, const char *name, const void *inputs, size_t n,
                  size_t in_size, void *outputs, size_t out_size, size_t chunksize,
                  mpr_pool_iter *iter)
{
    return imap(pool, name, inputs, n, in_size, outputs, out_size, chunksize, true, iter);
}

int mpr_pool_imap_unordered(mpr_pool pool, const char *name, const void *inputs, size_t n,
                            size_t in_size, void *outputs, size_t out_size, size_t chunksize,
                            mpr_pool_iter *iter)
{
    return imap(pool, name, inputs, n, in_size, outputs, out_size, chunksize, false, iter);
}

static int iter_ready(void *arg)
{
    const struct mpr_pool_iter *it = arg;
    const struct mpr__pool_job *job = it->job;
    if (it->returned == job->n)
        return MPR_ERR_EOF;
    if (it->ordered)
        return job->finished[it->returned] ? MPR_SUCCESS : MPR__PENDING;
    return it->returned < job->ndone ? MPR_SUCCESS : MPR__PENDING;
}

int mpr_pool_iter_next(mpr_pool_iter it, double timeout, size_t *index, int *error)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!it || it->magic != MPR__POOL_ITER_MAGIC || !index || !error || isnan(timeout))
        return MPR_ERR_ARG;
    mpr_pool pool = it->pool;
    if (pool) {
        enter(pool);
        rc = leave(pool, mpr__pool_wait(pool, iter_ready, it, deadline_of(timeout)));
    } else {
        rc = iter_ready(it); /* the pool is gone: every item is done */
    }
    if (rc == MPR_ERR_TIMEOUT && timeout == 0)
        rc = MPR_ERR_EMPTY;
    if (rc != MPR_SUCCESS)
        return rc;
    size_t i = it->ordered ? it->returned : it->job->order[it->returned];
    it->returned++;
    *index = i;
    *error = it->job->errors[i];
    return MPR_SUCCESS;
}

int mpr_pool_iter_free(mpr_pool_iter *iter)
{
    if (!iter || !*iter || (*iter)->magic != MPR__POOL_ITER_MAGIC)
        return MPR_ERR_ARG;
    struct mpr_pool_iter *it = *iter;
    struct mpr__pool_job *job = it->job;
    if (it->pool) {
        mpr_pool pool = it->pool;
        if (it->prev)
            it->prev->next = it->next;
        else
            pool->iters = it->next;
        if (it->next)
            it->next->prev = it->prev;
    }
    if (job->ndone == job->n) {
        mpr__pool_job_free(job);
    } else {
        job->detached = true; /* freed when its last item comes back; */
        job->iter = NULL;     /* items not sent yet never will be (dispatch) */
    }
    it->magic = 0;
    free(it);
    *iter = NULL;
    return MPR_SUCCESS;
}

int mpr_pool_apply(mpr_pool pool, const char *name, const void *in, size_t in_len, void *out,
                   size_t out_cap, size_t *out_len)
{
    const struct mpr__pool_fn *fn;
    int rc = check_submit(pool, name, &fn);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((!in && in_len > 0) || (!out && out_cap > 0) || in_len > MPR_POOL_RESULT_MAX ||
        out_cap > MPR_POOL_RESULT_MAX)
        return MPR_ERR_ARG;
    struct mpr__pool_job job = {
        .kind = MPR__POOL_JOB_APPLY, .fn = fn, .inputs = in, .n = 1, .in_size = in_len,
        .outputs = out, .out_size = out_cap, .chunksize = 1, .out_len = out_len,
    };
    enter(pool);
    mpr__pool_submit(pool, &job);
    rc = mpr__pool_wait(pool, job_complete, &job, INFINITY);
    if (rc == MPR_SUCCESS)
        rc = job.code;
    return leave(pool, rc);
}

int mpr_pool_apply_async(mpr_pool pool, const char *name, const void *in, size_t in_len,
                         mpr_pool_callback *callback, mpr_pool_error_callback *error_callback,
                         void *user, mpr_pool_result *result)
{
    const struct mpr__pool_fn *fn;
    int rc = check_submit(pool, name, &fn);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((!in && in_len > 0) || in_len > MPR_POOL_RESULT_MAX)
        return MPR_ERR_ARG;
    struct mpr__pool_job *job = calloc(1, sizeof(*job));
    struct mpr_pool_result *r = result ? calloc(1, sizeof(*r)) : NULL;
    void *copy = malloc(in_len ? in_len : 1);
    if (!job || !copy || (result && !r)) {
        free(job);
        free(r);
        free(copy);
        return MPR_ERR_NO_MEM;
    }
    if (in_len > 0)
        memcpy(copy, in, in_len);
    job->kind = MPR__POOL_JOB_ASYNC;
    job->fn = fn;
    job->in_copy = copy;
    job->inputs = copy;
    job->n = 1;
    job->in_size = in_len;
    job->out_size = MPR__POOL_ANY_SIZE;
    job->chunksize = 1;
    job->callback = callback;
    job->error_callback = error_callback;
    job->user = user;
    if (r) {
        r->magic = MPR__POOL_RESULT_MAGIC;
        r->pool = pool;
        r->job = job;
        job->result = r;
        r->next = pool->results;
        if (pool->results)
            pool->results->prev = r;
        pool->results = r;
        *result = r;
    }
    enter(pool);
    mpr__progress();
    mpr__pool_submit(pool, job);
    return leave(pool, MPR_SUCCESS);
}

/* ---- results ------------------------------------------------------------- */

static int check_result(mpr_pool_result r)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return r && r->magic == MPR__POOL_RESULT_MAGIC && !r->freed ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int result_ready(void *arg)
{
    return ((struct mpr_pool_result *)arg)->ready ? MPR_SUCCESS : MPR__PENDING;
}

/* Wait for r up to deadline, moving the pool meanwhile. */
static int result_wait(mpr_pool_result r, double deadline)
{
    mpr_pool pool = r->pool;
    if (!pool)
        return r->ready ? MPR_SUCCESS : MPR_ERR_TIMEOUT;
    enter(pool);
    return leave(pool, mpr__pool_wait(pool, result_ready, r, deadline));
}

int mpr_pool_result_ready(mpr_pool_result result, int *flag)
{
    int rc = check_result(result);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!flag)
        return MPR_ERR_ARG;
    rc = result_wait(result, -INFINITY); /* one look */
    *flag = result->ready;
    return rc == MPR_ERR_TIMEOUT ? MPR_SUCCESS : rc;
}

int mpr_pool_result_successful(mpr_pool_result result, int *flag)
{
    int rc = check_result(result);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!flag)
        return MPR_ERR_ARG;
    rc = result_wait(result, -INFINITY);
    if (rc != MPR_SUCCESS && rc != MPR_ERR_TIMEOUT)
        return rc;
    if (!result->ready)
        return MPR_ERR_VALUE;
    *flag = result->code == MPR_SUCCESS;
    return MPR_SUCCESS;
}

int mpr_pool_result_wait(mpr_pool_result result, double timeout)
{
    int rc = check_result(result);
    if (rc != MPR_SUCCESS)
        return rc;
    if (isnan(timeout))
        return MPR_ERR_ARG;
    return result_wait(result, timeout == 0 ? -INFINITY : deadline_of(timeout));
}

int mpr_pool_result_get(mpr_pool_result result, double timeout, void *buf, size_t cap,
                        size_t *len)
{
    int rc = check_result(result);
    if (rc != MPR_SUCCESS)
        return rc;
    if (isnan(timeout) || (!buf && cap > 0))
        return MPR_ERR_ARG;
    if ((rc = result_wait(result, timeout == 0 ? -INFINITY : deadline_of(timeout))) !=
        MPR_SUCCESS)
        return rc;
    if (result->code != MPR_SUCCESS)
        return result->code;
    if (len)
        *len = result->len;
    if (result->len > cap)
        return MPR_ERR_TRUNCATE;
    if (result->len > 0)
        memcpy(buf, result->data, result->len);
    return MPR_SUCCESS;
}

int mpr_pool_result_free(mpr_pool_result *result)
{
    if (!result || !*result || (*result)->magic != MPR__POOL_RESULT_MAGIC)
        return MPR_ERR_ARG;
    struct mpr_pool_result *r = *result;
    *result = NULL;
    if (r->job) { /* its callbacks are still due: they free it */
        r->freed = true;
        return MPR_SUCCESS;
    }
    if (r->pool) {
        if (r->prev)
            r->prev->next = r->next;
        else
            r->pool->results = r->next;
        if (r->next)
            r->next->prev = r->prev;
    }
    r->magic = 0;
    free(r->data);
    free(r);
    return MPR_SUCCESS;
}

/* ---- poll, close, join, terminate ---------------------------------------- */

int mpr_pool_poll(mpr_pool pool)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    enter(pool);
    mpr__progress();
    mpr__pool_pump(pool);
    return leave(pool, MPR_SUCCESS);
}

int mpr_pool_close(mpr_pool pool)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    enter(pool);
    pool->closed = true;
    mpr__progress();
    mpr__pool_pump(pool);
    return leave(pool, MPR_SUCCESS);
}

int mpr_pool_join(mpr_pool pool)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!pool->closed || pool->depth > 0)
        return MPR_ERR_VALUE;
    if (pool->joined)
        return MPR_SUCCESS;
    enter(pool);
    return leave(pool, mpr__pool_stop(pool, false));
}

int mpr_pool_terminate(mpr_pool pool)
{
    int rc = check_root(pool);
    if (rc != MPR_SUCCESS)
        return rc;
    if (pool->depth > 0)
        return MPR_ERR_VALUE;
    pool->closed = true;
    if (pool->joined)
        return MPR_SUCCESS;
    enter(pool);
    return leave(pool, mpr__pool_stop(pool, true));
}
