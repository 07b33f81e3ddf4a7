/*
 * barrier.c - mpr_barrier_object_*: a reusable barrier for `parties` ranks
 * of a communicator that can time out, be aborted and be reset (Python's
 * Barrier).
 *
 * The whole state is one 64-bit word changed by CAS: the round's
 * generation, its phase and the count of ranks inside it. The arrival that
 * completes a round starts the next one at once (generation + 1, count 0),
 * so a rank that comes straight back counts for the new round, and the
 * waiters of the old one see their round over by its generation alone.
 *
 * Breaking (a timeout, abort) and resetting keep the generation and the
 * count: each waiter of the round leaves by taking one from the count, and
 * the last to leave a resetting round makes the barrier fresh (next
 * generation). So the generation moves while a rank waits only when its
 * round completed, and a waiter can never mistake a reset for success.
 * Arrivals wait while a reset is in progress.
 */
#include <limits.h>
#include <stdlib.h>

#include "objects/objects.h"

#define COUNT_BITS 24
#define COUNT_MASK ((1ull << COUNT_BITS) - 1)
#define PHASE_SHIFT COUNT_BITS
#define PHASE_MASK (3ull << PHASE_SHIFT)
#define GEN_SHIFT 32
#define PARTIES_MAX ((int)COUNT_MASK)

enum phase { FILLING = 0, BROKEN = 1, RESETTING = 2 };

struct barrier_state {
    struct mpr__waitpoint changed;
    _Alignas(MPR__OBJ_LINE) _Atomic uint64_t word;
    int32_t parties;
};

struct mpr_barrier_object {
    struct mpr__obj obj;
    struct barrier_state *state;
};

static uint64_t count_of(uint64_t w) { return w & COUNT_MASK; }
static enum phase phase_of(uint64_t w) { return (enum phase)((w & PHASE_MASK) >> PHASE_SHIFT); }
static uint32_t gen_of(uint64_t w) { return (uint32_t)(w >> GEN_SHIFT); }

static uint64_t make_word(uint32_t gen, enum phase phase, uint64_t count)
{
    return (uint64_t)gen << GEN_SHIFT | (uint64_t)phase << PHASE_SHIFT | count;
}

static uint64_t fresh_round_after(uint64_t w)
{
    return make_word(gen_of(w) + 1, FILLING, 0);
}

static int serve_barrier(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                         size_t out_cap, struct mpr__objw_rep *rep,
                         const struct mpr__obj_waiter *w);

static void format_barrier(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    struct barrier_state *bs = state;
    atomic_init(&bs->changed.seq, 0);
    atomic_init(&bs->changed.sleepers, 0);
    atomic_init(&bs->word, make_word(0, FILLING, 0));
    bs->parties = *(const int *)arg;
}

int mpr_barrier_object_create(mpr_comm comm, int parties, mpr_barrier_object *barrier)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (!barrier || parties < 1 || parties > comm->size || parties > PARTIES_MAX)
        return MPR_ERR_ARG;
    struct mpr_barrier_object *b = calloc(1, sizeof(*b));
    if (!b)
        return MPR_ERR_NO_MEM;
    b->obj.capacity = (uint64_t)parties; /* what the home tells ranks of other hosts */
    rc = mpr__obj_create(comm, MPR__OBJ_BARRIER, sizeof(struct barrier_state), format_barrier,
                         &parties, &b->obj);
    if (rc != MPR_SUCCESS) {
        free(b);
        return rc;
    }
    b->state = b->obj.state;
    if (b->state)
        b->obj.capacity = (uint64_t)b->state->parties;
    if (b->obj.service_id)
        mpr__obj_service_enable(b->obj.service_id, serve_barrier, b);
    *barrier = b;
    return MPR_SUCCESS;
}

int mpr_barrier_object_free(mpr_barrier_object *barrier)
{
    if (!barrier || !*barrier)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*barrier)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*barrier);
    *barrier = NULL;
    return rc;
}

static int check_barrier(mpr_barrier_object b)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return b ? MPR_SUCCESS : MPR_ERR_ARG;
}

static void wake_all(struct barrier_state *bs)
{
    mpr__waitpoint_signal(&bs->changed, INT_MAX);
}

/* ---- waiting -------------------------------------------------------------- */

struct wait_attempt {
    struct barrier_state *state;
    uint32_t gen; /* the round this rank arrived in */
    int index;
    bool completed; /* this arrival was the round's last */
};

