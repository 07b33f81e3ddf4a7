/*
 * coll.h - what the collective files share: tags on the collective
 * context, and the choice of algorithm.
 */
#ifndef MPR_COLL_H
#define MPR_COLL_H

#include "core/datatype.h"
#include "core/mpr_internal.h"

/* One tag per collective on comm->ctx_coll. Collectives are called in the
 * same order everywhere and messages between a pair never overtake, so
 * the tag only keeps a mismatched call from being silently misread. */
enum mpr__coll_tag {
    MPR__TAG_BCAST = 1,
    MPR__TAG_BARRIER,
    MPR__TAG_REDUCE,
    MPR__TAG_ALLREDUCE,
    MPR__TAG_GATHER,
    MPR__TAG_SCATTER,
    MPR__TAG_ALLGATHER,
    MPR__TAG_ALLTOALL,
    MPR__TAG_SCAN,
    MPR__TAG_SHM_SETUP, /* coll_shm.c: a host's segment made or not */
};

/* Tags from here to MPR_TAG_UB on ctx_coll belong to the pipes
 * (objects/pipe.c: two per pipe id); no collective may use them. */
#define MPR__TAG_PIPE_BASE 0x20000000

/* The algorithm forced by MPR_COLL_<NAME> (e.g. MPR_COLL_BCAST=binomial),
 * or NULL for "choose by size and shape". Read once per name. */
const char *mpr__coll_forced(const char *name);
/* Every MPR_COLL_* setting and MPR_CHECK is allowed (core/env.h); mpr_init's. */
int mpr__coll_env_check(void);

/* ---- Used beyond the collectives' own files ---- */

/* coll.c: the dissemination barrier over point-to-point on context ctx
 * (also mpr_finalize's, on a context of its own) */
int mpr__barrier_ctx(mpr_comm comm, uint32_t ctx);

/* coll_gather.c: every rank's len bytes into recv (size * len), on the
 * collective context; also what communicator creation uses. */
int mpr__allgather(mpr_comm comm, const void *send, size_t len, void *recv);
/* coll_shm.c: release what the fast collectives made for comm. */
void mpr__coll_comm_free(mpr_comm comm);


/* ---- coll_shm.c: collectives through shared memory on one node ----
 * Each returns MPR_ERR_UNSUPPORTED, having done nothing, when it cannot
 * serve this call (e.g. comm spans hosts, no shared memory); the caller
 * then uses point-to-point algorithms. Arguments are already checked. */
int mpr__coll_shm_allreduce(mpr_comm comm, const void *send, void *recv, size_t count,
                       mpr_datatype type, mpr_op op);
int mpr__coll_shm_reduce(mpr_comm comm, const void *send, void *recv, size_t count,
                    mpr_datatype type, mpr_op op, int root);

/* ---- coll_util.c: what the point-to-point algorithms share ----
 * Ranks are ranks of comm; messages go on comm->ctx_coll. */
int mpr__coll_send(const void *buf, size_t len, int dest, int tag, mpr_comm comm);
int mpr__coll_recv(void *buf, size_t len, int source, int tag, mpr_comm comm);
/* Send and receive at once; returns the send's error, else the receive's. */
int mpr__coll_sendrecv(const void *sendbuf, size_t sendlen, int dest, void *recvbuf,
                       size_t recvlen, int source, int tag, mpr_comm comm);
/* Wait for (and free) all n requests; returns result if it is an error,
 * else the first request's error, else MPR_SUCCESS. */
int mpr__coll_waitall(struct mpr_request **reqs, int n, int result);
/* A truncated receive is recorded in *result (if it holds no error yet)
 * and the algorithm goes on, so that every rank still finishes; returns
 * MPR_SUCCESS then, else rc. */
int mpr__coll_note(int rc, int *result);

/* An algorithm that MPR_COLL_<name> may force, one of algs (NULL-ended).
 * Initialise as { .name = "ALLREDUCE", .algs = names }. */
struct mpr__coll_choice {
    const char *name;
    const char *const *algs;
    bool read;
    int forced;
};
/* Index in algs of the forced algorithm, or -1 for "choose by size and
 * shape" (also for an unknown name, which world rank 0 reports once on
 * stderr). */
int mpr__coll_choice(struct mpr__coll_choice *c);

#endif /* MPR_COLL_H */
