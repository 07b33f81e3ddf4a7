/*
 * wait.c - the one wait of the runtime (wait.h), for messages, collectives
 * and shared objects alike.
 *
 * A wait first polls (a message or a peer's store often lands within
 * microseconds), then yields the core a few times (when ranks share cores,
 * the one it waits for likely waits for that core), then sleeps:
 *
 *   spin   MPR_SPIN passes (100000; 10 when ranks outnumber cores)
 *   yield  MPR_YIELDS sched_yield calls (4; 100 when oversubscribed)
 *   sleep  on the waitpoint's word or, for messages, this rank's doorbell
 *          or sockets, woken by whoever hands it something
 *
 * Before sleeping a rank arms the transports (peers that hand it something
 * from then on wake it), then polls once more, so nothing slips between
 * the last look and the sleep. One transport sleeps: the last in use that
 * can (TCP's epoll when there are other hosts, else the shared-memory
 * futex). What it cannot hear bounds the sleep: TCP does not hear the
 * shm doorbell, so beside shm peers it sleeps MIXED_SLEEP_MS at most; a
 * waitpoint sleeper that does not hear messages (no futex_waitv, or TCP
 * peers) starts with 1 ms slices and doubles them while nothing happens,
 * up to SLEEP_MAX_MS. Every SLEEP_MAX_MS at most a sleeper checks who is
 * gone (liveness.c). A message sleeper woken by traffic spins again; woken
 * by the clock alone it goes straight back to sleep. A waitpoint sleeper
 * always goes back to sleep, with 1 ms slices again after a ring: the next
 * step of a collective or an object is usually another peer's, and
 * spinning would take the core from it when ranks share cores.
 */
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "core/cpu_relax.h"
#include "core/futex.h"
#include "core/env.h"
#include "core/mpr_internal.h"

#define SLEEP_MAX_MS 100      /* longest sleep; liveness is checked at least this often */
#define MIXED_SLEEP_MS 1      /* longest sleep of a transport that does not hear another in use */
#define PROGRESS_EVERY 32     /* spins between two polls of the transports (not by_messages) */
#define SPIN_DEFAULT 100000u
#define SPIN_OVERSUBSCRIBED 10u
#define YIELDS_DEFAULT 4u
#define YIELDS_OVERSUBSCRIBED 100u
#define OTHER_THREAD_SLICE_MS 50 /* how often the object service asks after its client */

void mpr__wait_configure(void)
{
    /* checked at the start (mpr__env_check_all): these cannot fail */
    long long v;
    mpr__env_number("MPR_SPIN", mpr__g.oversubscribed ? SPIN_OVERSUBSCRIBED : SPIN_DEFAULT, &v);
    mpr__g.spin_polls = (unsigned)v;
    mpr__env_number("MPR_YIELDS", mpr__g.oversubscribed ? YIELDS_OVERSUBSCRIBED : YIELDS_DEFAULT,
                    &v);
    mpr__g.sleep_yields = (unsigned)v;
}

static long ns_until(double deadline, long cap_ns)
{
    if (isinf(deadline))
        return cap_ns;
    double left = (deadline - mpr_wtime()) * 1e9;
    return left < (double)cap_ns ? (long)left + 1 : cap_ns;
}

static int spin_then_yield(const struct mpr__wait *w)
{
    bool timed = !isinf(w->deadline);
    int rc;
    for (unsigned i = 1; i <= mpr__g.spin_polls; i++) {
        if (w->by_messages || i % PROGRESS_EVERY == 0)
            mpr__progress();
        if ((rc = w->poll(w->arg)) != MPR__PENDING)
            return rc;
        mpr__cpu_relax();
        if (timed && (i & 1023) == 0 && mpr_wtime() >= w->deadline)
            return MPR_ERR_TIMEOUT;
    }
    for (unsigned i = 0; i < mpr__g.sleep_yields; i++) {
        sched_yield();
        mpr__progress();
        if ((rc = w->poll(w->arg)) != MPR__PENDING)
            return rc;
        if (timed && mpr_wtime() >= w->deadline)
            return MPR_ERR_TIMEOUT;
    }
    return MPR__PENDING;
}

/* Which transport sleeps: the last in use that can (TCP beside shm). Sets
 * *unheard when another could have: the sleeper does not hear that one. */
static int sleeper(bool *unheard)
{
    int s = -1, able = 0;
    for (int i = 0; i < mpr__g.ntps; i++) {
        if (mpr__g.tps[i]->sleep) {
            s = i;
            able++;
        }
    }
    *unheard = able > 1;
    return s;
}