/* Arrive, unless broken; not ready (MPR_ERR_BUSY) while a reset is in
 * progress. */
static int attempt_arrive(void *arg)
{
    struct wait_attempt *a = arg;
    struct barrier_state *bs = a->state;
    uint64_t w = atomic_load_explicit(&bs->word, memory_order_acquire);
    for (;;) {
        if (phase_of(w) == BROKEN)
            return MPR_ERR_BROKEN;
        if (phase_of(w) == RESETTING)
            return MPR_ERR_BUSY;
        uint64_t count = count_of(w);
        bool last = count + 1 == (uint64_t)bs->parties;
        uint64_t next = last ? fresh_round_after(w) : w + 1;
        if (atomic_compare_exchange_weak_explicit(&bs->word, &w, next, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            a->gen = gen_of(w);
            a->index = (int)count;
            a->completed = last;
            if (last)
                wake_all(bs);
            return MPR_SUCCESS;
        }
    }
}

/* Leave a broken or resetting round: the last to leave a resetting one
 * makes the barrier fresh. */
static void leave(struct barrier_state *bs, uint64_t w)
{
    for (;;) {
        uint64_t next = w - 1;
        if (phase_of(w) == RESETTING && count_of(w) == 1)
            next = fresh_round_after(w);
        if (atomic_compare_exchange_weak_explicit(&bs->word, &w, next, memory_order_acq_rel,
                                                  memory_order_acquire))
            break;
    }
    wake_all(bs);
}

static int attempt_round_over(void *arg)
{
    struct wait_attempt *a = arg;
    uint64_t w = atomic_load_explicit(&a->state->word, memory_order_acquire);
    if (gen_of(w) != a->gen)
        return MPR_SUCCESS;
    if (phase_of(w) != FILLING) {
        leave(a->state, w);
        return MPR_ERR_BROKEN;
    }
    return MPR_ERR_TIMEOUT;
}

/* The wait timed out: break the round for the others (unless it completed
 * or broke meanwhile) and leave. Returns what the waiter gets. */
static int give_up(struct wait_attempt *a)
{
    struct barrier_state *bs = a->state;
    uint64_t w = atomic_load_explicit(&bs->word, memory_order_acquire);
    for (;;) {
        if (gen_of(w) != a->gen)
            return MPR_SUCCESS; /* completed just now: nothing lost */
        if (phase_of(w) != FILLING) {
            leave(bs, w);
            return MPR_ERR_BROKEN;
        }
        uint64_t next = make_word(a->gen, BROKEN, count_of(w) - 1);
        if (atomic_compare_exchange_weak_explicit(&bs->word, &w, next, memory_order_acq_rel,
                                                  memory_order_acquire))
            break;
    }
    wake_all(bs);
    return MPR_ERR_TIMEOUT;
}

static int barrier_wait(struct mpr_barrier_object *b, double timeout,
                        const struct mpr__obj_waiter *w, int *index)
{
    struct wait_attempt a = { b->state, 0, 0, false };
    double deadline = timeout < 0 ? -1 : mpr_wtime() + timeout;
    int rc = mpr__obj_wait(&b->obj, &b->state->changed, attempt_arrive, &a, MPR_ERR_BUSY, timeout,
                           w);
    if (rc == MPR_ERR_BUSY)
        return MPR_ERR_TIMEOUT; /* a reset did not finish in time: not arrived */
    if (rc != MPR_SUCCESS)
        return rc; /* broken, or failed before arriving */
    if (a.completed) {
        *index = a.index;
        return MPR_SUCCESS;
    }
    double left = 0;
    if (timeout < 0)
        left = -1;
    else if (deadline > mpr_wtime())
        left = deadline - mpr_wtime();
    rc = mpr__obj_wait(&b->obj, &b->state->changed, attempt_round_over, &a, MPR_ERR_TIMEOUT, left,
                       w);
    /* A failure (a rank died) leaves the round as it is: the others see
     * the death themselves, rather than a broken barrier. */
    if (rc == MPR_ERR_TIMEOUT)
        rc = give_up(&a);
    if (rc == MPR_SUCCESS)
        *index = a.index;
    return rc;
}

int mpr_barrier_object_wait(mpr_barrier_object b, double timeout, int *index)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    int my_index = -1;
    if (b->obj.remote) {
        int64_t v = -1;
        rc = mpr__obj_remote_call_arg(&b->obj, MPR__OBJW_BARRIER_WAIT, timeout, 0, &v, NULL);
        my_index = (int)v;
    } else {
        rc = barrier_wait(b, timeout, NULL, &my_index);
    }
    if (rc == MPR_SUCCESS && index)
        *index = my_index;
    return rc;
}

