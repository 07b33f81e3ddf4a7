/*
 * comm_create.c - communicators made from others: dup, split, free.
 *
 * Contexts: every rank keeps the lowest context it has never used
 * (next_ctx; world holds 0 and 1). A creation allgathers next_ctx over the
 * parent and takes the largest, so the new pair of contexts is unused by
 * every member; all parent ranks then move past it, which keeps the rule
 * true for the next creation. Contexts are never reused, and 2^31
 * creations are far away.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"
#include "coll/coll_check.h"

static uint32_t next_ctx = 2;

/* What each parent rank says about the communicator it wants. */
struct split_entry {
    int32_t color;
    int32_t key;
    int32_t parent_rank;
    uint32_t next_ctx;
};

static int compare_by_key(const void *a, const void *b)
{
    const struct split_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->parent_rank > y->parent_rank) - (x->parent_rank < y->parent_rank);
}

static mpr_comm comm_new(mpr_comm parent, const struct split_entry *members, int n, int my_parent_rank,
                         uint32_t ctx)
{
    struct mpr_comm *c = calloc(1, sizeof(*c));
    int *world_ranks = malloc((size_t)n * sizeof(int));
    int *comm_rank_of = malloc((size_t)mpr__g.size * sizeof(int));
    if (!c || !world_ranks || !comm_rank_of) {
        free(c);
        free(world_ranks);
        free(comm_rank_of);
        return NULL;
    }
    for (int w = 0; w < mpr__g.size; w++)
        comm_rank_of[w] = -1;
    c->rank = -1;
    for (int i = 0; i < n; i++) {
        world_ranks[i] = mpr__world_rank(parent, members[i].parent_rank);
        comm_rank_of[world_ranks[i]] = i;
        if (members[i].parent_rank == my_parent_rank)
            c->rank = i;
    }
    c->magic = MPR__COMM_MAGIC;
    c->ctx_p2p = ctx;
    c->ctx_coll = ctx + 1;
    c->size = n;
    c->world_ranks = world_ranks;
    c->comm_rank_of = comm_rank_of;
    return c;
}

#define BAD_ARGUMENTS INT32_MIN

/* Every parent rank takes part even with bad arguments of its own, so a
 * mistake on one rank fails the call everywhere instead of hanging it. */
static int comm_create(mpr_comm parent, enum mpr__coll_kind kind, int color, int key,
                       bool args_ok, mpr_comm *newcomm)
{
    int rc = mpr__coll_check(parent, kind, MPR__CHECK_NO_ROOT, MPR__CHECK_NO_COUNT, 0, 0);
    if (rc != MPR_SUCCESS)
        return rc;
    struct split_entry mine = { args_ok ? color : BAD_ARGUMENTS, key, parent->rank, next_ctx };
    struct split_entry *all = malloc((size_t)parent->size * sizeof(*all));
    if (!all)
        return MPR_ERR_NO_MEM;
    rc = mpr__allgather(parent, &mine, sizeof(mine), all);
    if (rc != MPR_SUCCESS) {
        free(all);
        return rc;
    }
    uint32_t ctx = 0;
    int n = 0;
    bool all_ok = true;
    for (int i = 0; i < parent->size; i++) {
        if (all[i].next_ctx > ctx)
            ctx = all[i].next_ctx;
        if (all[i].color == BAD_ARGUMENTS)
            all_ok = false;
        else if (color != MPR_UNDEFINED && all[i].color == color)
            all[n++] = all[i]; /* keeps parent order: n <= i */
    }
    next_ctx = ctx + 2;
    if (!all_ok || color == MPR_UNDEFINED) {
        free(all);
        if (args_ok)
            *newcomm = MPR_COMM_NULL;
        return all_ok ? MPR_SUCCESS : MPR_ERR_ARG;
    }
    qsort(all, (size_t)n, sizeof(*all), compare_by_key);
    mpr_comm c = comm_new(parent, all, n, parent->rank, ctx);
    free(all);
    if (!c)
        return MPR_ERR_NO_MEM;
    *newcomm = c;
    return MPR_SUCCESS;
}

int mpr_comm_dup(mpr_comm comm, mpr_comm *newcomm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    return comm_create(comm, MPR__CALL_COMM_DUP, 0, comm->rank, newcomm != NULL, newcomm);
}

int mpr_comm_split(mpr_comm comm, int color, int key, mpr_comm *newcomm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    bool args_ok = newcomm && (color >= 0 || color == MPR_UNDEFINED);
    return comm_create(comm, MPR__CALL_COMM_SPLIT, color, key, args_ok, newcomm);
}

int mpr_comm_free(mpr_comm *comm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!comm || mpr__check_comm(*comm) != MPR_SUCCESS || *comm == MPR_COMM_WORLD)
        return MPR_ERR_ARG;
    struct mpr_comm *c = *comm;
    mpr__coll_comm_free(c);
    c->magic = 0;
    free(c->world_ranks);
    free(c->comm_rank_of);
    free(c);
    *comm = MPR_COMM_NULL;
    return MPR_SUCCESS;
}
