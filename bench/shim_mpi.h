/* shim_mpi.h - the mpr-bench shim over MPI (see shim.h). */
#ifndef BENCH_SHIM_MPI_H
#define BENCH_SHIM_MPI_H

#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#define BENCH_API_NAME "MPI"

typedef MPI_Request bench_request;

static inline int bench_init(int *argc, char ***argv)
{
    int rc = MPI_Init(argc, argv);
    if (rc != MPI_SUCCESS)
        return rc;
    /* Report errors as return codes, as libmpr does, instead of aborting. */
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static inline int bench_finalize(void)
{
    return MPI_Finalize();
}

static inline void bench_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

static inline int bench_rank(int *rank)
{
    return MPI_Comm_rank(MPI_COMM_WORLD, rank);
}

static inline int bench_size(int *size)
{
    return MPI_Comm_size(MPI_COMM_WORLD, size);
}

static inline int bench_send(const void *buf, size_t len, int dest, int tag)
{
    return MPI_Send(buf, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

static inline int bench_recv(void *buf, size_t len, int source, int tag)
{
    return MPI_Recv(buf, (int)len, MPI_BYTE, source, tag, MPI_COMM_WORLD,
                    MPI_STATUS_IGNORE);
}

static inline int bench_isend(const void *buf, size_t len, int dest, int tag,
                              bench_request *req)
{
    return MPI_Isend(buf, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD, req);
}

static inline int bench_irecv(void *buf, size_t len, int source, int tag,
                              bench_request *req)
{
    return MPI_Irecv(buf, (int)len, MPI_BYTE, source, tag, MPI_COMM_WORLD, req);
}

/* MPICH defines MPI_STATUSES_IGNORE as (MPI_Status *)1, which GCC's
 * -Wstringop-overflow mistakes for a zero-sized array. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
static inline int bench_waitall(int count, bench_request reqs[])
{
    return MPI_Waitall(count, reqs, MPI_STATUSES_IGNORE);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static inline int bench_barrier(void)
{
    return MPI_Barrier(MPI_COMM_WORLD);
}

static inline int bench_bcast(void *buf, size_t len, int root)
{
    return MPI_Bcast(buf, (int)len, MPI_BYTE, root, MPI_COMM_WORLD);
}

#define BENCH_IN_PLACE MPI_IN_PLACE

static inline int bench_allreduce_sum(const void *sendbuf, double *recvbuf,
                                      size_t count)
{
    return MPI_Allreduce(sendbuf, recvbuf, (int)count, MPI_DOUBLE, MPI_SUM,
                         MPI_COMM_WORLD);
}

static inline int bench_reduce_sum(const void *sendbuf, double *recvbuf,
                                   size_t count, int root)
{
    return MPI_Reduce(sendbuf, recvbuf, (int)count, MPI_DOUBLE, MPI_SUM, root,
                      MPI_COMM_WORLD);
}

static inline int bench_gather(const void *sendbuf, size_t len, void *recvbuf,
                               int root)
{
    return MPI_Gather(sendbuf, (int)len, MPI_BYTE, recvbuf, (int)len, MPI_BYTE,
                      root, MPI_COMM_WORLD);
}

static inline int bench_scatter(const void *sendbuf, size_t len, void *recvbuf,
                                int root)
{
    return MPI_Scatter(sendbuf, (int)len, MPI_BYTE, recvbuf, (int)len, MPI_BYTE,
                       root, MPI_COMM_WORLD);
}

static inline int bench_allgather(const void *sendbuf, size_t len, void *recvbuf)
{
    return MPI_Allgather(sendbuf, (int)len, MPI_BYTE, recvbuf, (int)len,
                         MPI_BYTE, MPI_COMM_WORLD);
}

static inline int bench_alltoall(const void *sendbuf, size_t len, void *recvbuf)
{
    return MPI_Alltoall(sendbuf, (int)len, MPI_BYTE, recvbuf, (int)len,
                        MPI_BYTE, MPI_COMM_WORLD);
}

static inline double bench_wtime(void)
{
    return MPI_Wtime();
}

static inline const char *bench_strerror(int err)
{
    static char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", err);
    return text;
}

/* Names the MPI implementation from its header's version macros. */
static inline void bench_library_name(char *name, size_t len)
{
#if defined(OPEN_MPI)
    snprintf(name, len, "Open MPI %d.%d.%d", OMPI_MAJOR_VERSION,
             OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION);
#elif defined(MPICH_VERSION)
    snprintf(name, len, "MPICH %s", MPICH_VERSION);
#else
    snprintf(name, len, "MPI %d.%d", MPI_VERSION, MPI_SUBVERSION);
#endif
}

#endif /* BENCH_SHIM_MPI_H */
