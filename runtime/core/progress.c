/*
 * progress.c - one pass over the transports in use: take in what arrived,
 * push what waits to leave. Waiting is wait.c's.
 */
#include "core/mpr_internal.h"

#define SYSCALL_POLL_EVERY 8 /* beside a cheap transport, poll a syscall one once per this many passes */

int mpr__progress(void)
{
    static unsigned passes;
    int events = 0;
    bool cheap_polled = false;
    for (int i = 0; i < mpr__g.ntps; i++) {
        const struct mpr__transport *t = mpr__g.tps[i];
        if (t->progress && !t->progress_is_syscall) {
            events += t->progress();
            cheap_polled = true;
        }
    }
    /* A TCP poll is a system call: beside shared memory (a few loads) it
     * runs only every SYSCALL_POLL_EVERY passes, so shm latency stays low. */
    if (!cheap_polled || ++passes % SYSCALL_POLL_EVERY == 0) {
        for (int i = 0; i < mpr__g.ntps; i++) {
            const struct mpr__transport *t = mpr__g.tps[i];
            if (t->progress && t->progress_is_syscall)
                events += t->progress();
        }
    }
    if (mpr__g.after_progress)
        events += mpr__g.after_progress();
    return events;
}
