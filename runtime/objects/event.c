/*
 * event.c - mpr_event_*: a flag shared by the ranks of a communicator that
 * they can wait for (Python's Event).
 *
 * The flag and a generation count share one word, the waitpoint's futex
 * word: bit 0 is the flag, the bits above count the sets. A set changes
 * both in one CAS, so a waiter returns when the flag is set *or* a set
 * happened since it began waiting (a set followed at once by a clear still
 * releases everyone who was waiting), and never because of a set that
 * came before its wait.
 */
#include <limits.h>
#include <stdlib.h>

#include "objects/objects.h"

#define EVENT_FLAG 1u
#define EVENT_GENERATION 2u /* one set */

struct event_state {
    struct mpr__waitpoint changed; /* seq: generation << 1 | flag */
};

struct mpr_event {
    struct mpr__obj obj;
    struct event_state *state;
};

static int serve_event(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w);

static void format_event(void *state, size_t state_bytes, const void *arg)
{
    (void)state_bytes;
    (void)arg;
    struct event_state *es = state;
    atomic_init(&es->changed.seq, 0);
    atomic_init(&es->changed.sleepers, 0);
}

int mpr_event_create(mpr_comm comm, mpr_event *event)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!event)
        return MPR_ERR_ARG;
    struct mpr_event *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return MPR_ERR_NO_MEM;
    rc = mpr__obj_create(comm, MPR__OBJ_EVENT, sizeof(struct event_state), format_event, NULL,
                         &ev->obj);
    if (rc != MPR_SUCCESS) {
        free(ev);
        return rc;
    }
    ev->state = ev->obj.state;
    if (ev->obj.service_id)
        mpr__obj_service_enable(ev->obj.service_id, serve_event, ev);
    *event = ev;
    return MPR_SUCCESS;
}

int mpr_event_free(mpr_event *event)
{
    if (!event || !*event)
        return MPR_ERR_ARG;
    int rc = mpr__obj_free(&(*event)->obj);
    if (rc == MPR_ERR_COLL_MISMATCH)
        return rc; /* not freed: the handle stays valid */
    free(*event);
    *event = NULL;
    return rc;
}

static int check_event(mpr_event ev)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    return ev ? MPR_SUCCESS : MPR_ERR_ARG;
}

static int event_set(struct mpr_event *ev)
{
    _Atomic uint32_t *word = &ev->state->changed.seq;
    uint32_t old = atomic_load_explicit(word, memory_order_relaxed);
    do {
        if (old & EVENT_FLAG)
            return MPR_SUCCESS; /* whoever set it released the waiters */
    } while (!atomic_compare_exchange_weak_explicit(word, &old, (old + EVENT_GENERATION) | EVENT_FLAG,
                                                    memory_order_seq_cst, memory_order_relaxed));
    mpr__waitpoint_wake(&ev->state->changed, INT_MAX);
    return MPR_SUCCESS;
}

int mpr_event_set(mpr_event ev)
{
    int rc = check_event(ev);
    if (rc != MPR_SUCCESS)
        return rc;
    if (ev->obj.remote)
        return mpr__obj_remote_call(&ev->obj, MPR__OBJW_EVENT_SET, 0, NULL, 0, NULL, 0, NULL);
    return event_set(ev);
}

int mpr_event_clear(mpr_event ev)
{
    int rc = check_event(ev);
    if (rc != MPR_SUCCESS)
        return rc;
    if (ev->obj.remote)
        return mpr__obj_remote_call(&ev->obj, MPR__OBJW_EVENT_CLEAR, 0, NULL, 0, NULL, 0, NULL);
    atomic_fetch_and_explicit(&ev->state->changed.seq, ~EVENT_FLAG, memory_order_seq_cst);
    return MPR_SUCCESS;
}

static int event_is_set(struct mpr_event *ev)
{
    return (atomic_load_explicit(&ev->state->changed.seq, memory_order_acquire) & EVENT_FLAG) != 0;
}

int mpr_event_is_set(mpr_event ev, int *flag)
{
    int rc = check_event(ev);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!flag)
        return MPR_ERR_ARG;
    if (ev->obj.remote) {
        int64_t value;
        rc = mpr__obj_remote_call(&ev->obj, MPR__OBJW_EVENT_IS_SET, 0, NULL, 0, NULL, 0, &value);
        if (rc == MPR_SUCCESS)
            *flag = (int)value;
        return rc;
    }
    *flag = event_is_set(ev);
    return MPR_SUCCESS;
}

struct wait_attempt {
    struct event_state *state;
    uint32_t generation; /* when the wait began */
};

static int attempt_wait(void *arg)
{
    struct wait_attempt *a = arg;
    uint32_t word = atomic_load_explicit(&a->state->changed.seq, memory_order_acquire);
    if ((word & EVENT_FLAG) || (word & ~EVENT_FLAG) != a->generation)
        return MPR_SUCCESS;
    return MPR_ERR_TIMEOUT;
}

static int event_wait(struct mpr_event *ev, double timeout, const struct mpr__obj_waiter *w)
{
    uint32_t word = atomic_load_explicit(&ev->state->changed.seq, memory_order_acquire);
    struct wait_attempt a = { ev->state, word & ~EVENT_FLAG };
    return mpr__obj_wait(&ev->obj, &ev->state->changed, attempt_wait, &a, MPR_ERR_TIMEOUT, timeout,
                         w);
}

int mpr_event_wait(mpr_event ev, double timeout)
{
    int rc = check_event(ev);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__obj_check_timeout(timeout)) != MPR_SUCCESS)
        return rc;
    if (ev->obj.remote)
        return mpr__obj_remote_call(&ev->obj, MPR__OBJW_EVENT_WAIT, timeout, NULL, 0, NULL, 0, NULL);
    return event_wait(ev, timeout, NULL);
}

/* ---- for ranks of other hosts (objects_service.c) ----------------------- */

static int serve_event(void *handle, const struct mpr__objw_req *req, const void *in, void *out,
                       size_t out_cap, struct mpr__objw_rep *rep, const struct mpr__obj_waiter *w)
{
    (void)in;
    (void)out;
    (void)out_cap;
    struct mpr_event *ev = handle;
    switch (req->op) {
    case MPR__OBJW_EVENT_SET:
        return event_set(ev);
    case MPR__OBJW_EVENT_CLEAR:
        atomic_fetch_and_explicit(&ev->state->changed.seq, ~EVENT_FLAG, memory_order_seq_cst);
        return MPR_SUCCESS;
    case MPR__OBJW_EVENT_IS_SET:
        rep->value = event_is_set(ev);
        return MPR_SUCCESS;
    case MPR__OBJW_EVENT_WAIT:
        return event_wait(ev, mpr__objw_timeout_seconds(req->timeout_ns), w);
    default:
        return MPR_ERR_ARG;
    }
}
