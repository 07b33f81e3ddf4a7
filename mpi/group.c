/*
 * group.c - groups as lists of world ranks: MPI_Comm_group, incl, excl,
 * size, rank, translate, compare, free (MPI_Comm_create is in comm.c).
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

struct mpi__group mpi__group_empty = {
    .magic = MPI__MAGIC_GROUP, .size = 0, .rank = MPI_UNDEFINED, .predefined = true
};

static int my_world_rank(void)
{
    return MPI_COMM_WORLD->rank;
}

static int group_ok(MPI_Group g)
{
    int rc = mpi__ready();
    if (rc != MPI_SUCCESS)
        return rc;
    return g && g->magic == MPI__MAGIC_GROUP ? MPI_SUCCESS : MPI_ERR_GROUP;
}

/* A new group of n members (world ranks taken from world). */
static int group_new(const int *world, int n, MPI_Group *out)
{
    if (n == 0) {
        *out = MPI_GROUP_EMPTY;
        return MPI_SUCCESS;
    }
    struct mpi__group *g = calloc(1, sizeof(*g));
    int *copy = malloc(sizeof(int) * (size_t)n);
    if (!g || !copy) {
        free(g);
        free(copy);
        return MPI_ERR_NO_MEM;
    }
    memcpy(copy, world, sizeof(int) * (size_t)n);
    g->magic = MPI__MAGIC_GROUP;
    g->size = n;
    g->world = copy;
    g->rank = MPI_UNDEFINED;
    int me = my_world_rank();
    for (int i = 0; i < n; i++)
        if (copy[i] == me)
            g->rank = i;
    *out = g;
    return MPI_SUCCESS;
}

int MPI_Comm_group(MPI_Comm comm, MPI_Group *group)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !group)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        rc = group_new(comm->world, comm->size, group);
    MPI__RET(comm, rc, "MPI_Comm_group");
}

/* *out = the group's size, or with want_rank this process's rank in it. */
static int group_query(MPI_Group group, bool want_rank, int *out)
{
    int rc = group_ok(group);
    if (rc == MPI_SUCCESS && !out)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        *out = want_rank ? group->rank : group->size;
    return rc;
}

int MPI_Group_size(MPI_Group group, int *size)
{
    MPI__RET(NULL, group_query(group, false, size), "MPI_Group_size");
}

int MPI_Group_rank(MPI_Group group, int *rank)
{
    MPI__RET(NULL, group_query(group, true, rank), "MPI_Group_rank");
}

/* ranks must be n distinct valid ranks of group. */
static int check_ranks(MPI_Group group, int n, const int ranks[])
{
    if (n < 0 || n > group->size || (n > 0 && !ranks))
        return MPI_ERR_ARG;
    for (int i = 0; i < n; i++) {
        if (ranks[i] < 0 || ranks[i] >= group->size)
            return MPI_ERR_RANK;
        for (int j = 0; j < i; j++)
            if (ranks[j] == ranks[i])
                return MPI_ERR_RANK;
    }
    return MPI_SUCCESS;
}

/* The group of the n ranks listed, in their order; with exclude, of the
 * others, in group order. */
static int group_pick(MPI_Group group, int n, const int ranks[], bool exclude,
                      MPI_Group *newgroup)
{
    int rc = group_ok(group);
    if (rc == MPI_SUCCESS && !newgroup)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        rc = check_ranks(group, n, ranks);
    if (rc != MPI_SUCCESS)
        return rc;
    int room = exclude ? group->size : n;
    int *world = NULL;
    if (room > 0 && !(world = malloc(sizeof(int) * (size_t)room)))
        return MPI_ERR_NO_MEM;
    int kept = 0;
    for (int i = 0; !exclude && i < n; i++)
        world[kept++] = group->world[ranks[i]];
    for (int i = 0; exclude && i < group->size; i++) {
        bool out = false;
        for (int j = 0; j < n && !out; j++)
            out = ranks[j] == i;
        if (!out)
            world[kept++] = group->world[i];
    }
    rc = group_new(world, kept, newgroup);
    free(world);
    return rc;
}

int MPI_Group_incl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup)
{
    MPI__RET(NULL, group_pick(group, n, ranks, false, newgroup), "MPI_Group_incl");
}

int MPI_Group_excl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup)
{
    MPI__RET(NULL, group_pick(group, n, ranks, true, newgroup), "MPI_Group_excl");
}

int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[], MPI_Group group2,
                              int ranks2[])
{
    int rc = group_ok(group1);
    if (rc == MPI_SUCCESS)
        rc = group_ok(group2);
    if (rc == MPI_SUCCESS && (n < 0 || (n > 0 && (!ranks1 || !ranks2))))
        rc = MPI_ERR_ARG;
    for (int i = 0; rc == MPI_SUCCESS && i < n; i++)
        if (ranks1[i] != MPI_PROC_NULL && (ranks1[i] < 0 || ranks1[i] >= group1->size))
            rc = MPI_ERR_RANK;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Group_translate_ranks");
    for (int i = 0; i < n; i++) {
        ranks2[i] = ranks1[i] == MPI_PROC_NULL ? MPI_PROC_NULL : MPI_UNDEFINED;
        for (int j = 0; ranks1[i] != MPI_PROC_NULL && j < group2->size; j++)
            if (group2->world[j] == group1->world[ranks1[i]])
                ranks2[i] = j;
    }
    return MPI_SUCCESS;
}

int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result)
{
    int rc = group_ok(group1);
    if (rc == MPI_SUCCESS)
        rc = group_ok(group2);
    if (rc == MPI_SUCCESS && !result)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        *result = mpi__compare_members(group1->world, group1->size, group2->world, group2->size);
    MPI__RET(NULL, rc, "MPI_Group_compare");
}

int MPI_Group_free(MPI_Group *group)
{
    int rc = group ? group_ok(*group) : MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Group_free");
    if (!(*group)->predefined) {
        (*group)->magic = 0;
        free((*group)->world);
        free(*group);
    }
    *group = MPI_GROUP_NULL;
    return MPI_SUCCESS;
}
