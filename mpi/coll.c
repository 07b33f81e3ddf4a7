/*
 * coll.c - the collectives that move data: barrier, bcast, gather(v),
 * scatter(v), allgather(v), alltoall(v), on libmpr's byte collectives.
 * Contiguous datatypes go straight through; others are packed into a
 * temporary buffer first (the side that sends) or unpacked after (the
 * side that receives). Counts become byte lengths: MPI requires the type
 * signatures of sender and receiver to match, so bytes agree too.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

/*
 * One rank's array of n blocks (block i: counts[i] elements of type at
 * buf + displs[i] * extent) as libmpr sees it: ptr, with block i at
 * offs[i], lens[i] bytes. For a non-contiguous type ptr is a packed copy.
 */
struct blocks {
    char *user;
    MPI_Datatype type;
    int n;
    const int *counts, *displs; /* NULL: uniform blocks of count elements */
    int count;
    size_t *lens, *offs;
    char *tmp;
    void *ptr;
};

static int block_count(const struct blocks *b, int i)
{
    return b->counts ? b->counts[i] : b->count;
}

static MPI_Aint block_disp(const struct blocks *b, int i)
{
    return b->displs ? b->displs[i] : (MPI_Aint)i * b->count;
}

static int blocks_init(struct blocks *b, void *buf, MPI_Datatype type, int n, int count,
                       const int *counts, const int *displs)
{
    *b = (struct blocks){ .user = buf, .type = type, .n = n, .counts = counts,
                          .displs = displs, .count = count };
    b->lens = malloc(sizeof(size_t) * (size_t)n);
    b->offs = malloc(sizeof(size_t) * (size_t)n);
    if (!b->lens || !b->offs)
        return MPI_ERR_NO_MEM;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        b->lens[i] = mpi__bytes(block_count(b, i), type);
        b->offs[i] = type->contiguous ? (size_t)(block_disp(b, i) * type->extent) : total;
        total += b->lens[i];
    }
    if (type->contiguous || buf == MPI_IN_PLACE) {
        b->ptr = buf;
        return MPI_SUCCESS;
    }
    if (!(b->tmp = malloc(total ? total : 1)))
        return MPI_ERR_NO_MEM;
    b->ptr = b->tmp;
    return MPI_SUCCESS;
}

static void blocks_pack(struct blocks *b)
{
    for (int i = 0; b->tmp && i < b->n; i++)
        mpi__pack(b->user + block_disp(b, i) * b->type->extent, block_count(b, i), b->type,
                  b->tmp + b->offs[i]);
}

static void blocks_unpack(struct blocks *b)
{
    for (int i = 0; b->tmp && i < b->n; i++)
        mpi__unpack(b->tmp + b->offs[i], b->lens[i], b->user + block_disp(b, i) * b->type->extent,
                    block_count(b, i), b->type);
}

static void blocks_free(struct blocks *b)
{
    free(b->lens);
    free(b->offs);
    free(b->tmp);
}

/* One block: a packed copy when the type is not contiguous. */
struct one {
    void *user;
    int count;
    MPI_Datatype type;
    char *tmp;
    void *ptr;
    size_t len;
};

static int one_init(struct one *o, const void *buf, int count, MPI_Datatype type, bool pack)
{
    *o = (struct one){ .user = (void *)buf, .count = count, .type = type,
                       .len = mpi__bytes(count, type), .ptr = (void *)buf };
    if (type->contiguous || buf == MPI_IN_PLACE)
        return MPI_SUCCESS;
    if (!(o->tmp = malloc(o->len ? o->len : 1)))
        return MPI_ERR_NO_MEM;
    if (pack)
        mpi__pack(buf, count, type, o->tmp);
    o->ptr = o->tmp;
    return MPI_SUCCESS;
}

static void one_unpack(struct one *o)
{
    if (o->tmp)
        mpi__unpack(o->tmp, o->len, o->user, o->count, o->type);
}

/* Arguments common to every collective. */
static int check(MPI_Comm comm, int root)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && root != MPI_PROC_NULL && (root < 0 || root >= comm->size))
        rc = MPI_ERR_ROOT;
    return rc;
}

