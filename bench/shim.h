/*
 * shim.h - the few message-passing calls mpr-bench needs, so that one
 * measurement source builds against libmpr (default) or against MPI
 * (compile with -DBENCH_USE_MPI and an MPI compiler wrapper such as
 * mpicc.openmpi or mpicc.mpich).
 *
 * Every shim call returns 0 on success or a library error code that
 * bench_strerror() describes. All calls act on the whole job (the world
 * communicator). Each shim defines:
 *
 *   bench_request                     a non-blocking request handle
 *   BENCH_API_NAME                    "mpr" or "MPI"
 *   int    bench_init(int *argc, char ***argv)
 *   int    bench_finalize(void)
 *   void   bench_abort(int code)      ends the whole job; does not return
 *   int    bench_rank(int *rank), bench_size(int *size)
 *   int    bench_send(const void *buf, size_t len, int dest, int tag)
 *   int    bench_recv(void *buf, size_t len, int source, int tag)
 *   int    bench_isend(const void *buf, size_t len, int dest, int tag,
 *                      bench_request *req)
 *   int    bench_irecv(void *buf, size_t len, int source, int tag,
 *                      bench_request *req)
 *   int    bench_waitall(int count, bench_request reqs[])
 *   int    bench_barrier(void)
 *   int    bench_bcast(void *buf, size_t len, int root)
 *   int    bench_allreduce_sum(const void *sendbuf, double *recvbuf,
 *                              size_t count)
 *                                     sum of count doubles over all ranks;
 *                                     sendbuf may be BENCH_IN_PLACE
 *   int    bench_reduce_sum(const void *sendbuf, double *recvbuf,
 *                           size_t count, int root)
 *                                     the same, the sum reaching root only
 *   int    bench_gather(const void *sendbuf, size_t len, void *recvbuf,
 *                       int root)     len bytes from each rank, in rank
 *                                     order at root
 *   int    bench_scatter(const void *sendbuf, size_t len, void *recvbuf,
 *                        int root)    block i of root's sendbuf to rank i
 *   int    bench_allgather(const void *sendbuf, size_t len, void *recvbuf)
 *   int    bench_alltoall(const void *sendbuf, size_t len, void *recvbuf)
 *                                     block j of rank i's sendbuf to block
 *                                     i of rank j's recvbuf
 *   BENCH_IN_PLACE                    MPR_IN_PLACE or MPI_IN_PLACE
 *   double bench_wtime(void)          seconds, monotonic
 *   const char *bench_strerror(int err)
 *   void   bench_library_name(char *name, size_t len)  e.g. "Open MPI v4.1.4"
 *
 * Lengths never exceed BENCH_MAX_LEN, so an MPI count (int) always holds one.
 */
#ifndef BENCH_SHIM_H
#define BENCH_SHIM_H

#define BENCH_MAX_LEN ((size_t)1 << 30)

#ifdef BENCH_USE_MPI
#include "shim_mpi.h"
#else
#include "shim_mpr.h"
#endif

#endif /* BENCH_SHIM_H */
