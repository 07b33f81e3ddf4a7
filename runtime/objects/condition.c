/*
 * condition.c - mpr_condition_*: a condition variable shared by the ranks
 * of a communicator, over one of its locks or rlocks (Python's Condition).
 *
 * Every rank of the communicator has a slot: a waitpoint of its own and a
 * word saying whether it waits (with a ticket, taken in the order the
 * waits began) or has been notified. A waiter registers while it holds
 * the lock, so a notifier (which must hold it too) sees every wait that
 * began before its notify; it marks the n oldest waiting slots notified
 * and wakes exactly those ranks. A waiter whose time runs out withdraws
 * with a CAS on its word: if a notify won that race the waiter keeps the
 * notification and returns success, so none is lost. Ranks of other hosts
 * have the home's service do the whole wait for them (it acts on the
 * home's handles of the condition and of its lock).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "objects/objects.h"

#define SLOT_IDLE 0u
#define SLOT_WAITING 1u /* | ticket << 2 */
#define SLOT_NOTIFIED 2u
#define SLOT_STATE_MASK 3u

struct cond_slot {
    struct mpr__waitpoint wake; /* this rank sleeps here */
    _Atomic uint64_t word;
};

struct cond_state {
    _Atomic uint64_t next_ticket;
    uint32_t nranks;
    _Alignas(MPR__OBJ_LINE) struct cond_slot slots[];
};

struct mpr_condition {
    struct mpr__obj obj;
    struct cond_state *state;
    mpr_lock lock;   /* exactly one of lock, rlock */
    mpr_rlock rlock;
    bool own_rlock;  /* made by mpr_condition_create, freed with it */
};

static int serve_condition(void *handle, const struct mpr__objw_req *req, const void *in,
                           void *out, size_t out_cap, struct mpr__objw_rep *rep,
                           const struct mpr__obj_waiter *w);

static void format_condition(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    struct cond_state *cs = state;
    atomic_init(&cs->next_ticket, 1);
    cs->nranks = *(const uint32_t *)arg;
    for (uint32_t r = 0; r < cs->nranks; r++) {
        atomic_init(&cs->slots[r].wake.seq, 0);
        atomic_init(&cs->slots[r].wake.sleepers, 0);
        atomic_init(&cs->slots[r].word, SLOT_IDLE);
    }
}

static int create_over(mpr_comm comm, mpr_lock lock, mpr_rlock rlock, mpr_condition *cond)
{
    struct mpr_condition *c = calloc(1, sizeof(*c));
    if (!c)
        return MPR_ERR_NO_MEM;
    c->lock = lock;
    c->rlock = rlock;
    uint32_t nranks = (uint32_t)comm->size;
    int rc = mpr__obj_create(comm, MPR__OBJ_CONDITION,
                             sizeof(struct cond_state) + nranks * sizeof(struct cond_slot),
                             format_condition, &nranks, &c->obj);
    if (rc != MPR_SUCCESS) {
        free(c);
        return rc;
    }
    c->state = c->obj.state;
    if (c->obj.service_id)
        mpr__obj_service_enable(c->obj.service_id, serve_condition, c);
    *cond = c;
    return MPR_SUCCESS;
}

int mpr_condition_create_lock(mpr_lock lock, mpr_condition *cond)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!lock || !cond)
        return MPR_ERR_ARG;
    return create_over(mpr__lock_obj(lock)->comm, lock, NULL, cond);
}

int mpr_condition_create_rlock(mpr_rlock rlock, mpr_condition *cond)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!rlock || !cond)
        return MPR_ERR_ARG;
    return create_over(mpr__rlock_obj(rlock)->comm, NULL, rlock, cond);
}

int mpr_condition_create(mpr_comm comm, mpr_condition *cond)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!cond)
        return MPR_ERR_ARG;
    mpr_rlock rlock;
    if ((rc = mpr_rlock_create(comm, &rlock)) != MPR_SUCCESS)
        return rc;
    if ((rc = create_over(comm, NULL, rlock, cond)) != MPR_SUCCESS) {
        mpr_rlock_free(&rlock);
        return rc;
    }
    (*cond)->own_rlock = true;
    return MPR_SUCCESS;
}

