/*
 * fence.c - collect fence contributions from the hosts (see fence.h).
 */
#include "fence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void mprun_fence_init(struct mprun_fence *f, int nhosts, int nranks, const int *host_of_rank)
{
    memset(f, 0, sizeof(*f));
    f->nhosts = nhosts;
    f->nranks = nranks;
    f->host_of_rank = host_of_rank;
    f->gone = calloc((size_t)(nhosts > 0 ? nhosts : 1), sizeof(*f->gone));
}

void mprun_fence_round_free(struct mprun_fence_round *round)
{
    if (round == NULL)
        return;
    free(round->procs);
    free(round->included);
    free(round->joined);
    free(round->data);
    free(round);
}

static bool same_procs(const struct mprun_fence_round *round, const uint32_t *procs,
                       uint32_t nprocs)
{
    return round->nprocs == nprocs && memcmp(round->procs, procs, nprocs * sizeof(*procs)) == 0;
}

static struct mprun_fence_round *new_round(struct mprun_fence *f, const uint32_t *procs,
                                           uint32_t nprocs, char *err, size_t errlen)
{
    struct mprun_fence_round *round = calloc(1, sizeof(*round));

    if (round == NULL)
        goto nomem;
    round->procs = malloc(nprocs * sizeof(*procs));
    round->included = calloc((size_t)f->nhosts, sizeof(*round->included));
    round->joined = calloc((size_t)f->nhosts, sizeof(*round->joined));
    if (round->procs == NULL || round->included == NULL || round->joined == NULL)
        goto nomem;
    memcpy(round->procs, procs, nprocs * sizeof(*procs));
    round->nprocs = nprocs;
    for (uint32_t i = 0; i < nprocs; i++) {
        if (procs[i] == MPRUN_FENCE_ALL) {
            for (int h = 0; h < f->nhosts; h++)
                round->included[h] = true;
        } else if (procs[i] < (uint32_t)f->nranks) {
            round->included[f->host_of_rank[procs[i]]] = true;
        } else {
            snprintf(err, errlen, "a fence names rank %u of a job of %d", procs[i], f->nranks);
            mprun_fence_round_free(round);
            return NULL;
        }
    }
    for (int h = 0; h < f->nhosts; h++) {
        if (round->included[h] && f->gone != NULL && f->gone[h] != 0) {
            round->joined[h] = true;
            round->status = f->gone[h];
        } else {
            round->missing += round->included[h];
        }
    }
    return round;
nomem:
    snprintf(err, errlen, "out of memory");
    mprun_fence_round_free(round);
    return NULL;
}

int mprun_fence_join(struct mprun_fence *f, int host, int local_host, const uint32_t *procs,
                     uint32_t nprocs, int32_t status, const char *data, size_t ndata, void *token,
                     struct mprun_fence_round **complete, char *err, size_t errlen)
{
    struct mprun_fence_round *round = NULL, **link = &f->rounds;

    *complete = NULL;
    if (nprocs == 0) {
        snprintf(err, errlen, "a fence without participants");
        return -1;
    }
    /* The oldest round over these participants that host has not joined. */
    for (; *link != NULL; link = &(*link)->next) {
        if (same_procs(*link, procs, nprocs) && !(*link)->joined[host]) {
            round = *link;
            break;
        }
    }
    if (round == NULL) {
        round = new_round(f, procs, nprocs, err, errlen);
        if (round == NULL)
            return -1;
        if (!round->included[host]) {
            mprun_fence_round_free(round);
            round = NULL;
        } else {
            *link = round; /* the end of the list */
        }
    }
    if (round == NULL || !round->included[host]) {
        snprintf(err, errlen, "a fence of ranks none of which runs there");
        return -1;
    }
    if (round->joined[host]) { /* a new round: the host counted as gone */
        snprintf(err, errlen, "a fence from a host whose ranks all ended");
        return -1;
    }
    if (status != 0 && round->status == 0)
        round->status = status;
    if (ndata > 0 && round->status == 0) {
        char *grown = realloc(round->data, round->ndata + ndata);

        if (grown == NULL) {
            round->status = -1; /* PMIX_ERROR */
        } else {
            memcpy(grown + round->ndata, data, ndata);
            round->data = grown;
            round->ndata += ndata;
        }
    }
    if (host == local_host)
        round->local_token = token;
    round->joined[host] = true;
    if (--round->missing > 0)
        return 0;
    *link = round->next;
    round->next = NULL;
    *complete = round;
    return 0;
}

void mprun_fence_host_gone(struct mprun_fence *f, int host, int32_t status,
                           void (*deliver)(void *ctx, struct mprun_fence_round *round), void *ctx)
{
    struct mprun_fence_round **link = &f->rounds;

    if (f->gone == NULL || host < 0 || host >= f->nhosts || f->gone[host] != 0)
        return;
    f->gone[host] = status;
    while (*link != NULL) {
        struct mprun_fence_round *round = *link;

        if (!round->included[host] || round->joined[host]) {
            link = &round->next;
            continue;
        }
        round->joined[host] = true;
        if (round->status == 0)
            round->status = status;
        if (--round->missing > 0) {
            link = &round->next;
            continue;
        }
        *link = round->next;
        round->next = NULL;
        deliver(ctx, round);
    }
}

void mprun_fence_free(struct mprun_fence *f, void (*drop_token)(void *token))
{
    while (f->rounds != NULL) {
        struct mprun_fence_round *round = f->rounds;

        f->rounds = round->next;
        if (round->local_token != NULL && drop_token != NULL)
            drop_token(round->local_token);
        mprun_fence_round_free(round);
    }
    free(f->gone);
    f->gone = NULL;
}
