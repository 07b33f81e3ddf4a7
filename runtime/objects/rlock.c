/*
 * rlock.c - mpr_rlock_*: a recursive lock shared by the ranks of a
 * communicator (Python's RLock): its holder may take it again and must
 * release it as many times.
 *
 * The owner word is -1 when free, else the holder's world rank; taking a
 * free lock is a CAS from -1. The recursion count is touched only by the
 * holder (and read, approximately, by mpr_rlock_owner). Waiters sleep on
 * `released`, which the last release signals for one sleeper. A holder
 * that dies leaves the lock taken; its waiters then return
 * MPR_ERR_PROC_FAILED (see objects.c).
 */
#include <stdlib.h>

#include "objects/objects.h"

#define RLOCK_FREE (-1)

struct rlock_state {
    struct mpr__waitpoint released;
    _Alignas(MPR__OBJ_LINE) _Atomic int32_t owner; /* world rank */
    _Atomic uint32_t count;
};

struct mpr_rlock {
    struct mpr__obj obj;
    struct rlock_state *state;
};

static int serve_rlock(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

static void format_rlock(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    (void)arg;
    struct rlock_state *rs = state;
    atomic_init(&rs->released.seq, 0);
    atomic_init(&rs->released.sleepers, 0);
    atomic_init(&rs->owner, RLOCK_FREE);
    atomic_init(&rs->count, 0);
}

int mpr_rlock_create(mpr_comm comm, mpr_rlock *rlock)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!rlock)
        return MPR_ERR_ARG;
    struct mpr_rlock *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return MPR_ERR_NO_MEM;
    rc = mpr__obj_create(comm, MPR__OBJ_RLOCK, sizeof(struct rlock_state), format_rlock, NULL,
                         &rl->obj);
    if (rc != MPR_SUCCESS) {
        free(rl);
        return rc;
    }
    rl->state = rl->obj.state;
    if (rl->obj.service_id)
        mpr__obj_service_enable(rl->obj.service_id, serve_rlock, rl);
    *rlock = rl;
    return MPR_SUCCESS;
}

int mpr_rlock_free(mpr_rlock *rlock)
{
    if (!rlock || !*rlock)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*rlock)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*rlock);
    *rlock = NULL;
    return rc;
}

static int check_rlock(mpr_rlock rl)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return rl ? MPR_SUCCESS : MPR_ERR_ARG;
}

/* The world rank of the caller's rank `rank` in the rlock's communicator. */
static int32_t world_of(const struct mpr_rlock *rl, uint32_t rank)
{
    return (int32_t)mpr__world_rank(rl->obj.comm, (int)rank);
}

struct acquire_attempt {
    struct rlock_state *state;
    int32_t me;
    uint32_t count;
};

static int attempt_acquire(void *arg)
{
    struct acquire_attempt *a = arg;
    int32_t expected = RLOCK_FREE;
    if (atomic_load_explicit(&a->state->owner, memory_order_relaxed) == RLOCK_FREE &&
        atomic_compare_exchange_strong_explicit(&a->state->owner, &expected, a->me,
                                                memory_order_acquire, memory_order_relaxed)) {
        atomic_store_explicit(&a->state->count, a->count, memory_order_relaxed);
        return MPR_SUCCESS;
    }
    return MPR_ERR_BUSY;
}

bool mpr__rlock_held_by(mpr_rlock rl, int32_t world)
{
    return atomic_load_explicit(&rl->state->owner, memory_order_relaxed) == world;
}

const struct mpr__obj *mpr__rlock_obj(mpr_rlock rl)
{
    return &rl->obj;
}

int mpr__rlock_acquire_count(mpr_rlock rl, int32_t world, uint32_t count, double timeout,
                             const struct mpr__obj_waiter *w)
{
    if (mpr__rlock_held_by(rl, world)) {
        uint32_t n = atomic_load_explicit(&rl->state->count, memory_order_relaxed);
        if (n == UINT32_MAX || count != 1)
            return MPR_ERR_VALUE;
        atomic_store_explicit(&rl->state->count, n + 1, memory_order_relaxed);
        return MPR_SUCCESS;
    }
    struct acquire_attempt a = { rl->state, world, count };
    return mpr__obj_wait(&rl->obj, &rl->state->released, attempt_acquire, &a, MPR_ERR_BUSY,
                         timeout, w);
}