/* ---- abort, reset, queries ------------------------------------------------- */

static void barrier_abort(struct barrier_state *bs)
{
    uint64_t w = atomic_load_explicit(&bs->word, memory_order_acquire);
    while (!atomic_compare_exchange_weak_explicit(&bs->word, &w,
                                                  make_word(gen_of(w), BROKEN, count_of(w)),
                                                  memory_order_acq_rel, memory_order_acquire))
        ;
    wake_all(bs);
}

static void barrier_reset(struct barrier_state *bs)
{
    uint64_t w = atomic_load_explicit(&bs->word, memory_order_acquire), next;
    do {
        next = count_of(w) == 0 ? fresh_round_after(w) : make_word(gen_of(w), RESETTING, count_of(w));
    } while (!atomic_compare_exchange_weak_explicit(&bs->word, &w, next, memory_order_acq_rel,
                                                    memory_order_acquire));
    wake_all(bs);
}

static void barrier_read(const struct barrier_state *bs, int64_t *n_waiting, uint64_t *broken)
{
    uint64_t w = atomic_load_explicit(&bs->word, memory_order_acquire);
    *n_waiting = phase_of(w) == FILLING ? (int64_t)count_of(w) : 0;
    *broken = phase_of(w) == BROKEN;
}

int mpr_barrier_object_abort(mpr_barrier_object b)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if (b->obj.remote)
        return mpr__obj_remote_call_arg(&b->obj, MPR__OBJW_BARRIER_ABORT, 0, 0, NULL, NULL);
    barrier_abort(b->state);
    return MPR_SUCCESS;
}

int mpr_barrier_object_reset(mpr_barrier_object b)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if (b->obj.remote)
        return mpr__obj_remote_call_arg(&b->obj, MPR__OBJW_BARRIER_RESET, 0, 0, NULL, NULL);
    barrier_reset(b->state);
    return MPR_SUCCESS;
}

static int barrier_query(struct mpr_barrier_object *b, int64_t *n_waiting, uint64_t *broken)
{
    if (b->obj.remote)
        return mpr__obj_remote_call_arg(&b->obj, MPR__OBJW_BARRIER_STATE, 0, 0, n_waiting, broken);
    barrier_read(b->state, n_waiting, broken);
    return MPR_SUCCESS;
}

int mpr_barrier_object_broken(mpr_barrier_object b, int *flag)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!flag)
        return MPR_ERR_ARG;
    int64_t n;
    uint64_t broken;
    if ((rc = barrier_query(b, &n, &broken)) == MPR_SUCCESS)
        *flag = broken != 0;
    return rc;
}

int mpr_barrier_object_n_waiting(mpr_barrier_object b, int *count)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!count)
        return MPR_ERR_ARG;
    int64_t n;
    uint64_t broken;
    if ((rc = barrier_query(b, &n, &broken)) == MPR_SUCCESS)
        *count = (int)n;
    return rc;
}

int mpr_barrier_object_parties(mpr_barrier_object b, int *parties)
{
    int rc = check_barrier(b);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!parties)
        return MPR_ERR_ARG;
    *parties = (int)b->obj.capacity;
    return MPR_SUCCESS;
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_barrier(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                         size_t out_cap, struct mpr__objw_rep *rep,
                         const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    struct mpr_barrier_object *b = handle;
    switch (req->op) {
    case MPR__OBJW_BARRIER_WAIT: {
        int index = 0;
        int rc = barrier_wait(b, mpr__objw_timeout_seconds(req->timeout_ns), w, &index);
        if (rc == MPR_SUCCESS)
            rep->value = index;
        return rc;
    }
    case MPR__OBJW_BARRIER_ABORT:
        barrier_abort(b->state);
        return MPR_SUCCESS;
    case MPR__OBJW_BARRIER_RESET:
        barrier_reset(b->state);
        return MPR_SUCCESS;
    case MPR__OBJW_BARRIER_STATE:
        barrier_read(b->state, &rep->value, &rep->extra);
        return MPR_SUCCESS;
    default:
        return MPR_ERR_ARG;
    }
}
