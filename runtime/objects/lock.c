/*
 * lock.c - mpr_lock_*: a lock shared by the ranks of a communicator that
 * knows which rank holds it, so only that rank may release it.
 *
 * The owner word is -1 when free, else the holder's rank in the lock's
 * communicator; acquiring is a CAS from -1. Waiters sleep on `released`,
 * which each release signals for one sleeper. A holder that dies leaves the
 * lock taken; its waiters then return MPR_ERR_PROC_FAILED (see objects.c).
 */
#include <stdlib.h>

#include "objects/objects.h"

#define LOCK_FREE (-1)

struct lock_state {
    struct mpr__waitpoint released;
    _Alignas(MPR__OBJ_LINE) _Atomic int32_t owner;
};

struct mpr_lock {
    struct mpr__obj obj;
    struct lock_state *state;
};

static int serve_lock(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

static void format_lock(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    (void)arg;
    struct lock_state *ls = state;
    atomic_init(&ls->released.seq, 0);
    atomic_init(&ls->released.sleepers, 0);
    atomic_init(&ls->owner, LOCK_FREE);
}

int mpr_lock_create(mpr_comm comm, mpr_lock *lock)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!lock)
        return MPR_ERR_ARG;
    struct mpr_lock *l = calloc(1, sizeof(*l));
    if (!l)
        return MPR_ERR_NO_MEM;
    rc = mpr__obj_create(comm, MPR__OBJ_LOCK, sizeof(struct lock_state), format_lock, NULL, &l->obj);
    if (rc != MPR_SUCCESS) {
        free(l);
        return rc;
    }
    l->state = l->obj.state;
    if (l->obj.service_id)
        mpr__obj_service_enable(l->obj.service_id, serve_lock, l);
    *lock = l;
    return MPR_SUCCESS;
}

int mpr_lock_free(mpr_lock *lock)
{
    if (!lock || !*lock)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*lock)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*lock);
    *lock = NULL;
    return rc;
}

static int check_lock(mpr_lock l)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return l ? MPR_SUCCESS : MPR_ERR_ARG;
}

struct acquire_attempt {
    struct lock_state *state;
    int32_t me;
};

static int attempt_acquire(void *arg)
{
    struct acquire_attempt *a = arg;
    int32_t expected = LOCK_FREE;
    if (atomic_load_explicit(&a->state->owner, memory_order_relaxed) == LOCK_FREE &&
        atomic_compare_exchange_strong_explicit(&a->state->owner, &expected, a->me,
                                                memory_order_acquire, memory_order_relaxed))
        return MPR_SUCCESS;
    return MPR_ERR_BUSY;
}

/* `me`: the caller's rank in the lock's communicator. */
static int lock_acquire(struct mpr_lock *l, int32_t me, double timeout,
                        const struct mpr__obj_waiter *w)
{
    struct acquire_attempt a = { l->state, me };
    if (atomic_load_explicit(&l->state->owner, memory_order_relaxed) == a.me)
        return MPR_ERR_DEADLOCK;
    return mpr__obj_wait(&l->obj, &l->state->released, attempt_acquire, &a, MPR_ERR_BUSY, timeout,
                         w);
}

int mpr_lock_acquire(mpr_lock l, double timeout)
{
    int rc = check_lock(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (l->obj.remote)
        return mpr__obj_remote_call(&l->obj, MPR__OBJW_LOCK_ACQUIRE, timeout, NULL, 0, NULL, 0, NULL);
    return lock_acquire(l, l->obj.comm->rank, timeout, NULL);
}

int mpr__lock_acquire_as(mpr_lock l, int32_t rank, double timeout,
                         const struct mpr__obj_waiter *w)
{
    return lock_acquire(l, rank, timeout, w);
}

bool mpr__lock_held_by(mpr_lock l, int32_t rank)
{
    return atomic_load_explicit(&l->state->owner, memory_order_relaxed) == rank;
}

const struct mpr__obj *mpr__lock_obj(mpr_lock l)
{
    return &l->obj;
}

int mpr_lock_try_acquire(mpr_lock l)
{
    return mpr_lock_acquire(l, MPR_NO_WAIT);
}

static int lock_release(struct mpr_lock *l, int32_t me)
{
    int32_t expected = me;
    if (!atomic_compare_exchange_strong_explicit(&l->state->owner, &expected, LOCK_FREE,
                                                 memory_order_release, memory_order_relaxed))
        return MPR_ERR_NOT_OWNER;
    mpr__waitpoint_signal(&l->state->released, 1);
    return MPR_SUCCESS;
}

int mpr__lock_release_as(mpr_lock l, int32_t rank)
{
    return lock_release(l, rank);
}

int mpr_lock_release(mpr_lock l)
{
    int rc = check_lock(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (l->obj.remote)
        return mpr__obj_remote_call(&l->obj, MPR__OBJW_LOCK_RELEASE, 0, NULL, 0, NULL, 0, NULL);
    return lock_release(l, l->obj.comm->rank);
}

int mpr_lock_owner(mpr_lock l, int *rank)
{
    int rc = check_lock(l);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!rank)
        return MPR_ERR_ARG;
    if (l->obj.remote) {
        int64_t v;
        rc = mpr__obj_remote_call(&l->obj, MPR__OBJW_LOCK_OWNER, 0, NULL, 0, NULL, 0, &v);
        if (rc == MPR_SUCCESS)
            *rank = (int)v;
        return rc;
    }
    *rank = atomic_load_explicit(&l->state->owner, memory_order_relaxed);
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_lock(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                      size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    struct mpr_lock *l = handle;
    switch (req->op) {
    case MPR__OBJW_LOCK_ACQUIRE:
        return lock_acquire(l, (int32_t)req->rank, mpr__objw_timeout_seconds(req->timeout_ns), w);
    case MPR__OBJW_LOCK_RELEASE:
        return lock_release(l, (int32_t)req->rank);
    case MPR__OBJW_LOCK_OWNER:
        rep->value = atomic_load_explicit(&l->state->owner, memory_order_relaxed);
        return MPR_SUCCESS;
    default:
        return MPR_ERR_ARG;
    }
}