static int check_data(const void *buf, int count, MPI_Datatype type)
{
    if (count < 0)
        return MPI_ERR_COUNT;
    int rc = mpi__check_type(type);
    if (rc == MPI_SUCCESS && !buf && count > 0 && type->size > 0)
        rc = MPI_ERR_BUFFER;
    return rc;
}

static int check_counts(const int *counts, const int *displs, int n)
{
    if (!counts || !displs)
        return MPI_ERR_ARG;
    for (int i = 0; i < n; i++)
        if (counts[i] < 0)
            return MPI_ERR_COUNT;
    return MPI_SUCCESS;
}

/*
 * How a rank lays out its n blocks: the v collectives pass counts and
 * displacements (checked, then handed on to libmpr's v calls); the others
 * pass one count for uniform blocks, which libmpr's non-v calls move.
 */
struct layout {
    bool vector;
    int count;
    const int *counts, *displs;
};

static struct layout uniform(int count)
{
    return (struct layout){ .count = count };
}

static struct layout vector(const int *counts, const int *displs)
{
    return (struct layout){ .vector = true, .counts = counts, .displs = displs };
}

/* A v collective checks its arrays, then the buffer as for count 0. */
static int check_layout(const void *buf, const struct layout *l, MPI_Datatype type, int n)
{
    if (!l->vector)
        return check_data(buf, l->count, type);
    int rc = check_counts(l->counts, l->displs, n);
    return rc == MPI_SUCCESS ? check_data(buf, 0, type) : rc;
}

static int layout_blocks(struct blocks *b, void *buf, MPI_Datatype type, int n,
                         const struct layout *l)
{
    return blocks_init(b, buf, type, n, l->count, l->counts, l->displs);
}

int MPI_Barrier(MPI_Comm comm)
{
    int rc = check(comm, MPI_PROC_NULL);
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_barrier(comm->comm));
    MPI__RET(comm, rc, "MPI_Barrier");
}

int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
{
    int rc = check(comm, root);
    if (rc == MPI_SUCCESS)
        rc = check_data(buffer, count, datatype);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Bcast");
    struct one o;
    rc = one_init(&o, buffer, count, datatype, comm->rank == root);
    if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_bcast(o.ptr, o.len, root, comm->comm));
    if (rc == MPI_SUCCESS && comm->rank != root)
        one_unpack(&o);
    free(o.tmp);
    MPI__RET(comm, rc, "MPI_Bcast");
}

static int gather_blocks(const char *call, const void *sendbuf, int sendcount,
                         MPI_Datatype sendtype, void *recvbuf, struct layout rl,
                         MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    int rc = check(comm, root);
    bool am_root = rc == MPI_SUCCESS && comm->rank == root;
    bool in_place = am_root && sendbuf == MPI_IN_PLACE;
    if (rc == MPI_SUCCESS && !in_place)
        rc = check_data(sendbuf == MPI_IN_PLACE ? NULL : sendbuf, sendcount, sendtype);
    if (rc == MPI_SUCCESS && sendbuf == MPI_IN_PLACE && !am_root)
        rc = MPI_ERR_BUFFER;
    if (rc == MPI_SUCCESS && am_root)
        rc = check_layout(recvbuf, &rl, recvtype, comm->size);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, call);
    struct one s = { 0 };
    struct blocks r = { 0 };
    if (!in_place)
        rc = one_init(&s, sendbuf, sendcount, sendtype, true);
    if (rc == MPI_SUCCESS && am_root) {
        rc = layout_blocks(&r, recvbuf, recvtype, comm->size, &rl);
        if (rc == MPI_SUCCESS && in_place) {
            blocks_pack(&r);
            r.ptr = r.tmp ? (void *)r.tmp : recvbuf;
        }
    }
    if (rc == MPI_SUCCESS) {
        const void *send = in_place ? MPR_IN_PLACE : s.ptr;
        size_t len = in_place ? r.lens[root] : s.len;
        rc = mpi__from_mpr(rl.vector
                               ? mpr_gatherv(send, len, r.ptr, r.lens, r.offs, root, comm->comm)
                               : mpr_gather(send, len, r.ptr, root, comm->comm));
    }
    if (rc == MPI_SUCCESS && am_root)
        blocks_unpack(&r);
    free(s.tmp);
    blocks_free(&r);
    MPI__RET(comm, rc, call);
}

