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

/* The collectives whose algorithm may be forced or tuned, in the order of
 * coll_select.c's table. */
enum mpr__coll_id {
    MPR__COLL_BARRIER,
    MPR__COLL_BCAST,
    MPR__COLL_GATHER,
    MPR__COLL_SCATTER,
    MPR__COLL_ALLGATHER,
    MPR__COLL_ALLTOALL,
    MPR__COLL_REDUCE,
    MPR__COLL_ALLREDUCE,
    MPR__COLL_COUNT
};
/* The id of a collective named (any case) "bcast", "ALLREDUCE", ...; or -1. */
int mpr__coll_id(const char *name);
/* "bcast", "allreduce", ... */
const char *mpr__coll_name(int id);
/* What MPR_COLL_<NAME> and a tuning file may name for collective id:
 * "auto" first, then the algorithms, NULL-ended. */
const char *const *mpr__coll_alg_names(int id);

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
/* The same, saying who should copy a large message (enum mpr__copier). */
int mpr__coll_send_by(const void *buf, size_t len, int dest, int tag, mpr_comm comm,
                      enum mpr__copier copier);
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

/* An algorithm that MPR_COLL_<name> may force, or the tuning file pick,
 * one of algs (NULL-ended). Initialise as { .name = "ALLREDUCE", .algs =
 * names }. */
struct mpr__coll_choice {
    const char *name;
    const char *const *algs;
    bool read;
    int forced;
    int id; /* enum mpr__coll_id */
};
/* bytes for a call whose size may differ between ranks (the v variants):
 * the tuning file is not consulted, so that every rank chooses alike. */
#define MPR__COLL_ANY_BYTES SIZE_MAX
/* Index in algs of the algorithm forced by MPR_COLL_<name>; else the one
 * the tuning file's rule for (comm_size, bytes) names; else -1 for
 * "choose by size and shape" (the built-in choice). An unknown forced
 * name is reported once by world rank 0 and counts as not forced. bytes
 * must be the same on every rank of the call (bcast: the message; reduce
 * and allreduce: the vector; gather, scatter, allgather, alltoall: one
 * rank's block). */
int mpr__coll_choice(struct mpr__coll_choice *c, int comm_size, size_t bytes);
/* The choice is MPR_COLL_<name>'s: an algorithm that cannot serve the
 * communicator is worth a word then; a tuned one falls back silently. */
bool mpr__coll_is_forced(const struct mpr__coll_choice *c);

/* ---- coll_tune.c: the tuning file (MPR_TUNING_FILE) ----
 * Format (one rule a line, '#' starts a comment):
 *   mpr-tuning 1 key=<hex> mpr=<version>       the header, first
 *   <collective> ranks=<N|A-B> from=<bytes[K|M|G]> alg=<name|auto>
 * For a call of a collective on N ranks with `bytes`, the rule with the
 * largest from <= bytes among those whose ranks hold N names the
 * algorithm; "auto" or no rule: the built-in choice. */
struct mpr__tune_rule {
    int coll;      /* enum mpr__coll_id */
    int min_ranks, max_ranks;
    size_t from;
    const char *alg; /* one of mpr__coll_alg_names(coll); NULL for auto */
    int line;
    bool said;     /* MPR_TUNING_DEBUG=1 told of its use */
};
struct mpr__tune {
    struct mpr__tune_rule *rules;
    int nrules;
};
/* Parse a whole file's text. Returns MPR_SUCCESS with *out (release with
 * mpr__tune_free), or MPR_ERR_ARG with "line N: what is wrong" in why, or
 * MPR_ERR_NO_MEM. */
int mpr__tune_parse(const char *text, struct mpr__tune **out, char *why, size_t whylen);
/* The rule for (coll, comm_size, bytes), or NULL. */
struct mpr__tune_rule *mpr__tune_lookup(const struct mpr__tune *t, int coll, int comm_size,
                                        size_t bytes);
void mpr__tune_free(struct mpr__tune *t);
/* mpr_init's: read MPR_TUNING_FILE if set and not empty. A file that
 * cannot be read or parsed is one line on stderr and MPR_ERR_ARG. */
int mpr__coll_tune_load(void);
/* MPR_TUNING_DEBUG=1: world rank 0 says which file it read (once the
 * rank is known; mpr_init's). */
void mpr__coll_tune_announce(void);
/* mpr_finalize's: forget the rules. */
void mpr__coll_tune_release(void);
/* The algorithm the loaded file names for the call, or NULL. */
const char *mpr__coll_tuned(int coll, int comm_size, size_t bytes);

#endif /* MPR_COLL_H */