int mpr_rlock_acquire(mpr_rlock rl, double timeout)
{
    int rc = check_rlock(rl);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (rl->obj.remote)
        return mpr__obj_remote_call(&rl->obj, MPR__OBJW_RLOCK_ACQUIRE, timeout, NULL, 0, NULL, 0,
                                    NULL);
    return mpr__rlock_acquire_count(rl, mpr__g.rank, 1, timeout, NULL);
}

int mpr_rlock_try_acquire(mpr_rlock rl)
{
    return mpr_rlock_acquire(rl, MPR_NO_WAIT);
}

static void give_up(struct mpr_rlock *rl)
{
    atomic_store_explicit(&rl->state->count, 0, memory_order_relaxed);
    atomic_store_explicit(&rl->state->owner, RLOCK_FREE, memory_order_release);
    mpr__waitpoint_signal(&rl->state->released, 1);
}

static int rlock_release(struct mpr_rlock *rl, int32_t world)
{
    if (!mpr__rlock_held_by(rl, world))
        return MPR_ERR_NOT_OWNER;
    uint32_t n = atomic_load_explicit(&rl->state->count, memory_order_relaxed);
    if (n > 1)
        atomic_store_explicit(&rl->state->count, n - 1, memory_order_relaxed);
    else
        give_up(rl);
    return MPR_SUCCESS;
}

int mpr__rlock_release_all(mpr_rlock rl, int32_t world, uint32_t *count)
{
    if (!mpr__rlock_held_by(rl, world))
        return MPR_ERR_NOT_OWNER;
    *count = atomic_load_explicit(&rl->state->count, memory_order_relaxed);
    give_up(rl);
    return MPR_SUCCESS;
}

int mpr_rlock_release(mpr_rlock rl)
{
    int rc = check_rlock(rl);
    if (rc != MPR_SUCCESS)
        return rc;
    if (rl->obj.remote)
        return mpr__obj_remote_call(&rl->obj, MPR__OBJW_RLOCK_RELEASE, 0, NULL, 0, NULL, 0, NULL);
    return rlock_release(rl, mpr__g.rank);
}

static void read_owner(const struct mpr_rlock *rl, int64_t *owner, uint64_t *count)
{
    *owner = atomic_load_explicit(&rl->state->owner, memory_order_acquire);
    *count = *owner == RLOCK_FREE ? 0 : atomic_load_explicit(&rl->state->count,
                                                             memory_order_relaxed);
}

int mpr_rlock_owner(mpr_rlock rl, int *world_rank, unsigned *count)
{
    int rc = check_rlock(rl);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!world_rank)
        return MPR_ERR_ARG;
    int64_t owner;
    uint64_t n;
    if (rl->obj.remote) {
        rc = mpr__obj_remote_call_arg(&rl->obj, MPR__OBJW_RLOCK_OWNER, 0, 0, &owner, &n);
        if (rc != MPR_SUCCESS)
            return rc;
    } else {
        read_owner(rl, &owner, &n);
    }
    *world_rank = (int)owner;
    if (count)
        *count = (unsigned)n;
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_rlock(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    struct mpr_rlock *rl = handle;
    switch (req->op) {
    case MPR__OBJW_RLOCK_ACQUIRE:
        return mpr__rlock_acquire_count(rl, world_of(rl, req->rank), 1,
                                        mpr__objw_timeout_seconds(req->timeout_ns), w);
    case MPR__OBJW_RLOCK_RELEASE:
        return rlock_release(rl, world_of(rl, req->rank));
    case MPR__OBJW_RLOCK_OWNER: {
        uint64_t n;
        read_owner(rl, &rep->value, &n);
        rep->extra = n;
        return MPR_SUCCESS;
    }
    default:
        return MPR_ERR_ARG;
    }
}