int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
               int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    return gather_blocks("MPI_Gather", sendbuf, sendcount, sendtype, recvbuf,
                         uniform(recvcount), recvtype, root, comm);
}

int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                MPI_Comm comm)
{
    return gather_blocks("MPI_Gatherv", sendbuf, sendcount, sendtype, recvbuf,
                         vector(recvcounts, displs), recvtype, root, comm);
}

static int scatter_blocks(const char *call, const void *sendbuf, struct layout sl,
                          MPI_Datatype sendtype, void *recvbuf, int recvcount,
                          MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    int rc = check(comm, root);
    bool am_root = rc == MPI_SUCCESS && comm->rank == root;
    bool in_place = am_root && recvbuf == MPI_IN_PLACE;
    if (rc == MPI_SUCCESS && am_root)
        rc = check_layout(sendbuf, &sl, sendtype, comm->size);
    if (rc == MPI_SUCCESS && !in_place)
        rc = check_data(recvbuf == MPI_IN_PLACE ? NULL : recvbuf, recvcount, recvtype);
    if (rc == MPI_SUCCESS && recvbuf == MPI_IN_PLACE && !am_root)
        rc = MPI_ERR_BUFFER;
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, call);
    struct one r = { 0 };
    struct blocks s = { 0 };
    if (!in_place)
        rc = one_init(&r, recvbuf, recvcount, recvtype, false);
    if (rc == MPI_SUCCESS && am_root) {
        rc = layout_blocks(&s, (void *)sendbuf, sendtype, comm->size, &sl);
        if (rc == MPI_SUCCESS)
            blocks_pack(&s);
    }
    if (rc == MPI_SUCCESS) {
        void *recv = in_place ? MPR_IN_PLACE : r.ptr;
        size_t len = in_place ? s.lens[root] : r.len;
        rc = mpi__from_mpr(sl.vector
                               ? mpr_scatterv(s.ptr, s.lens, s.offs, recv, len, root, comm->comm)
                               : mpr_scatter(s.ptr, len, recv, root, comm->comm));
    }
    if (rc == MPI_SUCCESS && !in_place)
        one_unpack(&r);
    free(r.tmp);
    blocks_free(&s);
    MPI__RET(comm, rc, call);
}

int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    return scatter_blocks("MPI_Scatter", sendbuf, uniform(sendcount), sendtype, recvbuf,
                          recvcount, recvtype, root, comm);
}

int MPI_Scatterv(const void *sendbuf, const int sendcounts[], const int displs[],
                 MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                 int root, MPI_Comm comm)
{
    return scatter_blocks("MPI_Scatterv", sendbuf, vector(sendcounts, displs), sendtype,
                          recvbuf, recvcount, recvtype, root, comm);
}

static int allgather_blocks(const char *call, const void *sendbuf, int sendcount,
                            MPI_Datatype sendtype, void *recvbuf, struct layout rl,
                            MPI_Datatype recvtype, MPI_Comm comm)
{
    int rc = check(comm, MPI_PROC_NULL);
    bool in_place = sendbuf == MPI_IN_PLACE;
    if (rc == MPI_SUCCESS && !in_place)
        rc = check_data(sendbuf, sendcount, sendtype);
    if (rc == MPI_SUCCESS)
        rc = check_layout(recvbuf, &rl, recvtype, comm->size);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, call);
    struct one s = { 0 };
    struct blocks r = { 0 };
    if (!in_place)
        rc = one_init(&s, sendbuf, sendcount, sendtype, true);
    if (rc == MPI_SUCCESS)
        rc = layout_blocks(&r, recvbuf, recvtype, comm->size, &rl);
    if (rc == MPI_SUCCESS && in_place)
        blocks_pack(&r);
    if (rc == MPI_SUCCESS) {
        const void *send = in_place ? MPR_IN_PLACE : s.ptr;
        size_t len = in_place ? r.lens[comm->rank] : s.len;
        rc = mpi__from_mpr(rl.vector
                               ? mpr_allgatherv(send, len, r.ptr, r.lens, r.offs, comm->comm)
                               : mpr_allgather(send, len, r.ptr, comm->comm));
    }
    if (rc == MPI_SUCCESS)
        blocks_unpack(&r);
    free(s.tmp);
    blocks_free(&r);
    MPI__RET(comm, rc, call);
}