/* One sleep of at most timeout_ns. Returns true when something may have
 * happened (a ring, an event), false when only the clock rang; *rc is
 * poll's answer if it settled while arming. */
static bool sleep_once(const struct mpr__wait *w, long timeout_ns, int *rc)
{
    _Atomic uint32_t *word = w->wp ? &w->wp->seq : NULL;
    uint32_t seen = 0;
    if (word) {
        seen = atomic_load_explicit(word, memory_order_acquire);
        atomic_fetch_add_explicit(&w->wp->sleepers, 1, memory_order_seq_cst);
        atomic_thread_fence(memory_order_seq_cst);
    }
    uint32_t token[MPR__TRANSPORTS_MAX] = { 0 };
    for (int i = 0; i < mpr__g.ntps; i++)
        if (mpr__g.tps[i]->arm)
            token[i] = mpr__g.tps[i]->arm();

    bool woken = true;
    int events = mpr__progress();
    *rc = w->poll(w->arg);
    if (events == 0 && *rc == MPR__PENDING) {
        bool unheard;
        int slept = -1, s = sleeper(&unheard);
        if (s >= 0) {
            if (unheard && !word && timeout_ns > MIXED_SLEEP_MS * 1000000L)
                timeout_ns = MIXED_SLEEP_MS * 1000000L;
            slept = mpr__g.tps[s]->sleep(token[s], word, seen, timeout_ns);
        }
        if (slept < 0 && word) {
            mpr__futex_wait(word, seen, timeout_ns);
            slept = atomic_load_explicit(word, memory_order_relaxed) != seen;
        } else if (slept < 0) {
            struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };
            nanosleep(&ts, NULL);
            slept = 0;
        }
        woken = slept > 0;
    }
    for (int i = 0; i < mpr__g.ntps; i++)
        if (mpr__g.tps[i]->disarm)
            mpr__g.tps[i]->disarm();
    if (word)
        atomic_fetch_sub_explicit(&w->wp->sleepers, 1, memory_order_relaxed);
    return woken;
}

/* The object service's thread acting for a rank of another host: it may
 * not touch the rank's single-threaded state, so it only sleeps on the
 * word and asks peers_ok between sleeps. */
static int wait_other_thread(const struct mpr__wait *w)
{
    _Atomic uint32_t *word = &w->wp->seq;
    for (;;) {
        uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
        atomic_fetch_add_explicit(&w->wp->sleepers, 1, memory_order_seq_cst);
        atomic_thread_fence(memory_order_seq_cst);
        int rc = w->poll(w->arg);
        if (rc == MPR__PENDING && mpr_wtime() < w->deadline)
            mpr__futex_wait(word, seen, ns_until(w->deadline, OTHER_THREAD_SLICE_MS * 1000000L));
        atomic_fetch_sub_explicit(&w->wp->sleepers, 1, memory_order_relaxed);
        if (rc != MPR__PENDING || (rc = w->poll(w->arg)) != MPR__PENDING)
            return rc;
        if (mpr_wtime() >= w->deadline)
            return MPR_ERR_TIMEOUT;
        if (w->peers_ok && (rc = w->peers_ok(w->arg)) != MPR_SUCCESS)
            return rc;
    }
}

int mpr__wait(const struct mpr__wait *w)
{
    int rc = w->poll(w->arg);
    if (rc != MPR__PENDING)
        return rc;
    if (w->other_thread)
        return wait_other_thread(w);
    bool spin = true;
    long slice_ms = w->wp ? 1 : SLEEP_MAX_MS;
    for (;;) {
        if (spin && (rc = spin_then_yield(w)) != MPR__PENDING)
            return rc;
        if (mpr__liveness_due()) {
            mpr__liveness_check(); /* may fail what is awaited */
            if ((rc = w->poll(w->arg)) != MPR__PENDING)
                return rc;
            if (w->peers_ok && (rc = w->peers_ok(w->arg)) != MPR_SUCCESS)
                return rc;
        }
        if (mpr_wtime() >= w->deadline)
            return MPR_ERR_TIMEOUT;
        bool woken = sleep_once(w, ns_until(w->deadline, slice_ms * 1000000L), &rc);
        if (rc != MPR__PENDING || (rc = w->poll(w->arg)) != MPR__PENDING)
            return rc;
        int events = mpr__progress();
        if ((rc = w->poll(w->arg)) != MPR__PENDING)
            return rc;
        bool traffic = woken || events > 0;
        spin = traffic && w->by_messages;
        if (w->wp)
            slice_ms = traffic ? 1 : slice_ms * 2 > SLEEP_MAX_MS ? SLEEP_MAX_MS : slice_ms * 2;
    }
}