int mpr_condition_free(mpr_condition *cond)
{
    if (!cond || !*cond)
        return MPR_ERR_ARG;
    struct mpr_condition *c = *cond;
    int rc = mpr__obj_free(&c->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    if (c->own_rlock) {
        int lrc = mpr_rlock_free(&c->rlock);
        if (rc == MPR_SUCCESS)
            rc = lrc;
    }
    free(c);
    *cond = NULL;
    return rc;
}

static int check_condition(mpr_condition c)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return c ? MPR_SUCCESS : MPR_ERR_ARG;
}

int mpr_condition_acquire(mpr_condition c, double timeout)
{
    int rc = check_condition(c);
    if (rc != MPR_SUCCESS)
        return rc;
    return c->lock ? mpr_lock_acquire(c->lock, timeout) : mpr_rlock_acquire(c->rlock, timeout);
}

int mpr_condition_release(mpr_condition c)
{
    int rc = check_condition(c);
    if (rc != MPR_SUCCESS)
        return rc;
    return c->lock ? mpr_lock_release(c->lock) : mpr_rlock_release(c->rlock);
}

/* ---- the lock, for the rank `rank` of the communicator ------------------- */

static int32_t world_of(const struct mpr_condition *c, int32_t rank)
{
    return (int32_t)mpr__world_rank(c->obj.comm, rank);
}

static bool lock_held_by(const struct mpr_condition *c, int32_t rank)
{
    return c->lock ? mpr__lock_held_by(c->lock, rank)
                   : mpr__rlock_held_by(c->rlock, world_of(c, rank));
}

static int lock_release_for_wait(struct mpr_condition *c, int32_t rank, uint32_t *saved)
{
    *saved = 1;
    return c->lock ? mpr__lock_release_as(c->lock, rank)
                   : mpr__rlock_release_all(c->rlock, world_of(c, rank), saved);
}

static int lock_take_back(struct mpr_condition *c, int32_t rank, uint32_t saved,
                          const struct mpr__obj_waiter *w)
{
    return c->lock ? mpr__lock_acquire_as(c->lock, rank, MPR_WAIT_FOREVER, w)
                   : mpr__rlock_acquire_count(c->rlock, world_of(c, rank), saved,
                                              MPR_WAIT_FOREVER, w);
}

/* ---- waiting and notifying ------------------------------------------------ */

static int attempt_notified(void *arg)
{
    struct cond_slot *slot = arg;
    if (atomic_load_explicit(&slot->word, memory_order_acquire) != SLOT_NOTIFIED)
        return MPR_ERR_TIMEOUT;
    atomic_store_explicit(&slot->word, SLOT_IDLE, memory_order_relaxed);
    return MPR_SUCCESS;
}

static int cond_wait(struct mpr_condition *c, int32_t rank, double timeout,
                     const struct mpr__obj_waiter *w)
{
    if (!lock_held_by(c, rank))
        return MPR_ERR_NOT_OWNER;
    struct cond_slot *slot = &c->state->slots[rank];
    uint64_t ticket = atomic_fetch_add(&c->state->next_ticket, 1);
    uint64_t waiting = ticket << 2 | SLOT_WAITING;
    atomic_store(&slot->word, waiting);
    uint32_t saved;
    int rc = lock_release_for_wait(c, rank, &saved);
    if (rc != MPR_SUCCESS) {
        atomic_store(&slot->word, SLOT_IDLE);
        return rc;
    }
    rc = mpr__obj_wait(&c->obj, &slot->wake, attempt_notified, slot, MPR_ERR_TIMEOUT, timeout, w);
    if (rc != MPR_SUCCESS && !atomic_compare_exchange_strong(&slot->word, &waiting, SLOT_IDLE)) {
        /* notified as the wait ended: keep the notification */
        atomic_store(&slot->word, SLOT_IDLE);
        if (rc == MPR_ERR_TIMEOUT)
            rc = MPR_SUCCESS;
    }
    int lrc = lock_take_back(c, rank, saved, w);
    return lrc != MPR_SUCCESS ? lrc : rc;
}

/* The waiting slot with the oldest ticket, or -1. */
static int oldest_waiting(const struct cond_state *cs, uint64_t *word)
{
    int found = -1;
    for (uint32_t r = 0; r < cs->nranks; r++) {
        uint64_t v = atomic_load_explicit(&cs->slots[r].word, memory_order_acquire);
        if ((v & SLOT_STATE_MASK) == SLOT_WAITING && (found < 0 || v < *word)) {
            found = (int)r;
            *word = v;
        }
    }
    return found;
}