int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    return allgather_blocks("MPI_Allgather", sendbuf, sendcount, sendtype, recvbuf,
                            uniform(recvcount), recvtype, comm);
}

int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                   MPI_Comm comm)
{
    return allgather_blocks("MPI_Allgatherv", sendbuf, sendcount, sendtype, recvbuf,
                            vector(recvcounts, displs), recvtype, comm);
}

/* Arguments checked: move the blocks (only the non-v one comes in place). */
static int alltoall_blocks(const void *sendbuf, struct layout sl, MPI_Datatype sendtype,
                           void *recvbuf, struct layout rl, MPI_Datatype recvtype,
                           MPI_Comm comm)
{
    bool in_place = sendbuf == MPI_IN_PLACE;
    struct blocks s = { 0 }, r = { 0 };
    int rc = MPI_SUCCESS;
    if (!in_place) {
        rc = layout_blocks(&s, (void *)sendbuf, sendtype, comm->size, &sl);
        if (rc == MPI_SUCCESS)
            blocks_pack(&s);
    }
    if (rc == MPI_SUCCESS)
        rc = layout_blocks(&r, recvbuf, recvtype, comm->size, &rl);
    if (rc == MPI_SUCCESS && in_place)
        blocks_pack(&r);
    if (rc == MPI_SUCCESS && rl.vector)
        rc = mpi__from_mpr(mpr_alltoallv(s.ptr, s.lens, s.offs, r.ptr, r.lens, r.offs,
                                         comm->comm));
    else if (rc == MPI_SUCCESS)
        rc = mpi__from_mpr(mpr_alltoall(in_place ? MPR_IN_PLACE : s.ptr,
                                        in_place ? mpi__bytes(rl.count, recvtype)
                                                 : mpi__bytes(sl.count, sendtype),
                                        r.ptr, comm->comm));
    if (rc == MPI_SUCCESS)
        blocks_unpack(&r);
    blocks_free(&s);
    blocks_free(&r);
    return rc;
}

int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                 int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    int rc = check(comm, MPI_PROC_NULL);
    if (rc == MPI_SUCCESS && sendbuf != MPI_IN_PLACE)
        rc = check_data(sendbuf, sendcount, sendtype);
    if (rc == MPI_SUCCESS)
        rc = check_data(recvbuf, recvcount, recvtype);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Alltoall");
    rc = alltoall_blocks(sendbuf, uniform(sendcount), sendtype, recvbuf, uniform(recvcount),
                         recvtype, comm);
    MPI__RET(comm, rc, "MPI_Alltoall");
}

int MPI_Alltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                  MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                  const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm)
{
    int rc = check(comm, MPI_PROC_NULL);
    if (rc == MPI_SUCCESS && sendbuf == MPI_IN_PLACE)
        rc = MPI_ERR_BUFFER; /* not provided in place */
    if (rc == MPI_SUCCESS)
        rc = check_counts(sendcounts, sdispls, comm->size);
    if (rc == MPI_SUCCESS)
        rc = check_counts(recvcounts, rdispls, comm->size);
    if (rc == MPI_SUCCESS)
        rc = check_data(sendbuf, 0, sendtype);
    if (rc == MPI_SUCCESS)
        rc = check_data(recvbuf, 0, recvtype);
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Alltoallv");
    rc = alltoall_blocks(sendbuf, vector(sendcounts, sdispls), sendtype, recvbuf,
                         vector(recvcounts, rdispls), recvtype, comm);
    MPI__RET(comm, rc, "MPI_Alltoallv");
}
