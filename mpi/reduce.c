/*
 * reduce.c - the reductions: reduce, allreduce, scan, exscan,
 * reduce_scatter_block, reduce_scatter.
 *
 * A predefined op on a predefined type libmpr knows goes straight to
 * libmpr. Everything else (MAXLOC/MINLOC, user ops, derived types, types
 * libmpr lacks) runs here on packed data, over the communicator's hidden
 * twin: a reduce where the root combines ranks in rank order (so
 * non-commutative ops are right), a chain for scan and exscan.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

#define TAG_REDUCE (MPI__TAG_COLL | 1)
#define TAG_SCAN (MPI__TAG_COLL | 2)

static int check(const void *sendbuf, const void *recvbuf, int count, MPI_Datatype type,
                 MPI_Op op, MPI_Comm comm)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && count < 0)
        rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS)
        rc = mpi__check_type(type);
    if (rc == MPI_SUCCESS)
        rc = mpi__check_op(op, type);
    if (rc == MPI_SUCCESS && count > 0 && (!sendbuf || !recvbuf))
        rc = MPI_ERR_BUFFER;
    return rc;
}

/* A packed copy of count elements at buf (recvbuf when IN_PLACE). */
static char *packed_copy(const void *buf, int count, MPI_Datatype type)
{
    size_t bytes = mpi__bytes(count, type);
    char *p = malloc(bytes ? bytes : 1);
    if (p)
        mpi__pack(buf, count, type, p);
    return p;
}

/* The generic path's buffers: mine, this rank's contribution packed (from
 * recvbuf when IN_PLACE), and, when asked for, work: room for count packed
 * elements. The caller frees both, whatever the result. */
static int generic_buffers(const void *sendbuf, const void *recvbuf, int count,
                           MPI_Datatype type, bool want_work, char **mine, char **work)
{
    size_t bytes = mpi__bytes(count, type);
    *mine = packed_copy(sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf, count, type);
    *work = want_work ? malloc(bytes ? bytes : 1) : NULL;
    return !*mine || (want_work && !*work) ? MPI_ERR_NO_MEM : MPI_SUCCESS;
}

/* The generic reduce: every rank's packed `mine` combined in rank order;
 * the result (packed) lands in `out` at root. */
static int generic_reduce(const char *mine, char *out, int count, MPI_Datatype type, MPI_Op op,
                          int root, MPI_Comm comm)
{
    size_t bytes = mpi__bytes(count, type);
    if (comm->rank != root)
        return mpi__from_mpr(mpr_send(mine, bytes, root, TAG_REDUCE, comm->sys));
    char *in = malloc(bytes ? bytes : 1);
    if (!in)
        return MPI_ERR_NO_MEM;
    int rc = MPI_SUCCESS;
    /* out = x[n-1]; then out = x[i] op out for i = n-2 .. 0 */
    for (int i = comm->size - 1; i >= 0 && rc == MPI_SUCCESS; i--) {
        char *dst = i == comm->size - 1 ? out : in;
        if (i == root)
            memcpy(dst, mine, bytes);
        else
            rc = mpi__from_mpr(mpr_recv(dst, bytes, i, TAG_REDUCE, comm->sys, MPR_STATUS_IGNORE));
        if (rc == MPI_SUCCESS && i != comm->size - 1)
            mpi__op_apply(op, type, in, out, count);
    }
    free(in);
    return rc;
}

/* The generic reduce from the user's buffers to root's recvbuf, or with
 * everywhere to every rank's (root then broadcasts the result). */
static int generic_reduce_to(const void *sendbuf, void *recvbuf, int count, MPI_Datatype type,
                             MPI_Op op, int root, bool everywhere, MPI_Comm comm)
{
    size_t bytes = mpi__bytes(count, type);
    bool result_here = everywhere || comm->rank == root;
    char *mine, *out;
    int rc = generic_buffers(sendbuf, recvbuf, count, type, result_here, &mine, &out);
    if (rc == MPI_SUCCESS)
        rc = generic_reduce(mine, out, count, type, op, root, comm);
    if (rc == MPI_SUCCESS && everywhere)
        rc = mpi__from_mpr(mpr_bcast(out, bytes, root, comm->sys));
    if (rc == MPI_SUCCESS && result_here)
        mpi__unpack(out, bytes, recvbuf, count, type);
    free(mine);
    free(out);
    return rc;
}

