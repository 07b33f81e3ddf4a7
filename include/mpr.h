/*
 * mpr.h - the public API of libmpr, an MPI-style message-passing runtime.
 *
 * A job is a set of processes ("ranks") started by mprun (or any PMIx
 * launcher). Ranks share nothing; they talk by sending tagged byte messages
 * within a communicator. A program started without a launcher runs as a
 * singleton job of size 1.
 *
 * Conventions:
 *  - Every function returns MPR_SUCCESS (0) or a negative MPR_ERR_* code;
 *    errno is never used to report errors. mpr_strerror() names a code.
 *  - Output arguments come last and are written only on success (statuses
 *    are the exception: they are filled for MPR_ERR_TRUNCATE too).
 *  - Calls that take a communicator, buffer, rank or tag check them first;
 *    bad arguments return MPR_ERR_ARG and nothing is sent or received.
 *  - The library is single-threaded: call it from one thread at a time.
 *  - Blocking calls spin briefly, then sleep, so jobs with more ranks than
 *    cores stay responsive.
 */
#ifndef MPR_H
#define MPR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPR_VERSION_MAJOR 0
#define MPR_VERSION_MINOR 1

/* The one list of error codes: X(name, value, description). */
#define MPR_ERROR_LIST(X)                                                     \
    X(MPR_SUCCESS, 0, "success")                                               \
    X(MPR_ERR_ARG, -1, "invalid argument")                                     \
    X(MPR_ERR_NOT_INIT, -2, "mpr_init has not been called")                    \
    X(MPR_ERR_FINALIZED, -3, "mpr_finalize has already been called")           \
    X(MPR_ERR_TRUNCATE, -4, "message longer than the receive buffer")         \
    X(MPR_ERR_NO_MEM, -5, "out of memory")                                     \
    X(MPR_ERR_SHM, -6, "shared memory unavailable (is /dev/shm mounted and not full?)") \
    X(MPR_ERR_PMIX, -7, "PMIx wire-up failed")                                 \
    X(MPR_ERR_PROC_FAILED, -8, "a peer process died")                          \
    X(MPR_ERR_IN_STATUS, -9, "error in one or more statuses (see each status)") \
    X(MPR_ERR_INTERNAL, -10, "internal error")                                 \
    X(MPR_ERR_ALREADY_INIT, -11, "mpr_init has already been called")           \
    X(MPR_ERR_PENDING, -12, "request not complete")                            \
    X(MPR_ERR_UNSUPPORTED, -13, "operation not supported")

enum mpr_error {
#define MPR__ERROR_ENUM(name, value, text) name = value,
    MPR_ERROR_LIST(MPR__ERROR_ENUM)
#undef MPR__ERROR_ENUM
};

/* Wildcards and special values for source ranks and tags. */
#define MPR_ANY_SOURCE (-1) /* receive from any rank */
#define MPR_ANY_TAG (-1)    /* receive any tag (tags sent must be >= 0) */
#define MPR_PROC_NULL (-2)  /* send/recv to this rank complete at once, moving nothing */
#define MPR_TAG_UB 0x3fffffff /* largest valid tag */

/* A communicator: a group of ranks with its own message space. Opaque. */
typedef struct mpr_comm *mpr_comm;
extern struct mpr_comm mpr__comm_world;
#define MPR_COMM_WORLD (&mpr__comm_world)

/* What a receive or probe found. */
typedef struct mpr_status {
    int source;   /* rank that sent the message */
    int tag;      /* tag it was sent with */
    int error;    /* MPR_SUCCESS or the error of this request (waitall) */
    size_t count; /* bytes in the message as sent (may exceed the buffer on truncation) */
} mpr_status;
#define MPR_STATUS_IGNORE ((mpr_status *)0)
#define MPR_STATUSES_IGNORE ((mpr_status *)0)

/* A non-blocking operation in flight. Opaque; MPR_REQUEST_NULL when done. */
typedef struct mpr_request *mpr_request;
#define MPR_REQUEST_NULL ((mpr_request)0)

/* ---- Start and end ---------------------------------------------------- */

/*
 * mpr_init - join the job. Reads rank and size from PMIx, maps shared memory
 * with the ranks on this host and exchanges endpoints. argc/argv may be NULL.
 * Collective over all ranks of the job; blocking.
 * Returns MPR_SUCCESS, MPR_ERR_ALREADY_INIT, MPR_ERR_FINALIZED, MPR_ERR_PMIX
 * (the launcher could not be reached or wire-up failed), MPR_ERR_SHM
 * (shared memory could not be created), MPR_ERR_NO_MEM.
 */
int mpr_init(int *argc, char ***argv);

/*
 * mpr_finalize - leave the job: waits for this rank's outstanding sends to be
 * delivered, synchronises with the other ranks, releases every resource.
 * Collective; blocking. Returns MPR_SUCCESS, MPR_ERR_NOT_INIT,
 * MPR_ERR_FINALIZED, MPR_ERR_PROC_FAILED.
 */
int mpr_finalize(void);

/* mpr_initialized - *flag = 1 between mpr_init and mpr_finalize, else 0. */
int mpr_initialized(int *flag);

/* mpr_finalized - *flag = 1 once mpr_finalize has returned, else 0. */
int mpr_finalized(int *flag);

/*
 * mpr_abort - end the whole job at once with exit code `code` (0..255;
 * others are taken modulo 256). The launcher kills every rank.
 * Does not return on success; returns MPR_ERR_ARG for a bad communicator.
 */
int mpr_abort(mpr_comm comm, int code);

/* ---- Who am I --------------------------------------------------------- */

/* mpr_comm_rank - this process's rank in comm (0..size-1).
 * Returns MPR_SUCCESS, MPR_ERR_ARG (NULL out or bad comm), MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED. */
