/*
 * semaphore.c - mpr_semaphore_*: a counting semaphore shared by the ranks
 * of a communicator (Python's Semaphore and BoundedSemaphore).
 *
 * The count is one atomic word changed by CAS; acquirers that find it at 0
 * wait on `available`, which each release signals for one sleeper.
 */
#include <limits.h>
#include <stdlib.h>

#include "objects/objects.h"

struct semaphore_state {
    struct mpr__waitpoint available;
    _Alignas(MPR__OBJ_LINE) _Atomic int32_t count;
    int32_t initial;
    uint32_t bounded;
};

struct mpr_semaphore {
    struct mpr__obj obj;
    struct semaphore_state *state;
};

struct semaphore_init {
    int value;
    int bounded;
};

static int serve_semaphore(void *handle, const struct mpr__objw_req *req, const void *in,
                           void *out, size_t out_cap, struct mpr__objw_rep *rep,
                           const struct mpr__obj_waiter *w);

static void format_semaphore(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    const struct semaphore_init *init = arg;
    struct semaphore_state *ss = state;
    atomic_init(&ss->available.seq, 0);
    atomic_init(&ss->available.sleepers, 0);
    atomic_init(&ss->count, init->value);
    ss->initial = init->value;
    ss->bounded = init->bounded != 0;
}

int mpr_semaphore_create(mpr_comm comm, int value, int bounded, mpr_semaphore *sem)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!sem || value < 0)
        return MPR_ERR_ARG;
    struct mpr_semaphore *s = calloc(1, sizeof(*s));
    if (!s)
        return MPR_ERR_NO_MEM;
    struct semaphore_init init = { value, bounded };
    rc = mpr__obj_create(comm, MPR__OBJ_SEMAPHORE, sizeof(struct semaphore_state),
                         format_semaphore, &init, &s->obj);
    if (rc != MPR_SUCCESS) {
        free(s);
        return rc;
    }
    s->state = s->obj.state;
    if (s->obj.service_id)
        mpr__obj_service_enable(s->obj.service_id, serve_semaphore, s);
    *sem = s;
    return MPR_SUCCESS;
}

int mpr_semaphore_free(mpr_semaphore *sem)
{
    if (!sem || !*sem)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*sem)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*sem);
    *sem = NULL;
    return rc;
}

static int check_semaphore(mpr_semaphore s)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return s ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int attempt_acquire(void *arg)
{
    struct semaphore_state *ss = arg;
    int32_t count = atomic_load_explicit(&ss->count, memory_order_relaxed);
    while (count > 0) {
        if (atomic_compare_exchange_weak_explicit(&ss->count, &count, count - 1,
                                                  memory_order_acquire, memory_order_relaxed))
            return MPR_SUCCESS;
    }
    return MPR_ERR_BUSY;
}

int mpr_semaphore_acquire(mpr_semaphore s, double timeout)
{
    int rc = check_semaphore(s);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (s->obj.remote)
        return mpr__obj_remote_call(&s->obj, MPR__OBJW_SEM_ACQUIRE, timeout, NULL, 0, NULL, 0, NULL);
    return mpr__obj_wait(&s->obj, &s->state->available, attempt_acquire, s->state, MPR_ERR_BUSY,
                         timeout, NULL);
}

int mpr_semaphore_try_acquire(mpr_semaphore s)
{
    return mpr_semaphore_acquire(s, MPR_NO_WAIT);
}

static int semaphore_release(struct mpr_semaphore *s)
{
    struct semaphore_state *ss = s->state;
    int32_t limit = ss->bounded ? ss->initial : INT32_MAX;
    int32_t count = atomic_load_explicit(&ss->count, memory_order_relaxed);
    do {
        if (count >= limit)
            return MPR_ERR_VALUE;
    } while (!atomic_compare_exchange_weak_explicit(&ss->count, &count, count + 1,
                                                    memory_order_release, memory_order_relaxed));
    mpr__waitpoint_signal(&ss->available, 1);
    return MPR_SUCCESS;
}

int mpr_semaphore_release(mpr_semaphore s)
{
    int rc = check_semaphore(s);
    if (rc != MPR_SUCCESS)
        return rc;
    if (s->obj.remote)
        return mpr__obj_remote_call(&s->obj, MPR__OBJW_SEM_RELEASE, 0, NULL, 0, NULL, 0, NULL);
    return semaphore_release(s);
}

int mpr_semaphore_value(mpr_semaphore s, int *value)
{
    int rc = check_semaphore(s);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!value)
        return MPR_ERR_ARG;
    if (s->obj.remote) {
        int64_t v;
        rc = mpr__obj_remote_call(&s->obj, MPR__OBJW_SEM_VALUE, 0, NULL, 0, NULL, 0, &v);
        if (rc == MPR_SUCCESS)
            *value = (int)v;
        return rc;
    }
    *value = atomic_load_explicit(&s->state->count, memory_order_relaxed);
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_semaphore(void *handle, const struct mpr__objw_req *req, const void *in,
                           void *out, size_t out_cap, struct mpr__objw_rep *rep,
                           const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    struct mpr_semaphore *s = handle;
    switch (req->op) {
    case MPR__OBJW_SEM_ACQUIRE:
        return mpr__obj_wait(&s->obj, &s->state->available, attempt_acquire, s->state,
                             MPR_ERR_BUSY, mpr__objw_timeout_seconds(req->timeout_ns), w);
    case MPR__OBJW_SEM_RELEASE:
        return semaphore_release(s);
    case MPR__OBJW_SEM_VALUE:
        rep->value = atomic_load_explicit(&s->state->count, memory_order_relaxed);
        return MPR_SUCCESS;
    default:
        return MPR_ERR_ARG;
    }
}