static int reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype type, MPI_Op op,
                  int root, MPI_Comm comm)
{
    mpr_op mop;
    if (mpi__op_native(op, type, &mop))
        return mpi__from_mpr(mpr_reduce(sendbuf, recvbuf, (size_t)count, type->mpr, mop, root,
                                        comm->comm));
    return generic_reduce_to(sendbuf, recvbuf, count, type, op, root, false, comm);
}

int MPI_Reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
               MPI_Op op, int root, MPI_Comm comm)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && (root < 0 || root >= comm->size))
        rc = MPI_ERR_ROOT;
    bool am_root = rc == MPI_SUCCESS && comm->rank == root;
    if (rc == MPI_SUCCESS)
        rc = check(sendbuf, am_root ? recvbuf : sendbuf, count, datatype, op, comm);
    if (rc == MPI_SUCCESS && sendbuf == MPI_IN_PLACE && !am_root)
        rc = MPI_ERR_BUFFER;
    if (rc == MPI_SUCCESS && count > 0)
        rc = reduce(sendbuf, recvbuf, count, datatype, op, root, comm);
    MPI__RET(comm, rc, "MPI_Reduce");
}

static int allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype type,
                     MPI_Op op, MPI_Comm comm)
{
    mpr_op mop;
    if (mpi__op_native(op, type, &mop))
        return mpi__from_mpr(mpr_allreduce(sendbuf, recvbuf, (size_t)count, type->mpr, mop,
                                           comm->comm));
    return generic_reduce_to(sendbuf, recvbuf, count, type, op, 0, true, comm);
}

int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                  MPI_Op op, MPI_Comm comm)
{
    int rc = check(sendbuf, recvbuf, count, datatype, op, comm);
    if (rc == MPI_SUCCESS && count > 0)
        rc = allreduce(sendbuf, recvbuf, count, datatype, op, comm);
    MPI__RET(comm, rc, "MPI_Allreduce");
}

/* Check, then scan (inclusive) or exscan along the chain of ranks. */
static int scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype type, MPI_Op op,
                MPI_Comm comm, bool inclusive)
{
    int rc = check(sendbuf, recvbuf, count, type, op, comm);
    if (rc != MPI_SUCCESS || count == 0)
        return rc;
    mpr_op mop;
    if (mpi__op_native(op, type, &mop))
        return mpi__from_mpr((inclusive ? mpr_scan : mpr_exscan)(
            sendbuf, recvbuf, (size_t)count, type->mpr, mop, comm->comm));
    size_t bytes = mpi__bytes(count, type);
    char *mine, *prev;
    rc = generic_buffers(sendbuf, recvbuf, count, type, true, &mine, &prev);
    int r = comm->rank;
    if (rc == MPI_SUCCESS && r > 0) {
        /* prev = ranks 0..r-1 combined; mine becomes 0..r */
        rc = mpi__from_mpr(mpr_recv(prev, bytes, r - 1, TAG_SCAN, comm->sys, MPR_STATUS_IGNORE));
        if (rc == MPI_SUCCESS && !inclusive)
            mpi__unpack(prev, bytes, recvbuf, count, type);
        if (rc == MPI_SUCCESS)
            mpi__op_apply(op, type, prev, mine, count);
    }
    if (rc == MPI_SUCCESS && r + 1 < comm->size)
        rc = mpi__from_mpr(mpr_send(mine, bytes, r + 1, TAG_SCAN, comm->sys));
    if (rc == MPI_SUCCESS && inclusive)
        mpi__unpack(mine, bytes, recvbuf, count, type);
    free(mine);
    free(prev);
    return rc;
}