int mpr_comm_rank(mpr_comm comm, int *rank);

/* mpr_comm_size - number of ranks in comm. Same returns as mpr_comm_rank. */
int mpr_comm_size(mpr_comm comm, int *size);

/* mpr_wtime - seconds since an arbitrary fixed point, from a monotonic clock.
 * Usable at any time, even before mpr_init. */
double mpr_wtime(void);

/* mpr_wtick - resolution of mpr_wtime in seconds. */
double mpr_wtick(void);

/* mpr_get_processor_name - the host name this rank runs on, NUL-terminated,
 * truncated to len bytes. Returns MPR_SUCCESS or MPR_ERR_ARG. */
int mpr_get_processor_name(char *name, size_t len);

/* mpr_strerror - a static description of an MPR_* code ("unknown error" for others). */
const char *mpr_strerror(int err);

/* mpr_error_name - the code's name, e.g. "MPR_ERR_TRUNCATE" ("MPR_ERR_UNKNOWN" for others). */
const char *mpr_error_name(int err);

/* ---- Point-to-point ----------------------------------------------------
 * Messages are `len` bytes. Tags are 0..MPR_TAG_UB. Messages from one sender
 * to one receiver on one communicator with one tag are received in the order
 * they were sent. A zero-length message (buf may be NULL) is valid.
 * Any rank may send to itself.
 */

/*
 * mpr_send - send len bytes to rank dest. Blocking: returns once buf may be
 * reused (small messages are buffered; large ones wait for the receiver).
 * Returns MPR_SUCCESS, MPR_ERR_ARG (bad comm/rank/tag, NULL buf with len > 0),
 * MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED, MPR_ERR_PROC_FAILED (dest died).
 */
int mpr_send(const void *buf, size_t len, int dest, int tag, mpr_comm comm);

/*
 * mpr_recv - receive a message matching (source or MPR_ANY_SOURCE, tag or
 * MPR_ANY_TAG) into buf of len bytes. Blocking. status may be
 * MPR_STATUS_IGNORE. If the message is longer than len, the first len bytes
 * are written, status->count holds the real size and MPR_ERR_TRUNCATE is
 * returned (the message is consumed). Other returns as mpr_send.
 */
int mpr_recv(void *buf, size_t len, int source, int tag, mpr_comm comm,
             mpr_status *status);

/*
 * mpr_isend / mpr_irecv - start a send or receive and return at once with
 * *req set. The buffer must not be touched until the request completes in
 * mpr_wait/mpr_test/mpr_waitall. Returns as mpr_send/mpr_recv (errors are
 * reported at once when the arguments are bad; *req is then untouched).
 */
int mpr_isend(const void *buf, size_t len, int dest, int tag, mpr_comm comm,
              mpr_request *req);
int mpr_irecv(void *buf, size_t len, int source, int tag, mpr_comm comm,
              mpr_request *req);

/*
 * mpr_wait - block until *req completes, fill status (may be IGNORE), free
 * the request and set *req to MPR_REQUEST_NULL. Waiting on MPR_REQUEST_NULL
 * returns at once with an empty status (source MPR_ANY_SOURCE, tag
 * MPR_ANY_TAG, count 0). Returns the request's result (MPR_SUCCESS,
 * MPR_ERR_TRUNCATE, MPR_ERR_PROC_FAILED) or MPR_ERR_ARG for a NULL req.
 */
int mpr_wait(mpr_request *req, mpr_status *status);

/*
 * mpr_waitall - wait for all count requests. statuses may be
 * MPR_STATUSES_IGNORE, else it holds count entries. Returns MPR_SUCCESS, or
 * MPR_ERR_IN_STATUS when any request failed (each status->error says which;
 * without statuses the first failing code is returned instead).
 */
int mpr_waitall(int count, mpr_request reqs[], mpr_status statuses[]);

/*
 * mpr_test - make progress and check *req without blocking. Sets *flag to 1
 * and completes the request as mpr_wait does when it is done, else *flag = 0.
 */
int mpr_test(mpr_request *req, int *flag, mpr_status *status);

/*
 * mpr_probe - block until a message matching (source, tag) can be received,
 * and describe it in status without receiving it.
 */
int mpr_probe(int source, int tag, mpr_comm comm, mpr_status *status);

/* mpr_iprobe - as mpr_probe but never blocks: *flag = 1 and status filled if
 * such a message is waiting, else *flag = 0. */
int mpr_iprobe(int source, int tag, mpr_comm comm, int *flag,
               mpr_status *status);

/*
 * mpr_sendrecv - send to dest and receive from source at the same time
 * (never deadlocks on a pair exchanging with each other). The two buffers
 * must not overlap. Returns the first error of either side.
 */
int mpr_sendrecv(const void *sendbuf, size_t sendlen, int dest, int sendtag,
                 void *recvbuf, size_t recvlen, int source, int recvtag,
                 mpr_comm comm, mpr_status *status);

/* ---- Collectives -------------------------------------------------------
 * Every rank of comm must call the same collectives in the same order with
 * matching arguments (same root, same len). Collectives never match
 * point-to-point messages.
 */

/* mpr_bcast - copy len bytes of root's buf into buf on every rank. Blocking.
 * Returns MPR_SUCCESS, MPR_ERR_ARG (bad root, NULL buf with len > 0),
 * MPR_ERR_TRUNCATE (this rank's len is smaller than root's), MPR_ERR_PROC_FAILED. */
int mpr_bcast(void *buf, size_t len, int root, mpr_comm comm);

/* mpr_barrier - return once every rank of comm has entered the barrier. */
int mpr_barrier(mpr_comm comm);

#ifdef __cplusplus
}
#endif

#endif /* MPR_H */
