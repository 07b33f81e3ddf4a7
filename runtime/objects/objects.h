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

#include "core/mpr_internal.h"
#include "objects/objects_wire.h"

#define MPR__OBJ_LINE 64

enum mpr__obj_kind {
    MPR__OBJ_QUEUE = 1,
    MPR__OBJ_EVENT = 2,
    MPR__OBJ_SEMAPHORE = 3,
    MPR__OBJ_LOCK = 4,
    MPR__OBJ_RLOCK = 5,
    MPR__OBJ_BARRIER = 6,
    MPR__OBJ_CONDITION = 7,
    MPR__OBJ_ARRAY = 8,
    MPR__OBJ_DICT = MPR__OBJW_KIND_DICT, /* the Manager containers: 16 up */
    MPR__OBJ_LIST = MPR__OBJW_KIND_LIST,
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

struct mpr__obj_link;

/*
 * A rank's handle on an object. Ranks on the home host (that of the
 * communicator's rank 0) map the segment; ranks of other hosts have no
 * segment (hdr and state NULL) but a link to the home's service.
 */
struct mpr__obj {
    struct mpr__obj_header *hdr;
    void *state; /* at MPR__OBJ_STATE_OFFSET */
    size_t bytes;
    mpr_comm comm;
    struct mpr__obj_link *remote; /* other hosts: the connection to the home's service */
    uint32_t service_id;          /* the home rank of a multi-host object: its service id */
    uint32_t remote_id;           /* other hosts: the object's id at the service */
    uint64_t max_item, capacity;  /* queues: set before creation by rank 0, after by all */
    /* Set before creation by rank 0: state bytes to allocate at once when
     * the rest grows on demand (0: all of it, the usual), and a code that
     * refuses the creation on every rank (0: none; e.g. a bad setting). */
    size_t alloc_bytes;
    int refuse;
    int fd; /* ranks of the home host, growing objects: the segment, else -1 */
    enum mpr__obj_kind kind;
    uint64_t id;                  /* creator's world rank << 32 | its count (same on all ranks) */
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

/* Allocate state bytes [offset, offset + bytes) of an object created with
 * alloc_bytes, before anything there is touched. Returns 0 or an error
 * number (ENOSPC: /dev/shm is full). Any rank of the home host may call
 * it, and the service thread. */
int mpr__obj_grow(const struct mpr__obj *obj, size_t offset, size_t bytes);

/* Collectively release: a barrier (no rank still uses it), then unmap.
 * MPR_ERR_COLL_MISMATCH (MPR_CHECK=1): nothing done, the object stays. */
int mpr__obj_free(struct mpr__obj *obj);

/* MPR_ERR_ARG for a NaN timeout, else MPR_SUCCESS. */
int mpr__obj_check_timeout(double timeout);

/* One try at the operation a caller waits to complete: returns `not_ready`
 * (e.g. MPR_ERR_EMPTY) to go on waiting, anything else to stop with it. */
typedef int (*mpr__obj_attempt_fn)(void *arg);

/* Who waits when it is not the rank itself: the service thread, acting for
 * a rank of another host. It never touches libmpr's single-threaded state
 * (no progress, no peer table); between sleeps it asks cancelled(arg)
 * whether to give up (client gone, object or service closing). */
struct mpr__obj_waiter {
    bool (*cancelled)(void *arg);
    void *arg;
};

/*
 * Call attempt(arg) until it returns something other than not_ready, or
 * the timeout (seconds, < 0 forever; 0 means a single attempt) runs out.
 * The rank itself (service == NULL) spins (driving mpr's progress), yields,
 * then sleeps on wp in slices of at most 100 ms, checking between them that
 * the comm's ranks are alive. The service thread sleeps at once, in slices
 * of at most 50 ms, checking service->cancelled between them.
 * Returns attempt's result, MPR_ERR_TIMEOUT (or not_ready when timeout is
 * 0) or MPR_ERR_PROC_FAILED. An attempt is always made after the last
 * wake-up, so a waiter woken just as its time runs out loses nothing.
 */
int mpr__obj_wait(const struct mpr__obj *obj, struct mpr__waitpoint *wp,
                  mpr__obj_attempt_fn attempt, void *arg, int not_ready, double timeout,
                  const struct mpr__obj_waiter *service);

/* ---- The locks a condition (condition.c) works with ---------------------- */

/* Acting for the rank whose rank in the lock's communicator is `rank` (the
 * caller itself, or a rank of another host when the service acts for it). */
int mpr__lock_acquire_as(mpr_lock l, int32_t rank, double timeout,
                         const struct mpr__obj_waiter *w);
int mpr__lock_release_as(mpr_lock l, int32_t rank);
bool mpr__lock_held_by(mpr_lock l, int32_t rank);
const struct mpr__obj *mpr__lock_obj(mpr_lock l);

/* An rlock's owner is a world rank. release_all gives it up whatever its
 * recursion count and stores that count in *count; acquire_count takes it
 * with recursion count `count` (>= 1) when `world` does not hold it. */
int mpr__rlock_release_all(mpr_rlock rl, int32_t world, uint32_t *count);
int mpr__rlock_acquire_count(mpr_rlock rl, int32_t world, uint32_t count, double timeout,
                             const struct mpr__obj_waiter *w);
bool mpr__rlock_held_by(mpr_rlock rl, int32_t world);
const struct mpr__obj *mpr__rlock_obj(mpr_rlock rl);

/* ---- Across hosts (objects_service.c, objects_remote.c) ------------------ */

/*
 * Performs request `req` of a rank of another host on the object whose
 * handle is `handle`, in the service thread, with the same functions the
 * local ranks use; `in` holds req->length payload bytes, `out` room for
 * out_cap bytes of a reply payload. Sets rep->value/extra/length as the op
 * requires (objects_wire.h) and returns the call's code.
 */
typedef int (*mpr__obj_serve_fn)(void *handle, const struct mpr__objw_req *req, const void *in,
                                 void *out, size_t out_cap, struct mpr__objw_rep *rep,
                                 const struct mpr__obj_waiter *w);

/* A request's timeout in seconds (< 0 forever). */
double mpr__objw_timeout_seconds(int64_t timeout_ns);

/* Home rank, at creation: start the service if it is not running, list obj
 * (kind from its header; max_item/capacity answered to ATTACH). Writes the
 * service's endpoint ("v1 <ip> <port> <secret>") and the object's id. */
int mpr__obj_service_register(struct mpr__obj *obj, char *endpoint, size_t cap, uint32_t *id);
/* Creation done on every rank: requests for id may now be served. */
void mpr__obj_service_enable(uint32_t id, mpr__obj_serve_fn serve, void *handle);
/* Stop serving id (waits for calls in progress on it, which give up within
 * a sleep slice); the last one stops the service and joins its threads. */
void mpr__obj_service_unregister(uint32_t id);
/* mpr_finalize: stop the service, if running, and join its threads. */
void mpr__obj_service_shutdown(void);

/* A rank of another host, at creation: connect to the home's service (or
 * reuse the connection), attach to object id of `kind`; fills obj->remote,
 * and for a queue obj->max_item and capacity. */
int mpr__obj_remote_attach(struct mpr__obj *obj, int home_world, const char *endpoint,
                           uint32_t id, enum mpr__obj_kind kind);
/* Drop obj's link; the connection closes with the last object using it. */
void mpr__obj_remote_detach(struct mpr__obj *obj);
/* Have the home perform op on obj and wait for its answer, keeping this
 * rank's messages moving. item/len: the put's item; buf/buflen: room for a
 * got item; *value (may be NULL): the reply's value. Returns the call's
 * code, or MPR_ERR_PROC_FAILED when the home cannot be reached. */
int mpr__obj_remote_call(struct mpr__obj *obj, enum mpr__objw_op op, double timeout,
                         const void *item, size_t len, void *buf, size_t buflen, int64_t *value);
/* The same for a call with no item: `arg` goes in the request; *value and
 * *extra (either may be NULL) get the reply's. */
int mpr__obj_remote_call_arg(struct mpr__obj *obj, enum mpr__objw_op op, double timeout,
                             uint64_t arg, int64_t *value, uint64_t *extra);
/* The same for a non-blocking call with `arg` and a payload of len bytes
 * (the array ops): buf gets the reply's payload (room as the op's span
 * says), *value (may be NULL) its value. */
int mpr__obj_remote_call_data(struct mpr__obj *obj, enum mpr__objw_op op, uint64_t arg,
                              const void *payload, size_t len, void *buf, int64_t *value);
/* The same for a container's call (dict.c, list.c): its payload is head
 * then tail; buf gets the reply's payload (room as arg says), *value (may
 * be NULL) the reply's value, with MPR_ERR_TRUNCATE too. */
int mpr__obj_remote_call_parts(struct mpr__obj *obj, enum mpr__objw_op op, uint64_t arg,
                               const void *head, size_t head_len, const void *tail,
                               size_t tail_len, void *buf, int64_t *value);
/* mpr_finalize: close every connection to a service. */
void mpr__obj_remote_close_all(void);

#endif /* MPR_OBJECTS_H */