int MPI_Scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
             MPI_Op op, MPI_Comm comm)
{
    MPI__RET(comm, scan(sendbuf, recvbuf, count, datatype, op, comm, true), "MPI_Scan");
}

int MPI_Exscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
               MPI_Op op, MPI_Comm comm)
{
    MPI__RET(comm, scan(sendbuf, recvbuf, count, datatype, op, comm, false), "MPI_Exscan");
}

/* Reduce everything to rank 0, then scatter block i (counts[i] elements)
 * to rank i. */
static int reduce_scatter(const void *sendbuf, void *recvbuf, const int counts[],
                          MPI_Datatype type, MPI_Op op, MPI_Comm comm)
{
    int n = comm->size, total = 0;
    for (int i = 0; i < n; i++)
        total += counts[i];
    if (total == 0)
        return MPI_SUCCESS;
    size_t bytes = mpi__bytes(total, type);
    char *all = comm->rank == 0 ? malloc(bytes) : NULL;
    int *displs = malloc(sizeof(int) * (size_t)n);
    int rc = (comm->rank == 0 && !all) || !displs ? MPI_ERR_NO_MEM : MPI_SUCCESS;
    const void *in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    /* all is laid out as the user's type (extent apart), like sendbuf */
    char *all_base = all;
    if (rc == MPI_SUCCESS && all && !type->contiguous) {
        free(all);
        size_t span = (size_t)(type->true_ub - type->true_lb) + (size_t)(total - 1) * (size_t)type->extent;
        all = malloc(span ? span : 1);
        all_base = all ? all - type->true_lb : NULL;
        if (!all)
            rc = MPI_ERR_NO_MEM;
    }
    if (rc == MPI_SUCCESS)
        rc = reduce(in, all_base, total, type, op, 0, comm);
    for (int i = 0, d = 0; rc == MPI_SUCCESS && i < n; d += counts[i], i++)
        displs[i] = d;
    if (rc == MPI_SUCCESS) {
        struct mpi__comm *c = comm;
        MPI_Errhandler eh = c->errhandler;
        c->errhandler = MPI_ERRORS_RETURN;
        rc = MPI_Scatterv(all_base, counts, displs, type, recvbuf, counts[comm->rank], type, 0, comm);
        c->errhandler = eh;
    }
    free(all);
    free(displs);
    return rc;
}

int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[],
                       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    int rc = check(sendbuf, recvbuf, 0, datatype, op, comm);
    if (rc == MPI_SUCCESS && !recvcounts)
        rc = MPI_ERR_ARG;
    for (int i = 0; rc == MPI_SUCCESS && i < comm->size; i++)
        if (recvcounts[i] < 0)
            rc = MPI_ERR_COUNT;
    if (rc == MPI_SUCCESS)
        rc = reduce_scatter(sendbuf, recvbuf, recvcounts, datatype, op, comm);
    MPI__RET(comm, rc, "MPI_Reduce_scatter");
}

int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                             MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    int rc = check(sendbuf, recvbuf, recvcount, datatype, op, comm);
    mpr_op mop;
    if (rc == MPI_SUCCESS && recvcount > 0 && mpi__op_native(op, datatype, &mop)) {
        rc = mpi__from_mpr(mpr_reduce_scatter_block(sendbuf, recvbuf, (size_t)recvcount,
                                                    datatype->mpr, mop, comm->comm));
    } else if (rc == MPI_SUCCESS && recvcount > 0) {
        int *counts = malloc(sizeof(int) * (size_t)comm->size);
        if (!counts) {
            rc = MPI_ERR_NO_MEM;
        } else {
            for (int i = 0; i < comm->size; i++)
                counts[i] = recvcount;
            rc = reduce_scatter(sendbuf, recvbuf, counts, datatype, op, comm);
            free(counts);
        }
    }
    MPI__RET(comm, rc, "MPI_Reduce_scatter_block");
}
