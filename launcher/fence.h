/*
 * fence.h - the first mprun's side of a fence across hosts: collect each
 * participating host's contribution (libpmix's opaque blob for that host),
 * and once all are in, hand back the concatenation, or the first failure
 * status any host reported, to be delivered to every participant.
 *
 * Fences are told apart by their participants (PMIx sorts them): the k-th
 * contribution of a host to fences over the same participants belongs to
 * the k-th such round, since a host's contributions arrive in order.
 */
#ifndef MPRUN_FENCE_H
#define MPRUN_FENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mprun_fence_round {
    uint32_t *procs;        /* participants: ranks, or MPRUN_FENCE_ALL alone */
    uint32_t nprocs;
    bool *included;         /* per host: has participants */
    bool *joined;           /* per host: contributed */
    int missing;            /* participating hosts yet to contribute */
    int32_t status;         /* first failure, or 0 */
    char *data;             /* contributions so far, concatenated */
    size_t ndata;
    void *local_token;      /* what the local host's contribution came with */
    struct mprun_fence_round *next;
};

struct mprun_fence {
    int nhosts, nranks;
    const int *host_of_rank;
    int32_t *gone;                    /* per host: non-zero once it will never
                                         contribute again (the status it counts with) */
    struct mprun_fence_round *rounds; /* oldest first */
};

void mprun_fence_init(struct mprun_fence *f, int nhosts, int nranks, const int *host_of_rank);

/* mprun_fence_join - host's contribution to the fence over procs. token is
 * kept in the round if host is local_host (-1: none). Returns 0 and sets
 * *complete to the round when it was the last contribution (the caller
 * delivers it, then frees it with mprun_fence_round_free), or to NULL.
 * Returns -1 with a reason in err for participants that name a rank out
 * of range, or a host that is not one of them, or out of memory. */
int mprun_fence_join(struct mprun_fence *f, int host, int local_host, const uint32_t *procs,
                     uint32_t nprocs, int32_t status, const char *data, size_t ndata,
                     void *token, struct mprun_fence_round **complete, char *err,
                     size_t errlen);

void mprun_fence_round_free(struct mprun_fence_round *round);

/* mprun_fence_host_gone - host will contribute to no fence any more (every
 * rank of it ended): in every round, open or to come, it counts as joined
 * with the failure status. Rounds that completes are passed to deliver
 * (which frees them as mprun_fence_join's caller does). */
void mprun_fence_host_gone(struct mprun_fence *f, int host, int32_t status,
                           void (*deliver)(void *ctx, struct mprun_fence_round *round), void *ctx);

/* mprun_fence_free - drop every incomplete round, calling drop_token on
 * each local token. */
void mprun_fence_free(struct mprun_fence *f, void (*drop_token)(void *token));

#endif
