/*
 * comm.c - communicators: MPI_COMM_WORLD and MPI_COMM_SELF, dup, split,
 * create, free, compare, size, rank. Each MPI communicator holds a libmpr
 * communicator for the user's traffic and a hidden twin (a dup) for the
 * layer's own messages, so neither can match the other's.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

struct mpi__comm mpi__comm_world, mpi__comm_self;

bool mpi__comm_ok(MPI_Comm comm)
{
    return comm && comm->magic == MPI__MAGIC_COMM;
}

int mpi__check_comm(MPI_Comm comm)
{
    int rc = mpi__ready();
    if (rc != MPI_SUCCESS)
        return rc;
    return mpi__comm_ok(comm) ? MPI_SUCCESS : MPI_ERR_COMM;
}

/* Fill mc around comm: rank, size, the hidden twin, the world ranks of the
 * members. Collective over comm. */
static int comm_init(struct mpi__comm *mc, mpr_comm comm)
{
    memset(mc, 0, sizeof(*mc));
    mc->comm = comm;
    mc->errhandler = MPI_ERRORS_ARE_FATAL;
    int rc = mpr_comm_rank(comm, &mc->rank);
    if (rc == MPR_SUCCESS)
        rc = mpr_comm_size(comm, &mc->size);
    if (rc != MPR_SUCCESS)
        return mpi__from_mpr(rc);
    mc->world = malloc(sizeof(int) * (size_t)mc->size);
    if (!mc->world)
        return MPI_ERR_NO_MEM;
    int me;
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    rc = mpr_allgather(&me, sizeof(int), mc->world, comm);
    if (rc == MPR_SUCCESS)
        rc = mpr_comm_dup(comm, &mc->sys);
    if (rc != MPR_SUCCESS) {
        free(mc->world);
        mc->world = NULL;
        return mpi__from_mpr(rc);
    }
    mc->magic = MPI__MAGIC_COMM;
    return MPI_SUCCESS;
}

static void comm_fini(struct mpi__comm *mc)
{
    mc->magic = 0;
    if (mc->sys)
        mpr_comm_free(&mc->sys);
    if (mc->comm && mc->comm != MPR_COMM_WORLD)
        mpr_comm_free(&mc->comm);
    free(mc->world);
    mc->world = NULL;
    mpi__seqmap_release(&mc->sent);
    mpi__seqmap_release(&mc->received);
    while (mc->notes) {
        struct mpi__sync_note *n = mc->notes;
        mc->notes = n->next;
        free(n);
    }
}

int mpi__world_start(void)
{
    int rc = comm_init(&mpi__comm_world, MPR_COMM_WORLD);
    if (rc != MPI_SUCCESS)
        return rc;
    mpr_comm self;
    rc = mpi__from_mpr(mpr_comm_split(MPR_COMM_WORLD, mpi__comm_world.rank, 0, &self));
    if (rc == MPI_SUCCESS)
        rc = comm_init(&mpi__comm_self, self);
    return rc;
}

void mpi__world_end(void)
{
    comm_fini(&mpi__comm_self);
    comm_fini(&mpi__comm_world);
}

int mpi__comm_wrap(mpr_comm comm, MPI_Comm *out)
{
    if (comm == MPR_COMM_NULL) {
        *out = MPI_COMM_NULL;
        return MPI_SUCCESS;
    }
    struct mpi__comm *mc = malloc(sizeof(*mc));
    if (!mc) {
        mpr_comm_free(&comm);
        return MPI_ERR_NO_MEM;
    }
    int rc = comm_init(mc, comm);
    if (rc != MPI_SUCCESS) {
        mpr_comm_free(&comm);
        free(mc);
        return rc;
    }
    *out = mc;
    return MPI_SUCCESS;
}

int MPI_Comm_size(MPI_Comm comm, int *size)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !size)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        *size = comm->size;
    MPI__RET(comm, rc, "MPI_Comm_size");
}

int MPI_Comm_rank(MPI_Comm comm, int *rank)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !rank)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        *rank = comm->rank;
    MPI__RET(comm, rc, "MPI_Comm_rank");
}

int MPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !newcomm)
        rc = MPI_ERR_ARG;
    mpr_comm dup = MPR_COMM_NULL;
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_comm_dup(comm->comm, &dup));
    if (rc == MPI_SUCCESS)
        rc = mpi__comm_wrap(dup, newcomm);
    if (rc == MPI_SUCCESS)
        (*newcomm)->errhandler = comm->errhandler;
    MPI__RET(comm, rc, "MPI_Comm_dup");
}

int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && (!newcomm || (color < 0 && color != MPI_UNDEFINED)))
        rc = MPI_ERR_ARG;
    mpr_comm split = MPR_COMM_NULL;
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_comm_split(comm->comm, color == MPI_UNDEFINED ? MPR_UNDEFINED : color,
                                          key, &split));
    if (rc == MPI_SUCCESS)
        rc = mpi__comm_wrap(split, newcomm);
    if (rc == MPI_SUCCESS && *newcomm)
        (*newcomm)->errhandler = comm->errhandler;
    MPI__RET(comm, rc, "MPI_Comm_split");
}

int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !newcomm)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && (!group || group->magic != MPI__MAGIC_GROUP))
        rc = MPI_ERR_GROUP;
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Comm_create");
    /* Members of group keep their order in it; the others get no communicator. */
    int color = group->rank == MPI_UNDEFINED ? MPR_UNDEFINED : 0;
    mpr_comm made = MPR_COMM_NULL;
    rc = mpi__from_mpr(mpr_comm_split(comm->comm, color, group->rank, &made));
    if (rc == MPI_SUCCESS)
        rc = mpi__comm_wrap(made, newcomm);
    if (rc == MPI_SUCCESS && *newcomm)
        (*newcomm)->errhandler = comm->errhandler;
    MPI__RET(comm, rc, "MPI_Comm_create");
}

int MPI_Comm_free(MPI_Comm *comm)
{
    int rc = comm ? mpi__check_comm(*comm) : MPI_ERR_ARG;
    if (rc == MPI_SUCCESS && (*comm == MPI_COMM_WORLD || *comm == MPI_COMM_SELF))
        rc = MPI_ERR_COMM;
    if (rc != MPI_SUCCESS)
        return mpi__error(comm ? *comm : NULL, rc, "MPI_Comm_free");
    comm_fini(*comm);
    free(*comm);
    *comm = MPI_COMM_NULL;
    return MPI_SUCCESS;
}

static int compare_members(const int *a, const int *b, int n)
{
    if (memcmp(a, b, sizeof(int) * (size_t)n) == 0)
        return MPI_IDENT;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            found = a[i] == b[j];
        if (!found)
            return MPI_UNEQUAL;
    }
    return MPI_SIMILAR;
}

int mpi__compare_members(const int *a, int na, const int *b, int nb)
{
    return na != nb ? MPI_UNEQUAL : compare_members(a, b, na);
}

int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result)
{
    int rc = mpi__check_comm(comm1);
    if (rc == MPI_SUCCESS)
        rc = mpi__check_comm(comm2);
    if (rc == MPI_SUCCESS && !result)
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(comm1, rc, "MPI_Comm_compare");
    if (comm1 == comm2) {
        *result = MPI_IDENT;
        return MPI_SUCCESS;
    }
    int r = mpi__compare_members(comm1->world, comm1->size, comm2->world, comm2->size);
    *result = r == MPI_IDENT ? MPI_CONGRUENT : r;
    return MPI_SUCCESS;
}
