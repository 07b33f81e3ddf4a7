/*
 * wait.h - the one way a rank waits: for a message, a collective's step or
 * a shared object. See wait.c for the phases (spin, yield, sleep) and
 * README for the settings (MPR_SPIN, MPR_YIELDS).
 */
#ifndef MPR_WAIT_H
#define MPR_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/futex.h"

#define MPR__WAIT_LINE 64

/* What a wait's poll returns while what it waits for does not hold yet
 * (results are MPR_SUCCESS or negative MPR_ERR_* codes). */
#define MPR__PENDING 1

/*
 * A word in shared memory that the ranks changing some state bump when a
 * waiter may want to look again (a collective's segment, a shared object).
 * Waiters sleep on seq; sleepers counts them, so a writer pays for the
 * wake-up system call only when somebody sleeps.
 */
struct mpr__waitpoint {
    _Alignas(MPR__WAIT_LINE) _Atomic uint32_t seq;
    _Atomic uint32_t sleepers;
};

/* The caller has just changed the state: bump seq and wake up to count
 * sleepers, if any. Inline: collectives signal on every step. */
static inline void mpr__waitpoint_signal(struct mpr__waitpoint *wp, int count)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&wp->sleepers, memory_order_relaxed) == 0)
        return;
    atomic_fetch_add_explicit(&wp->seq, 1, memory_order_release);
    mpr__futex_wake(&wp->seq, count);
}

/* For a state that is seq itself (the caller changed seq): wake only. */
static inline void mpr__waitpoint_wake(struct mpr__waitpoint *wp, int count)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&wp->sleepers, memory_order_relaxed) != 0)
        mpr__futex_wake(&wp->seq, count);
}

struct mpr__wait {
    /* What is awaited: MPR__PENDING until it holds, then the wait's result. */
    int (*poll)(void *arg);
    void *arg;
    /* Only messages can make poll hold (point-to-point): the transports
     * are polled on every pass. Otherwise peers' stores in shared memory
     * do, and the transports are polled now and then only, to keep the
     * messages of peers that wait for this rank moving. */
    bool by_messages;
    /* Where peers signal (NULL: this rank's own doorbell and sockets, which
     * every transport rings when it hands this rank something). */
    struct mpr__waitpoint *wp;
    /* mpr_wtime() at which the wait ends with MPR_ERR_TIMEOUT (INFINITY:
     * never). */
    double deadline;
    /* Optional. After each liveness check (mpr__liveness_check, at most
     * every MPR__LIVENESS_INTERVAL_S): MPR_SUCCESS, or the error that ends
     * the wait because a peer it needs has ended. */
    int (*peers_ok)(void *arg);
    /* The waiter is not the rank's own thread (the object service): it
     * neither spins nor touches the transports or the peer table; between
     * sleeps it calls peers_ok only. */
    bool other_thread;
};

int mpr__wait(const struct mpr__wait *w);

/* Read MPR_SPIN and MPR_YIELDS (at mpr_init, once oversubscription is known). */
void mpr__wait_configure(void);

#endif /* MPR_WAIT_H */
