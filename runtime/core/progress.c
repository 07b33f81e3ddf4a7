/*
 * progress.c - the progress engine and the spin-then-sleep wait.
 *
 * Blocking calls poll every transport for a short while (a message often
 * arrives within microseconds), then announce that they sleep and block on
 * this rank's futex doorbell; a peer that hands this rank anything rings it.
 * With TCP peers the sleep is an epoll_wait on the sockets instead, bounded
 * to TCP_SHM_SLEEP_MS when there are shared-memory peers too (nothing waits
 * on a futex and sockets at once), so a rung doorbell is noticed that late
 * at worst. A sleeper woken by the clock alone sleeps again without
 * spinning. Oversubscribed ranks (more ranks than cores) hardly spin: they
 * yield the core (a rank that shares it likely holds what they wait for),
 * then sleep.
 */
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "core/mpr_internal.h"
#include "core/cpu_relax.h"

#define SLEEP_TIMEOUT_MS 100 /* longest sleep: then peers' liveness is checked again */
#define TCP_SHM_SLEEP_MS 1   /* longest epoll sleep when shm peers may ring the doorbell */
#define TCP_POLL_EVERY_SHM 8 /* with shm peers too, poll TCP once per this many passes */

void mpr__progress_configure(void)
{
    const char *env = getenv("MPR_SPIN");
    if (env) {
        mpr__g.spin_polls = (unsigned)strtoul(env, NULL, 10);
    } else {
        mpr__g.spin_polls = mpr__g.oversubscribed ? 10 : 100000;
    }
    env = getenv("MPR_YIELDS");
    mpr__g.sleep_yields = env ? (unsigned)strtoul(env, NULL, 10) : mpr__g.oversubscribed ? 50 : 2;
}

int mpr__progress(void)
{
    static unsigned polls;
    int events = 0;
    if (mpr__g.use_shm)
        events += mpr__shm_transport.progress();
    /* A TCP poll is a system call: beside shared memory (a few loads) it
     * runs only every TCP_POLL_EVERY_SHM passes, so shm latency stays low. */
    if (mpr__g.use_tcp && (!mpr__g.use_shm || ++polls % TCP_POLL_EVERY_SHM == 0))
        events += mpr__tcp_transport.progress();
    return events;
}

/* Sleep until something may have happened; false if only the clock rang. */
static bool sleep_once(uint32_t seen)
{
    bool woken;
    if (!mpr__g.use_tcp) {
        mpr__shm_sleep(seen, SLEEP_TIMEOUT_MS);
        woken = mpr__shm_doorbell_value() != seen;
    } else if (!mpr__g.use_shm) {
        return mpr__tcp_sleep(SLEEP_TIMEOUT_MS) > 0;
    } else {
        woken = mpr__tcp_sleep(TCP_SHM_SLEEP_MS) > 0 || mpr__shm_doorbell_value() != seen;
    }
    return woken;
}

void mpr__wait_until(mpr__done_fn done, void *arg)
{
    if (done(arg))
        return;
    bool spin = true;
    for (;;) {
        for (unsigned i = 0; spin && i < mpr__g.spin_polls; i++) {
            mpr__progress();
            if (done(arg))
                return;
            mpr__cpu_relax();
        }
        for (unsigned i = 0; spin && i < mpr__g.sleep_yields; i++) {
            sched_yield();
            mpr__progress();
            if (done(arg))
                return;
        }
        if (mpr__liveness_due()) {
            mpr__liveness_check(); /* may end the wait, with an error */
            if (done(arg))
                return;
        }
        uint32_t seen = mpr__shm_doorbell_value();
        mpr__shm_set_sleeping(true);
        if (mpr__progress() || done(arg)) {
            mpr__shm_set_sleeping(false);
            if (done(arg))
                return;
            spin = true;
            continue;
        }
        bool woken = sleep_once(seen);
        mpr__shm_set_sleeping(false);
        int events = mpr__progress();
        if (done(arg))
            return;
        spin = woken || events > 0; /* traffic: spin again; else straight back to sleep */
    }
}
