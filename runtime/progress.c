/*
 * progress.c - the progress engine and the spin-then-sleep wait.
 *
 * Blocking calls poll every transport for a short while (a message often
 * arrives within microseconds), then announce that they sleep and block on
 * this rank's futex doorbell; a peer that hands this rank anything rings it.
 * Oversubscribed ranks (more ranks than cores) hardly spin: they yield the
 * core (a rank that shares it likely holds what they wait for), then sleep.
 */
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "mpr_internal.h"

#define SLEEP_TIMEOUT_MS 100 /* how often a sleeper checks that its peers live */

static unsigned yields_before_sleep;

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void mpr__progress_configure(void)
{
    const char *env = getenv("MPR_SPIN");
    if (env) {
        mpr__g.spin_polls = (unsigned)strtoul(env, NULL, 10);
    } else {
        mpr__g.spin_polls = mpr__g.oversubscribed ? 10 : 100000;
    }
    env = getenv("MPR_YIELDS");
    yields_before_sleep = env ? (unsigned)strtoul(env, NULL, 10) : mpr__g.oversubscribed ? 50 : 2;
}

int mpr__progress(void)
{
    int events = 0;
    if (mpr__g.local_size > 1)
        events += mpr__shm_transport.progress();
    return events;
}

void mpr__wait_until(mpr__done_fn done, void *arg)
{
    if (done(arg))
        return;
    for (;;) {
        for (unsigned i = 0; i < mpr__g.spin_polls; i++) {
            mpr__progress();
            if (done(arg))
                return;
            cpu_relax();
        }
        for (unsigned i = 0; i < yields_before_sleep; i++) {
            sched_yield();
            mpr__progress();
            if (done(arg))
                return;
        }
        uint32_t seen = mpr__shm_doorbell_value();
        mpr__shm_set_sleeping(true);
        if (mpr__progress() || done(arg)) {
            mpr__shm_set_sleeping(false);
            if (done(arg))
                return;
            continue;
        }
        mpr__shm_sleep(seen, SLEEP_TIMEOUT_MS);
        mpr__shm_set_sleeping(false);
        if (mpr__shm_doorbell_value() == seen)
            mpr__shm_check_peers(); /* woken by the clock: is anyone dead? */
        mpr__progress();
        if (done(arg))
            return;
    }
}
