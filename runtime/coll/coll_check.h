/*
 * coll_check.h - the collective checking mode (MPR_CHECK=1, coll_check.c).
 *
 * Each collective, collective object operation and communicator creation
 * calls mpr__coll_check (or mpr__coll_check_object) once its own
 * arguments have passed their local checks and before it moves anything.
 * mpr__coll_check also notes the call for the barrier
 * (mpr__coll_follows_barrier).
 * Off, that is one predictable branch. On, every member sends every other
 * member the call's signature and compares what it gets: a difference is
 * MPR_ERR_COLL_MISMATCH on every member, before the collective starts, so
 * none is left waiting in it.
 */
#ifndef MPR_COLL_CHECK_H
#define MPR_COLL_CHECK_H

#include "core/mpr_internal.h"

/* What a rank called; the order is only that of the names in coll_check.c. */
enum mpr__coll_kind {
    MPR__CALL_BARRIER = 1,
    MPR__CALL_BCAST,
    MPR__CALL_REDUCE,
    MPR__CALL_ALLREDUCE,
    MPR__CALL_SCAN,
    MPR__CALL_EXSCAN,
    MPR__CALL_REDUCE_SCATTER_BLOCK,
    MPR__CALL_GATHER,
    MPR__CALL_GATHERV,
    MPR__CALL_SCATTER,
    MPR__CALL_SCATTERV,
    MPR__CALL_ALLGATHER,
    MPR__CALL_ALLGATHERV,
    MPR__CALL_ALLTOALL,
    MPR__CALL_ALLTOALLV,
    MPR__CALL_COMM_DUP,
    MPR__CALL_COMM_SPLIT,
    MPR__CALL_QUEUE_CREATE,
    MPR__CALL_QUEUE_FREE,
    MPR__CALL_EVENT_CREATE,
    MPR__CALL_EVENT_FREE,
    MPR__CALL_SEMAPHORE_CREATE,
    MPR__CALL_SEMAPHORE_FREE,
    MPR__CALL_LOCK_CREATE,
    MPR__CALL_LOCK_FREE,
    MPR__CALL_RLOCK_CREATE,
    MPR__CALL_RLOCK_FREE,
    MPR__CALL_BARRIER_OBJECT_CREATE,
    MPR__CALL_BARRIER_OBJECT_FREE,
    MPR__CALL_CONDITION_CREATE,
    MPR__CALL_CONDITION_FREE,
    MPR__CALL_ARRAY_CREATE,
    MPR__CALL_ARRAY_FREE,
    MPR__CALL_DICT_CREATE, MPR__CALL_DICT_FREE, MPR__CALL_LIST_CREATE, MPR__CALL_LIST_FREE,
    MPR__CALL_FINALIZE,
    MPR__CALL_KINDS
};

/* A field the call does not have (or whose value may differ between ranks). */
#define MPR__CHECK_NO_ROOT (-1)
#define MPR__CHECK_NO_COUNT UINT64_MAX

/* coll.c: tells the barrier which collective follows it (the first call
 * after a barrier picks who releases the next one). */
void mpr__coll_follows_barrier(struct mpr__coll_state *st, enum mpr__coll_kind kind, int root);

/* Set once by mpr__coll_check_configure (at mpr_init) from MPR_CHECK. */
extern bool mpr__coll_check_on;
void mpr__coll_check_configure(void);

/* The exchange and comparison itself (only with the mode on). */
int mpr__coll_check_call(mpr_comm comm, enum mpr__coll_kind kind, int root, uint64_t count,
                         mpr_datatype type, mpr_op op, uint64_t object);

/* count: elements for reductions, bytes for the others; type and op 0
 * where the call has none. Returns MPR_SUCCESS, MPR_ERR_COLL_MISMATCH
 * (one line on stderr, from the lowest rank seeing it) or the exchange's
 * error (MPR_ERR_PROC_FAILED, MPR_ERR_NO_MEM). */
static inline int mpr__coll_check(mpr_comm comm, enum mpr__coll_kind kind, int root,
                                  uint64_t count, mpr_datatype type, mpr_op op)
{
    if (comm->coll)
        mpr__coll_follows_barrier(comm->coll, kind, root);
    if (__builtin_expect(!mpr__coll_check_on, 1))
        return MPR_SUCCESS;
    return mpr__coll_check_call(comm, kind, root, count, type, op, 0);
}

/* A shared object's creation (object 0) or freeing (its id, the same on
 * every rank: freeing two objects in different orders is a mismatch). */
static inline int mpr__coll_check_object(mpr_comm comm, enum mpr__coll_kind kind, uint64_t object)
{
    if (__builtin_expect(!mpr__coll_check_on, 1))
        return MPR_SUCCESS;
    return mpr__coll_check_call(comm, kind, MPR__CHECK_NO_ROOT, MPR__CHECK_NO_COUNT, 0, 0, object);
}

/* mpr_finalize, on world: a rank that finalizes while another waits in a
 * collective is a mismatch too (both would wait for ever). */
static inline int mpr__coll_check_finalize(void)
{
    return mpr__coll_check(MPR_COMM_WORLD, MPR__CALL_FINALIZE, MPR__CHECK_NO_ROOT,
                           MPR__CHECK_NO_COUNT, 0, 0);
}

#endif /* MPR_COLL_CHECK_H */