static bool notify_slot(struct cond_slot *slot, uint64_t waiting)
{
    if (!atomic_compare_exchange_strong(&slot->word, &waiting, SLOT_NOTIFIED))
        return false; /* it withdrew (timed out) */
    mpr__waitpoint_signal(&slot->wake, 1);
    return true;
}

static int cond_notify(struct mpr_condition *c, int32_t rank, int n)
{
    if (!lock_held_by(c, rank))
        return MPR_ERR_NOT_OWNER;
    struct cond_state *cs = c->state;
    if (n == INT_MAX) {
        for (uint32_t r = 0; r < cs->nranks; r++) {
            uint64_t v = atomic_load_explicit(&cs->slots[r].word, memory_order_acquire);
            if ((v & SLOT_STATE_MASK) == SLOT_WAITING)
                notify_slot(&cs->slots[r], v);
        }
        return MPR_SUCCESS;
    }
    while (n > 0) {
        uint64_t v = 0;
        int r = oldest_waiting(cs, &v);
        if (r < 0)
            break;
        if (notify_slot(&cs->slots[r], v))
            n--;
    }
    return MPR_SUCCESS;
}

int mpr_condition_wait(mpr_condition c, double timeout)
{
    int rc = check_condition(c);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (c->obj.remote)
        return mpr__obj_remote_call_arg(&c->obj, MPR__OBJW_COND_WAIT, timeout, 0, NULL, NULL);
    return cond_wait(c, c->obj.comm->rank, timeout, NULL);
}

int mpr_condition_notify(mpr_condition c, int n)
{
    int rc = check_condition(c);
    if (rc != MPR_SUCCESS)
        return rc;
    if (n < 1)
        return MPR_ERR_ARG;
    if (c->obj.remote)
        return mpr__obj_remote_call_arg(&c->obj, MPR__OBJW_COND_NOTIFY, 0, (uint64_t)n, NULL, NULL);
    return cond_notify(c, c->obj.comm->rank, n);
}

int mpr_condition_notify_all(mpr_condition c)
{
    return mpr_condition_notify(c, INT_MAX);
}

/* Does this rank hold the condition's lock? (Asks the home across hosts.) */
static int held_here(struct mpr_condition *c, bool *held)
{
    int owner;
    int rc;
    if (c->lock) {
        rc = mpr_lock_owner(c->lock, &owner);
        *held = rc == MPR_SUCCESS && owner == c->obj.comm->rank;
    } else {
        rc = mpr_rlock_owner(c->rlock, &owner, NULL);
        *held = rc == MPR_SUCCESS && owner == mpr__g.rank;
    }
    return rc;
}

int mpr_condition_wait_for(mpr_condition c, int (*predicate)(void *arg), void *arg,
                           double timeout)
{
    int rc = check_condition(c);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!predicate || (rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return MPR_ERR_ARG;
    bool held;
    if ((rc = held_here(c, &held)) != MPR_SUCCESS)
        return rc;
    if (!held)
        return MPR_ERR_NOT_OWNER;
    double deadline = timeout < 0 ? INFINITY : mpr_wtime() + timeout;
    while (!predicate(arg)) {
        double left = -1;
        if (timeout >= 0) {
            left = deadline - mpr_wtime();
            if (left <= 0)
                return MPR_ERR_TIMEOUT;
        }
        rc = mpr_condition_wait(c, left);
        if (rc != MPR_SUCCESS && rc != MPR_ERR_TIMEOUT)
            return rc;
    }
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_condition(void *handle, const struct mpr__objw_req *req, const void *in,
                           void *out, size_t out_cap, struct mpr__objw_rep *rep,
                           const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    (void)rep;
    struct mpr_condition *c = handle;
    switch (req->op) {
    case MPR__OBJW_COND_WAIT:
        return cond_wait(c, (int32_t)req->rank, mpr__objw_timeout_seconds(req->timeout_ns), w);
    case MPR__OBJW_COND_NOTIFY:
        return cond_notify(c, (int32_t)req->rank, (int)req->arg);
    default:
        return MPR_ERR_ARG;
    }
}
