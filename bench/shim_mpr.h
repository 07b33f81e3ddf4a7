/* shim_mpr.h - the mpr-bench shim over libmpr (see shim.h). */
#ifndef BENCH_SHIM_MPR_H
#define BENCH_SHIM_MPR_H

#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

#define BENCH_API_NAME "mpr"

typedef mpr_request bench_request;

static inline int bench_init(int *argc, char ***argv)
{
    return mpr_init(argc, argv);
}

static inline int bench_finalize(void)
{
    return mpr_finalize();
}

static inline void bench_abort(int code)
{
    mpr_abort(MPR_COMM_WORLD, code);
    /* Only reached when mpr is not initialised: this process is alone. */
    exit(code);
}

static inline int bench_rank(int *rank)
{
    return mpr_comm_rank(MPR_COMM_WORLD, rank);
}

static inline int bench_size(int *size)
{
    return mpr_comm_size(MPR_COMM_WORLD, size);
}

static inline int bench_send(const void *buf, size_t len, int dest, int tag)
{
    return mpr_send(buf, len, dest, tag, MPR_COMM_WORLD);
}

static inline int bench_recv(void *buf, size_t len, int source, int tag)
{
    return mpr_recv(buf, len, source, tag, MPR_COMM_WORLD, MPR_STATUS_IGNORE);
}

static inline int bench_isend(const void *buf, size_t len, int dest, int tag,
                              bench_request *req)
{
    return mpr_isend(buf, len, dest, tag, MPR_COMM_WORLD, req);
}

static inline int bench_irecv(void *buf, size_t len, int source, int tag,
                              bench_request *req)
{
    return mpr_irecv(buf, len, source, tag, MPR_COMM_WORLD, req);
}

static inline int bench_waitall(int count, bench_request reqs[])
{
    return mpr_waitall(count, reqs, MPR_STATUSES_IGNORE);
}

static inline int bench_barrier(void)
{
    return mpr_barrier(MPR_COMM_WORLD);
}

static inline int bench_bcast(void *buf, size_t len, int root)
{
    return mpr_bcast(buf, len, root, MPR_COMM_WORLD);
}

#define BENCH_IN_PLACE MPR_IN_PLACE

static inline int bench_allreduce_sum(const void *sendbuf, double *recvbuf,
                                      size_t count)
{
    return mpr_allreduce(sendbuf, recvbuf, count, MPR_DOUBLE, MPR_SUM,
                         MPR_COMM_WORLD);
}

static inline int bench_reduce_sum(const void *sendbuf, double *recvbuf,
                                   size_t count, int root)
{
    return mpr_reduce(sendbuf, recvbuf, count, MPR_DOUBLE, MPR_SUM, root,
                      MPR_COMM_WORLD);
}

static inline int bench_gather(const void *sendbuf, size_t len, void *recvbuf,
                               int root)
{
    return mpr_gather(sendbuf, len, recvbuf, root, MPR_COMM_WORLD);
}

static inline int bench_scatter(const void *sendbuf, size_t len, void *recvbuf,
                                int root)
{
    return mpr_scatter(sendbuf, len, recvbuf, root, MPR_COMM_WORLD);
}

static inline int bench_allgather(const void *sendbuf, size_t len, void *recvbuf)
{
    return mpr_allgather(sendbuf, len, recvbuf, MPR_COMM_WORLD);
}

static inline int bench_alltoall(const void *sendbuf, size_t len, void *recvbuf)
{
    return mpr_alltoall(sendbuf, len, recvbuf, MPR_COMM_WORLD);
}

static inline double bench_wtime(void)
{
    return mpr_wtime();
}

static inline const char *bench_strerror(int err)
{
    return mpr_strerror(err);
}

static inline void bench_library_name(char *name, size_t len)
{
    snprintf(name, len, "mpr %d.%d", MPR_VERSION_MAJOR, MPR_VERSION_MINOR);
}

#endif /* BENCH_SHIM_MPR_H */
