/*
 * objects.h - what the shared objects (queue.c, event.c, semaphore.c,
 * lock.c) have in common: a segment of shared memory created collectively
 * on a communicator, and waiting on a futex in it.
 *
 * Waiting and waking: a condition that ranks wait for (queue not empty,
 * event set, ...) has a waitpoint: a futex word `seq` and a count of
 * sleepers. A waiter announces itself (sleepers + 1), tests the condition
 * once more, then sleeps on seq unless seq has moved. A rank that makes
 * the condition true changes the object's state first, then calls
 * mpr__waitpoint_signal, which (after a full fence) bumps seq and wakes
 * only when someone sleeps. The two fences make the usual store/load
 * handshake, so no wake-up is lost, and a put or release that finds nobody
 * asleep costs no system call.
 */
#ifndef MPR_OBJECTS_H
#define MPR_OBJECTS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mpr_internal.h"

#define MPR__OBJ_LINE 64

enum mpr__obj_kind {
    MPR__OBJ_QUEUE = 1,
    MPR__OBJ_EVENT = 2,
    MPR__OBJ_SEMAPHORE = 3,
    MPR__OBJ_LOCK = 4,
};

/* The start of every object's segment; the object's own state follows at
 * MPR__OBJ_STATE_OFFSET. */
struct mpr__obj_header {
    uint64_t magic;
    uint32_t kind;
    uint32_t nranks;
    uint64_t bytes;
    _Atomic uint32_t attached; /* ranks other than the creator that mapped it */
};
#define MPR__OBJ_STATE_OFFSET 256

/* A rank's handle on a segment. */
struct mpr__obj {
    struct mpr__obj_header *hdr;
    void *state; /* at MPR__OBJ_STATE_OFFSET */
    size_t bytes;
    mpr_comm comm;
};

struct mpr__waitpoint {
    _Alignas(MPR__OBJ_LINE) _Atomic uint32_t seq; /* futex word */
    _Atomic uint32_t sleepers;
};

/* Lay out a fresh, zeroed state of state_bytes bytes. */
typedef void (*mpr__obj_format_fn)(void *state, size_t state_bytes, const void *arg);

/*
 * Collectively create the segment of an object of `kind` whose state takes
 * state_bytes: rank 0 of comm creates /dev/shm/mpr-<nspace>-obj-<n>
 * (posix_fallocate'd) and formats it with format(state, ..., arg); the
 * others map it; the name is unlinked once all have. A communicator of one
 * rank uses anonymous memory. Every rank returns the same code; on
 * success *obj is filled. Checks readiness and comm first (MPR_ERR_ARG,
 * MPR_ERR_UNSUPPORTED across hosts).
 */
int mpr__obj_create(mpr_comm comm, enum mpr__obj_kind kind, size_t state_bytes,
                    mpr__obj_format_fn format, const void *arg, struct mpr__obj *obj);

/* Collectively release: a barrier (no rank still uses it), then unmap. */
int mpr__obj_free(struct mpr__obj *obj);

/* MPR_ERR_ARG for a NaN timeout, else MPR_SUCCESS. */
int mpr__obj_check_timeout(double timeout);

/* Made the waited-for condition true: wake up to `count` sleepers. */
void mpr__waitpoint_signal(struct mpr__waitpoint *wp, int count);

/* For an object whose state is the futex word itself (the event): the
 * caller has just changed seq; wake up to `count` sleepers, if any. */
void mpr__waitpoint_wake(struct mpr__waitpoint *wp, int count);

/* One try at the operation a caller waits to complete: returns `not_ready`
 * (e.g. MPR_ERR_EMPTY) to go on waiting, anything else to stop with it. */
typedef int (*mpr__obj_attempt_fn)(void *arg);

/*
 * Call attempt(arg) until it returns something other than not_ready, or
 * the timeout (seconds, < 0 forever; 0 means a single attempt) runs out:
 * spins (driving mpr's progress), yields, then sleeps on wp in slices of
 * at most 100 ms, checking between them that the comm's ranks are alive.
 * Returns attempt's result, MPR_ERR_TIMEOUT (or not_ready when timeout is
 * 0) or MPR_ERR_PROC_FAILED. An attempt is always made after the last
 * wake-up, so a waiter woken just as its time runs out loses nothing.
 */
int mpr__obj_wait(const struct mpr__obj *obj, struct mpr__waitpoint *wp,
                  mpr__obj_attempt_fn attempt, void *arg, int not_ready, double timeout);

#endif /* MPR_OBJECTS_H */
