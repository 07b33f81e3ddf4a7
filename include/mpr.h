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
 *  - Output arguments come last and are written only on success (statuses,
 *    and mpr_queue_get's and mpr_pipe_recv's *len_out are the exception:
 *    they are filled for MPR_ERR_TRUNCATE too).
 *  - Calls that take a communicator, buffer, rank or tag check them first;
 *    bad arguments return MPR_ERR_ARG and nothing is sent or received.
 *  - The library is single-threaded: call it from one thread at a time.
 *  - Blocking calls spin briefly, then sleep, so jobs with more ranks than
 *    cores stay responsive.
 */
#ifndef MPR_H
#define MPR_H

#include <stddef.h>
#include <stdint.h>

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
    X(MPR_ERR_PROC_FAILED, -8, "a rank this operation needs has ended")        \
    X(MPR_ERR_IN_STATUS, -9, "error in one or more statuses (see each status)") \
    X(MPR_ERR_INTERNAL, -10, "internal error")                                 \
    X(MPR_ERR_ALREADY_INIT, -11, "mpr_init has already been called")           \
    X(MPR_ERR_PENDING, -12, "request not complete")                            \
    X(MPR_ERR_UNSUPPORTED, -13, "operation not supported")                    \
    X(MPR_ERR_FULL, -14, "queue full")                                         \
    X(MPR_ERR_EMPTY, -15, "queue empty")                                       \
    X(MPR_ERR_TIMEOUT, -16, "timed out")                                       \
    X(MPR_ERR_BUSY, -17, "semaphore or lock not available right now")          \
    X(MPR_ERR_NOT_OWNER, -18, "the lock is not held by this rank")             \
    X(MPR_ERR_VALUE, -19, "not valid in the object's current state") \
    X(MPR_ERR_DEADLOCK, -20, "would deadlock: this rank already holds the lock") \
    X(MPR_ERR_COLL_MISMATCH, -21,                                              \
      "collective mismatch: ranks made different calls or passed different arguments (MPR_CHECK)") \
    X(MPR_ERR_BROKEN, -22,                                                     \
      "the barrier object is broken (a wait timed out, or it was aborted or reset); reset it to use it again") \
    X(MPR_ERR_EOF, -23, "the other end of the pipe is closed")

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
#define MPR_COMM_NULL ((mpr_comm)0)
#define MPR_UNDEFINED (-32766) /* mpr_comm_split color: "no communicator for me" */

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
 * (shared memory could not be created), MPR_ERR_ARG (an MPR_* environment
 * variable has a value it may not have, see README.md, or MPR_TCP_IF or
 * MPR_TCP_ADDR names no usable address), MPR_ERR_NO_MEM, MPR_ERR_INTERNAL
 * (a socket could not be set up). Each failure prints one line on stderr.
 */
int mpr_init(int *argc, char ***argv);

/*
 * mpr_finalize - leave the job: tells the other ranks that nothing more
 * will come from this one, waits for its outstanding sends to be
 * delivered, synchronises with the other ranks, releases every resource.
 * Collective; blocking. A rank still waiting for this one in a receive
 * naming it or in a collective gets MPR_ERR_PROC_FAILED (see "When a rank
 * ends" below); its wildcard receives go on. Returns MPR_SUCCESS,
 * MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED, MPR_ERR_PROC_FAILED, and with
 * MPR_CHECK=1 (see "Collectives") MPR_ERR_COLL_MISMATCH when another rank
 * is in a collective instead: then nothing is done, the library stays
 * initialized.
 *
 * When a rank ends. A rank has ended when it has called mpr_finalize, or
 * when it is gone without doing so (exit, crash, lost host: it "failed").
 * Then every operation that needs it returns MPR_ERR_PROC_FAILED within
 * about a second instead of waiting, on every transport, whether or not
 * this rank ever exchanged anything with it: a receive or probe naming it
 * (once what it sent before is received), a collective of a communicator
 * it belongs to, and, when it failed, a wildcard receive or probe on such
 * a communicator (posted before or after) and a blocking call on a shared
 * object of such a communicator. Messages it sent before it ended are
 * still delivered. mprun ends the job when a rank fails, unless started
 * with --enable-recovery.
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
 * Flow control: a sender may have at most MPR_UNEXPECTED_BYTES (default
 * 4 MiB, counting 64 bytes per message besides the payload) buffered at one
 * receiver and not yet received there; past that a send of any size waits
 * for its receive to be posted (only its envelope travels), so a flood of
 * unreceived messages costs the receiver memory for the bound plus about
 * 100 bytes per message. While it waits the rank keeps taking in its own
 * messages. mpr_isend never blocks. (Over shared memory without CMA,
 * MPR_SHM_CMA=0 or no ptrace permission, there is no rendezvous: messages
 * are then buffered past the bound.)
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
 * mpr_waitany - block until one of the count requests completes, then
 * complete it as mpr_wait does (its entry becomes MPR_REQUEST_NULL) and
 * set *index to its position. MPR_REQUEST_NULL entries are skipped; when
 * every entry is MPR_REQUEST_NULL it returns at once with *index =
 * MPR_UNDEFINED and an empty status. Returns that request's result, or
 * MPR_ERR_ARG (negative count, NULL reqs with count > 0, NULL index).
 */
int mpr_waitany(int count, mpr_request reqs[], int *index, mpr_status *status);

/*
 * mpr_waitsome - block until at least one of the count requests completes,
 * then complete every one that has (as mpr_wait does): *outcount of them,
 * their positions in indices[], their statuses in statuses[] (may be
 * MPR_STATUSES_IGNORE) and their results in results[] (each array holds
 * count entries). MPR_REQUEST_NULL entries are skipped; when every entry
 * is MPR_REQUEST_NULL it returns at once with *outcount = MPR_UNDEFINED.
 * Returns MPR_SUCCESS, or MPR_ERR_ARG (negative count, NULL reqs with
 * count > 0, NULL outcount, indices or results).
 */
int mpr_waitsome(int count, mpr_request reqs[], int *outcount, int indices[],
                 mpr_status statuses[], int results[]);

/*
 * mpr_test - make progress and check *req without blocking. Sets *flag to 1
 * and completes the request as mpr_wait does when it is done, else *flag = 0.
 */
int mpr_test(mpr_request *req, int *flag, mpr_status *status);

/*
 * mpr_probe - block until a message matching (source, tag) can be received,
 * and describe it in status without receiving it. Returns MPR_SUCCESS,
 * MPR_ERR_ARG, MPR_ERR_PROC_FAILED (no such message can come any more:
 * see "When a rank ends" at mpr_finalize).
 */
int mpr_probe(int source, int tag, mpr_comm comm, mpr_status *status);

/* mpr_iprobe - as mpr_probe but never blocks: *flag = 1 and status filled if
 * such a message is waiting, else *flag = 0; MPR_ERR_PROC_FAILED (flag
 * untouched) once no such message can come any more. */
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

/* ---- Communicators -----------------------------------------------------
 * A new communicator has its own message space: messages and collectives
 * on it never match those of any other communicator (its parent included).
 * Creation is collective over the parent: every rank of the parent calls
 * the same creations in the same order. Blocking.
 */

/*
 * mpr_comm_dup - a communicator with the same ranks as comm, in the same
 * order, and a new message space. Returns MPR_SUCCESS with *newcomm set,
 * MPR_ERR_ARG (bad comm, NULL newcomm), MPR_ERR_NO_MEM, MPR_ERR_PROC_FAILED.
 */
int mpr_comm_dup(mpr_comm comm, mpr_comm *newcomm);

/*
 * mpr_comm_split - split comm into one communicator per color (>= 0): the
 * ranks that passed the same color share one, ranked by key, ties broken
 * by their rank in comm. A rank passing MPR_UNDEFINED gets MPR_COMM_NULL.
 * Returns MPR_SUCCESS with *newcomm set, MPR_ERR_ARG (bad comm, NULL
 * newcomm, color < 0 other than MPR_UNDEFINED: when the communicator is
 * good, every rank takes part and all return MPR_ERR_ARG), MPR_ERR_NO_MEM,
 * MPR_ERR_PROC_FAILED.
 */
int mpr_comm_split(mpr_comm comm, int color, int key, mpr_comm *newcomm);

/*
 * mpr_comm_free - release a communicator made by dup or split and set
 * *comm to MPR_COMM_NULL. Local (not synchronising), but every rank should
 * free it once all its messages and collectives on it are complete.
 * MPR_COMM_WORLD cannot be freed. Returns MPR_SUCCESS, MPR_ERR_ARG (NULL
 * comm or *comm, MPR_COMM_WORLD). Using a freed communicator is undefined
 * (a stale handle is usually, not always, caught as MPR_ERR_ARG).
 */
int mpr_comm_free(mpr_comm *comm);

/* ---- Data types and reduction operations ------------------------------
 * Reductions combine arrays of `count` elements of one data type,
 * element by element. Other collectives move bytes.
 */
typedef int mpr_datatype;
#define MPR_BYTE 1          /* uint8_t; bitwise ops only */
#define MPR_CHAR 2          /* char (signed on this ABI for arithmetic) */
#define MPR_SIGNED_CHAR 3   /* signed char */
#define MPR_UNSIGNED_CHAR 4 /* unsigned char */
#define MPR_SHORT 5
#define MPR_UNSIGNED_SHORT 6
#define MPR_INT 7
#define MPR_UNSIGNED 8
#define MPR_LONG 9
#define MPR_UNSIGNED_LONG 10
#define MPR_LONG_LONG 11
#define MPR_UNSIGNED_LONG_LONG 12
#define MPR_INT8 13
#define MPR_UINT8 14
#define MPR_INT16 15
#define MPR_UINT16 16
#define MPR_INT32 17
#define MPR_UINT32 18
#define MPR_INT64 19
#define MPR_UINT64 20
#define MPR_FLOAT 21
#define MPR_DOUBLE 22
#define MPR_LONG_DOUBLE 23
#define MPR_SIZE_T 24

/* mpr_type_size - bytes per element of datatype. Returns MPR_SUCCESS or
 * MPR_ERR_ARG (unknown datatype, NULL size). Usable before mpr_init. */
int mpr_type_size(mpr_datatype datatype, size_t *size);

/* A reduction operation. Predefined ones work on the types they make sense
 * for (an op on a type it does not support is MPR_ERR_ARG):
 * SUM, PROD, MIN, MAX: integer and floating types (not MPR_BYTE);
 * LAND, LOR, LXOR: integer types (0 is false, anything else true; result 0 or 1);
 * BAND, BOR, BXOR: integer types and MPR_BYTE. */
typedef int mpr_op;
#define MPR_OP_NULL 0
#define MPR_SUM 1
#define MPR_PROD 2
#define MPR_MIN 3
#define MPR_MAX 4
#define MPR_LAND 5
#define MPR_LOR 6
#define MPR_LXOR 7
#define MPR_BAND 8
#define MPR_BOR 9
#define MPR_BXOR 10

/* A user reduction: inout[i] = in[i] op inout[i] for i < count, where in
 * comes from lower ranks than inout when the op is not commutative. */
typedef void mpr_user_function(const void *in, void *inout, size_t count,
                               mpr_datatype datatype);

/*
 * mpr_op_create - make an op from fn. commute is 1 if fn is commutative
 * (any order of combination is then allowed), 0 if only associative
 * (ranks are combined in rank order). User ops accept every datatype.
 * Local; usable before mpr_init. Returns MPR_SUCCESS with *op set,
 * MPR_ERR_ARG (NULL fn or op), MPR_ERR_NO_MEM (too many ops).
 */
int mpr_op_create(mpr_user_function *fn, int commute, mpr_op *op);

/* mpr_op_free - release a user op and set *op to MPR_OP_NULL. Returns
 * MPR_SUCCESS or MPR_ERR_ARG (NULL, predefined or unknown op). */
int mpr_op_free(mpr_op *op);

/* ---- Collectives -------------------------------------------------------
 * Every rank of comm must call the same collectives in the same order with
 * matching arguments (same root, same len or count and type, same op).
 * Collectives never match point-to-point messages, nor collectives on
 * other communicators. All are blocking.
 *
 * MPR_IN_PLACE as a send buffer means "my contribution is already in the
 * receive buffer" where MPI allows it: at the root of reduce and gather(v),
 * on every rank of allreduce, scan, exscan, reduce_scatter_block,
 * allgather(v) and alltoall; as the root's
 * receive buffer of scatter(v), "keep my block where it is in sendbuf".
 *
 * Returns common to the collectives: MPR_SUCCESS, MPR_ERR_NOT_INIT,
 * MPR_ERR_FINALIZED, MPR_ERR_ARG (bad comm, root out of range, NULL buffer
 * where bytes must go, unknown datatype or op, op unsupported for the
 * type, MPR_IN_PLACE where it is not allowed), MPR_ERR_NO_MEM,
 * MPR_ERR_PROC_FAILED. Mismatches between ranks that are detected are
 * listed with each call; the others make the result undefined.
 *
 * Checking mode: with MPR_CHECK=1 in the environment of every rank (read
 * at mpr_init; e.g. `mprun -x MPR_CHECK=1`), each collective, each
 * creation and freeing of a shared object, mpr_comm_dup/split and
 * mpr_finalize first
 * compares, across the ranks of its communicator, what each rank called:
 * the call, the communicator, the root, the len or count (not the
 * per-rank counts of the v-variants, nor a creation's arguments, of which
 * rank 0's are used), the datatype, the op, and which object is freed.
 * If any differs, every rank of the call returns MPR_ERR_COLL_MISMATCH
 * before anything is sent or written (a free that fails so keeps the
 * object and its handle), rank 0 of the communicator prints one line,
 *     mpr: rank 0: collective mismatch on comm 0x0: rank 0 called
 *     queue_free(object 0-0), rank 1 called barrier
 * (on one line), and later collectives work as before. The comparison
 * comes after each call's own argument checks, so a rank whose arguments
 * are bad returns MPR_ERR_ARG alone, as without the mode. Calls on two
 * different communicators are caught between ranks that belong to both.
 * The comparison costs a message to and from every other rank per call;
 * without MPR_CHECK (or with MPR_CHECK=0) it costs one test of a flag.
 */
#define MPR_IN_PLACE ((void *)1)

/* mpr_bcast - copy len bytes of root's buf into buf on every rank. Blocking.
 * Returns MPR_SUCCESS, MPR_ERR_ARG (bad root, NULL buf with len > 0),
 * MPR_ERR_TRUNCATE (the one mismatch detected: this rank's len is smaller
 * than root's; the first len bytes are written), MPR_ERR_PROC_FAILED.
 * Ranks that receive through a short rank (its subtree of a point-to-point
 * tree, or the other ranks of its host when it leads its host in a bcast
 * across hosts) may get only its len bytes, without an error; within one
 * host through shared memory, and along the chain of large messages, they
 * get everything. A len larger than root's, or ranks naming different roots, are not
 * detected: the result is undefined and the call may hang. With MPR_CHECK=1
 * every such difference, short lens included, is MPR_ERR_COLL_MISMATCH on
 * every rank. */
int mpr_bcast(void *buf, size_t len, int root, mpr_comm comm);

/* mpr_barrier - return once every rank of comm has entered the barrier. */
int mpr_barrier(mpr_comm comm);

/*
 * mpr_reduce - combine count elements of datatype from every rank's
 * sendbuf with op into root's recvbuf (recvbuf is ignored elsewhere and
 * may be NULL there). Ranks are combined in rank order unless op commutes.
 * sendbuf may be MPR_IN_PLACE at root only. count 0 returns at once.
 * Returns the common codes (above), and MPR_ERR_TRUNCATE on a rank that
 * received more elements than its count from another rank (the only
 * mismatch detected: different counts, types, ops or roots otherwise give
 * undefined results and may hang; with MPR_CHECK=1 each of them, counts
 * included, is MPR_ERR_COLL_MISMATCH on every rank).
 */
int mpr_reduce(const void *sendbuf, void *recvbuf, size_t count,
               mpr_datatype datatype, mpr_op op, int root, mpr_comm comm);

/* mpr_allreduce - mpr_reduce with the result in every rank's recvbuf
 * (sendbuf may be MPR_IN_PLACE on every rank). Returns as mpr_reduce.
 * Every rank gets the same result. */
int mpr_allreduce(const void *sendbuf, void *recvbuf, size_t count,
                  mpr_datatype datatype, mpr_op op, mpr_comm comm);

/* mpr_scan - inclusive prefix reduction: rank i's recvbuf gets ranks
 * 0..i's sendbufs combined in rank order. sendbuf may be MPR_IN_PLACE.
 * Returns as mpr_reduce. */
int mpr_scan(const void *sendbuf, void *recvbuf, size_t count,
             mpr_datatype datatype, mpr_op op, mpr_comm comm);

/* mpr_exscan - exclusive prefix reduction: rank i > 0 gets ranks 0..i-1
 * combined; rank 0's recvbuf is not written. sendbuf may be MPR_IN_PLACE.
 * Returns as mpr_reduce. */
int mpr_exscan(const void *sendbuf, void *recvbuf, size_t count,
               mpr_datatype datatype, mpr_op op, mpr_comm comm);

/* mpr_reduce_scatter_block - combine size*recvcount elements from every
 * rank's sendbuf as mpr_allreduce would, and give rank i only elements
 * [i*recvcount, (i+1)*recvcount) in its recvbuf. With MPR_IN_PLACE the
 * input is in recvbuf (size*recvcount elements) and the result lands at
 * its start. Returns as mpr_reduce. */
int mpr_reduce_scatter_block(const void *sendbuf, void *recvbuf,
                             size_t recvcount, mpr_datatype datatype,
                             mpr_op op, mpr_comm comm);

/*
 * Gather, scatter, allgather and alltoall move blocks of bytes. A len of 0
 * (the same on every rank) returns at once. In the v-variants each
 * rank-to-rank block is one message, possibly empty; where a receiver
 * expects fewer bytes than are sent to it, the first bytes are kept and
 * that receiver returns MPR_ERR_TRUNCATE after the whole call (a rank's
 * own block is treated the same way). Fewer bytes than expected leave the
 * rest of the block untouched. Other mismatches (roots, lens, arrays
 * that differ between ranks where they must agree) are not detected
 * unless MPR_CHECK=1, which catches different roots and lens (not arrays).
 */

/*
 * mpr_gather - root receives each rank's len bytes, rank i's at offset
 * i*len of recvbuf (size*len bytes; ignored on other ranks). sendbuf may
 * be MPR_IN_PLACE at root (its block is already in recvbuf).
 */
int mpr_gather(const void *sendbuf, size_t len, void *recvbuf, int root,
               mpr_comm comm);

/* mpr_gatherv - as mpr_gather, but rank i sends recvlens[i] bytes, placed
 * at recvbuf + displs[i] (both arrays read at root only). A rank sending
 * more than root expects from it makes root return MPR_ERR_TRUNCATE. */
int mpr_gatherv(const void *sendbuf, size_t sendlen, void *recvbuf,
                const size_t recvlens[], const size_t displs[], int root,
                mpr_comm comm);

/* mpr_scatter - rank i receives len bytes from root's sendbuf at offset
 * i*len (sendbuf read at root only). recvbuf may be MPR_IN_PLACE at root
 * (root's block stays where it is in sendbuf). */
int mpr_scatter(const void *sendbuf, size_t len, void *recvbuf, int root,
                mpr_comm comm);

/* mpr_scatterv - as mpr_scatter with sendlens[i] bytes at sendbuf +
 * displs[i] for rank i (arrays read at root only); a rank whose recvlen
 * is smaller than what root sends it gets MPR_ERR_TRUNCATE. */
int mpr_scatterv(const void *sendbuf, const size_t sendlens[],
                 const size_t displs[], void *recvbuf, size_t recvlen,
                 int root, mpr_comm comm);

/* mpr_allgather - every rank receives every rank's len bytes, rank i's at
 * offset i*len of recvbuf. sendbuf may be MPR_IN_PLACE on every rank. */
int mpr_allgather(const void *sendbuf, size_t len, void *recvbuf,
                  mpr_comm comm);

/* mpr_allgatherv - as mpr_allgather with recvlens[i] bytes from rank i at
 * recvbuf + displs[i] (the arrays must be the same on every rank; sendlen
 * should be recvlens[rank]). sendbuf may be MPR_IN_PLACE. */
int mpr_allgatherv(const void *sendbuf, size_t sendlen, void *recvbuf,
                   const size_t recvlens[], const size_t displs[],
                   mpr_comm comm);

/* mpr_alltoall - rank i sends the len bytes at sendbuf + j*len to rank j,
 * which stores them at its recvbuf + i*len. sendbuf may be MPR_IN_PLACE
 * (each rank's blocks to send are in recvbuf and are replaced). */
int mpr_alltoall(const void *sendbuf, size_t len, void *recvbuf,
                 mpr_comm comm);

/* mpr_alltoallv - as mpr_alltoall with sendlens[j] bytes at sendbuf +
 * sdispls[j] going to rank j, and recvlens[i] bytes from rank i stored at
 * recvbuf + rdispls[i]. All four arrays are needed on every rank;
 * MPR_IN_PLACE is not allowed. */
int mpr_alltoallv(const void *sendbuf, const size_t sendlens[],
                  const size_t sdispls[], void *recvbuf,
                  const size_t recvlens[], const size_t rdispls[],
                  mpr_comm comm);

/* ---- Shared objects ---------------------------------------------------
 * A queue, an event, a semaphore, a lock, a recursive lock, a barrier and
 * a condition variable shared by every rank of a communicator, in the
 * spirit of Python's multiprocessing. They are created
 * and freed collectively; in between any rank may use any object, with no
 * help from the others. An object lives in shared memory on the host of
 * the communicator's rank 0 (its home): ranks of that host use it
 * directly, and a blocked rank sleeps on a futex that the rank unblocking
 * it wakes directly. Ranks of other hosts send each call over TCP to a
 * thread of rank 0 that performs it there (rank 0 need not call mpr for
 * that) and answers; they keep their own messages moving while they wait.
 * Semantics are the same everywhere (exactly once, timeouts, lock
 * owners); a lost connection to the home makes calls of the ranks of
 * other hosts return MPR_ERR_PROC_FAILED.
 *
 * Creation and freeing: every rank of comm calls *_create (and later
 * *_free) on the same objects in the same order with the same arguments
 * (rank 0's are used). Both are blocking. Free an object before
 * mpr_finalize, and only once no rank uses it any more.
 *
 * Timeouts are seconds as a double: < 0 (or MPR_WAIT_FOREVER) waits as long
 * as it takes, 0 (MPR_NO_WAIT) does not wait at all, > 0 waits at most that
 * long (NaN is MPR_ERR_ARG). A call that gives up because the timeout ran
 * out returns MPR_ERR_TIMEOUT; with a timeout of 0 the put, get and acquire
 * calls return their "not now" code instead (MPR_ERR_FULL, MPR_ERR_EMPTY,
 * MPR_ERR_BUSY), exactly as their *_nowait/try_* forms do. A call that
 * fails or times out has changed nothing: no item is lost or duplicated,
 * no count is taken, no notification is lost. (Two exceptions, as in
 * Python: a barrier object's wait that times out breaks the barrier, and
 * a condition's wait takes its lock back before it returns.)
 *
 * Waiting spins briefly, then yields, then sleeps (as the message calls
 * do), and keeps point-to-point messages of this rank moving meanwhile.
 * A blocked call returns MPR_ERR_PROC_FAILED if a rank of the
 * communicator is found dead (checked every 100 ms while asleep); in
 * practice mprun ends the job first.
 *
 * Returns common to every call below: MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED,
 * MPR_ERR_ARG for a NULL handle (or a NULL output pointer, or a bad
 * communicator for *_create). Every create may also return MPR_ERR_NO_MEM,
 * MPR_ERR_SHM (the shared memory could not be created or mapped; the
 * message on stderr says why), MPR_ERR_PROC_FAILED (a rank died during the
 * collective, or the service of rank 0 could not be reached) and
 * MPR_ERR_INTERNAL (rank 0 could not start its service: the message on
 * stderr says why).
 */

typedef struct mpr_queue *mpr_queue;         /* opaque */
typedef struct mpr_event *mpr_event;         /* opaque */
typedef struct mpr_semaphore *mpr_semaphore; /* opaque */
typedef struct mpr_lock *mpr_lock;           /* opaque */
typedef struct mpr_rlock *mpr_rlock;         /* opaque */
typedef struct mpr_barrier_object *mpr_barrier_object; /* opaque */
typedef struct mpr_condition *mpr_condition; /* opaque */

#define MPR_WAIT_FOREVER (-1.0)
#define MPR_NO_WAIT 0.0

/* Largest maxsize of a bounded queue, and largest max_item_bytes. */
#define MPR_QUEUE_MAXSIZE_MAX ((size_t)1 << 24)
#define MPR_QUEUE_ITEM_MAX ((size_t)1 << 28)
/* max_item_bytes when 0 is given. */
#define MPR_QUEUE_ITEM_DEFAULT ((size_t)64 << 10)

/*
 * mpr_queue_create - a FIFO queue of byte items (Python's JoinableQueue).
 * Collective over comm; blocking. maxsize is the most items it holds
 * (1..MPR_QUEUE_MAXSIZE_MAX), or 0 for "unbounded": then it holds up to
 * 65536 items. Items are 0 to max_item_bytes bytes (0 means
 * MPR_QUEUE_ITEM_DEFAULT, 64 KiB; at most MPR_QUEUE_ITEM_MAX). Items of up
 * to 48 bytes sit in their slot; longer ones take data room in 1 KiB
 * blocks (n bytes take n rounded up to 1 KiB) from 32 MiB at most, so an
 * unbounded queue holds, e.g., 32768 items of 1 KiB or 512 of 64 KiB
 * (a bounded queue has room for maxsize items of max_item_bytes, up to
 * 32 MiB, beyond which large items share that room; one whose slots can
 * hold whole items, up to 16 MiB of them, needs no data room). A put that
 * does not fit behaves as on a full queue. Rank 0's environment may set
 * MPR_QUEUE_ITEMS (an unbounded queue's items, 1..MPR_QUEUE_MAXSIZE_MAX)
 * and MPR_QUEUE_DATA_BYTES (the data room, 1..2^36); another value of
 * either is refused: one line on stderr, MPR_ERR_ARG on every rank.
 * Memory: the slots (64 bytes per item of capacity, or whole items) and
 * 256 KiB of data room (or one largest item) are allocated in /dev/shm
 * now (MPR_ERR_SHM if that fails); the rest of the data room as puts need
 * it, doubling each time. If /dev/shm cannot give more, the queue keeps
 * what it has: puts that need more find it full, and one line on stderr
 * says why (never a SIGBUS).
 * Each item put is got exactly once, by one rank; items put by one rank
 * are got in the order that rank put them.
 * Returns MPR_SUCCESS with *queue set, MPR_ERR_ARG (maxsize or
 * max_item_bytes too large, a bad MPR_QUEUE_* value), or a common error
 * (above).
 */
int mpr_queue_create(mpr_comm comm, size_t maxsize, size_t max_item_bytes,
                     mpr_queue *queue);

/*
 * mpr_queue_put - append a copy of the len bytes at item (item may be NULL
 * when len is 0). Blocks while the queue is full, up to timeout. On return
 * the item is in the queue and item may be reused.
 * Returns MPR_SUCCESS; MPR_ERR_FULL (timeout 0 and no room);
 * MPR_ERR_TIMEOUT (no room within timeout); MPR_ERR_ARG (NULL item with
 * len > 0, len > the queue's max_item_bytes, NaN timeout);
 * MPR_ERR_PROC_FAILED.
 */
int mpr_queue_put(mpr_queue queue, const void *item, size_t len, double timeout);

/* mpr_queue_put_nowait - mpr_queue_put with timeout 0: never blocks.
 * Returns MPR_SUCCESS, MPR_ERR_FULL, MPR_ERR_ARG. */
int mpr_queue_put_nowait(mpr_queue queue, const void *item, size_t len);

/*
 * mpr_queue_get - remove the oldest item and copy it into buf (buflen
 * bytes; buf may be NULL when buflen is 0); its size goes to *len_out
 * (len_out may be NULL). Blocks while the queue is empty, up to timeout.
 * Returns MPR_SUCCESS; MPR_ERR_EMPTY (timeout 0 and nothing there);
 * MPR_ERR_TIMEOUT (nothing within timeout); MPR_ERR_TRUNCATE: the oldest
 * item is longer than buflen; it is NOT removed (it stays first in the
 * queue, nothing is copied) and *len_out is set to its size, so a retry
 * with a buffer that large gets it (unless another rank took it first);
 * MPR_ERR_ARG (NULL buf with buflen > 0, NaN timeout); MPR_ERR_PROC_FAILED.
 */
int mpr_queue_get(mpr_queue queue, void *buf, size_t buflen, size_t *len_out,
                  double timeout);

/* mpr_queue_get_nowait - mpr_queue_get with timeout 0: never blocks.
 * Returns MPR_SUCCESS, MPR_ERR_EMPTY, MPR_ERR_TRUNCATE (as above), MPR_ERR_ARG. */
int mpr_queue_get_nowait(mpr_queue queue, void *buf, size_t buflen, size_t *len_out);

/*
 * mpr_queue_qsize / mpr_queue_empty / mpr_queue_full - how many items the
 * queue holds, whether it holds none, whether a put of an item of
 * max_item_bytes would find it full now: it holds maxsize items (an
 * unbounded queue its item limit), or its data room is used up and can
 * grow no more (smaller items may still fit then). Non-blocking.
 * Approximate: other ranks may change the queue before the answer is used,
 * and puts or gets in progress count as done.
 * Return MPR_SUCCESS with *size or *flag (0 or 1) set, or a common error.
 */
int mpr_queue_qsize(mpr_queue queue, size_t *size);
int mpr_queue_empty(mpr_queue queue, int *flag);
int mpr_queue_full(mpr_queue queue, int *flag);

/*
 * mpr_queue_task_done - say that an item got from the queue has been
 * processed (JoinableQueue.task_done). Any rank may call it, for items any
 * rank got. Non-blocking. Returns MPR_SUCCESS, or MPR_ERR_VALUE when it
 * has been called as many times as items were got (nothing changes).
 */
int mpr_queue_task_done(mpr_queue queue);

/*
 * mpr_queue_join - block until every item put has been got and marked
 * done with mpr_queue_task_done (JoinableQueue.join), up to timeout. Puts
 * that start while join waits may or may not be waited for.
 * Returns MPR_SUCCESS, MPR_ERR_TIMEOUT (also at once with timeout 0 when
 * tasks are unfinished), MPR_ERR_ARG (NaN timeout), MPR_ERR_PROC_FAILED.
 */
int mpr_queue_join(mpr_queue queue, double timeout);

/*
 * mpr_queue_free - release the queue and set *queue to NULL. Collective;
 * blocking (waits for every rank to call it). Items still in the queue are
 * dropped. Returns MPR_SUCCESS, MPR_ERR_ARG (NULL queue or *queue),
 * MPR_ERR_PROC_FAILED (the memory is released on this rank anyway).
 */
int mpr_queue_free(mpr_queue *queue);

/*
 * mpr_event_create - an event (Python's Event): a flag, initially clear,
 * that ranks can wait for. Collective; blocking. Returns MPR_SUCCESS with
 * *event set, or a common error.
 */
int mpr_event_create(mpr_comm comm, mpr_event *event);

/* mpr_event_set - set the flag and wake every rank waiting for it (even
 * if the flag is cleared again before they run). Non-blocking.
 * Returns MPR_SUCCESS or a common error. */
int mpr_event_set(mpr_event event);

/* mpr_event_clear - clear the flag. Non-blocking. Returns MPR_SUCCESS or a
 * common error. */
int mpr_event_clear(mpr_event event);

/* mpr_event_is_set - *flag = 1 if the flag is set, else 0. Non-blocking.
 * Returns MPR_SUCCESS or a common error. */
int mpr_event_is_set(mpr_event event, int *flag);

/*
 * mpr_event_wait - block until the flag is set, or was set at some moment
 * since the call began, up to timeout. Returns MPR_SUCCESS, MPR_ERR_TIMEOUT
 * (also at once with timeout 0 when the flag is clear), MPR_ERR_ARG (NaN
 * timeout), MPR_ERR_PROC_FAILED.
 */
int mpr_event_wait(mpr_event event, double timeout);

/* mpr_event_free - release the event, set *event to NULL. Collective;
 * blocking. Returns as mpr_queue_free. */
int mpr_event_free(mpr_event *event);

/*
 * mpr_semaphore_create - a counting semaphore starting at value (0..
 * INT_MAX). If bounded is non-zero (Python's BoundedSemaphore), a release
 * that would raise the count above that initial value is refused.
 * Collective; blocking. Returns MPR_SUCCESS with *sem set, MPR_ERR_ARG
 * (negative value), or a common error.
 */
int mpr_semaphore_create(mpr_comm comm, int value, int bounded, mpr_semaphore *sem);

/*
 * mpr_semaphore_acquire - take one from the count, blocking while it is 0,
 * up to timeout. Returns MPR_SUCCESS, MPR_ERR_BUSY (timeout 0 and the
 * count is 0), MPR_ERR_TIMEOUT, MPR_ERR_ARG (NaN timeout),
 * MPR_ERR_PROC_FAILED.
 */
int mpr_semaphore_acquire(mpr_semaphore sem, double timeout);

/* mpr_semaphore_try_acquire - mpr_semaphore_acquire with timeout 0: never
 * blocks. Returns MPR_SUCCESS or MPR_ERR_BUSY. */
int mpr_semaphore_try_acquire(mpr_semaphore sem);

/*
 * mpr_semaphore_release - add one to the count, waking one waiting rank if
 * any. Any rank may release, whether or not it acquired. Non-blocking.
 * Returns MPR_SUCCESS, or MPR_ERR_VALUE (nothing changes) when a bounded
 * semaphore is already at its initial value or the count is INT_MAX.
 */
int mpr_semaphore_release(mpr_semaphore sem);

/* mpr_semaphore_value - *value = the current count (approximate: other
 * ranks may change it at once). Non-blocking. */
int mpr_semaphore_value(mpr_semaphore sem, int *value);

/* mpr_semaphore_free - release the semaphore, set *sem to NULL.
 * Collective; blocking. Returns as mpr_queue_free. */
int mpr_semaphore_free(mpr_semaphore *sem);

/*
 * mpr_lock_create - a lock (a semaphore of one that knows its owner): one
 * rank at a time holds it, and only that rank may release it. Not
 * recursive. Collective; blocking. Returns MPR_SUCCESS with *lock set, or
 * a common error.
 */
int mpr_lock_create(mpr_comm comm, mpr_lock *lock);

/*
 * mpr_lock_acquire - take the lock, blocking while another rank holds it,
 * up to timeout. Returns MPR_SUCCESS, MPR_ERR_BUSY (timeout 0 and another
 * rank holds it), MPR_ERR_TIMEOUT, MPR_ERR_DEADLOCK (this rank holds it
 * already: returned at once, whatever the timeout), MPR_ERR_ARG (NaN
 * timeout), MPR_ERR_PROC_FAILED.
 */
int mpr_lock_acquire(mpr_lock lock, double timeout);

/* mpr_lock_try_acquire - mpr_lock_acquire with timeout 0: never blocks.
 * Returns MPR_SUCCESS, MPR_ERR_BUSY, MPR_ERR_DEADLOCK. */
int mpr_lock_try_acquire(mpr_lock lock);

/* mpr_lock_release - release the lock, waking one waiting rank if any.
 * Non-blocking. Returns MPR_SUCCESS, or MPR_ERR_NOT_OWNER when this rank
 * does not hold it (held by another rank, or by none; nothing changes). */
int mpr_lock_release(mpr_lock lock);

/* mpr_lock_owner - *rank = the rank in the lock's communicator that holds
 * it, or -1 when free (approximate, as mpr_semaphore_value). Non-blocking. */
int mpr_lock_owner(mpr_lock lock, int *rank);

/* mpr_lock_free - release the lock object, set *lock to NULL. Collective;
 * blocking. Returns as mpr_queue_free. */
int mpr_lock_free(mpr_lock *lock);


/*
 * mpr_rlock_create - a recursive lock (Python's RLock): the rank holding
 * it may acquire it again, and must release it as many times; only that
 * rank may release it. Collective; blocking. Returns MPR_SUCCESS with *rlock
 * set, or a common error.
 */
int mpr_rlock_create(mpr_comm comm, mpr_rlock *rlock);

/*
 * mpr_rlock_acquire - take the lock, or add one to its recursion count if
 * this rank holds it already (never blocks then); blocks while another
 * rank holds it, up to timeout. Returns MPR_SUCCESS, MPR_ERR_BUSY (timeout
 * 0 and another rank holds it), MPR_ERR_TIMEOUT, MPR_ERR_ARG (NaN
 * timeout), MPR_ERR_VALUE (recursion count at UINT32_MAX),
 * MPR_ERR_PROC_FAILED.
 */
int mpr_rlock_acquire(mpr_rlock rlock, double timeout);

/* mpr_rlock_try_acquire - mpr_rlock_acquire with timeout 0: never blocks.
 * Returns MPR_SUCCESS or MPR_ERR_BUSY. */
int mpr_rlock_try_acquire(mpr_rlock rlock);

/* mpr_rlock_release - take one from the recursion count; at 0 the lock is
 * free and one waiting rank is woken. Non-blocking. Returns MPR_SUCCESS, or
 * MPR_ERR_NOT_OWNER when this rank does not hold it (held by another rank,
 * or by none; nothing changes). */
int mpr_rlock_release(mpr_rlock rlock);

/* mpr_rlock_owner - *world_rank = the rank in MPR_COMM_WORLD holding it, or
 * -1 when free; *count (may be NULL) = its recursion count (0 when free).
 * Approximate, as mpr_semaphore_value. Non-blocking. */
int mpr_rlock_owner(mpr_rlock rlock, int *world_rank, unsigned *count);

/* mpr_rlock_free - release the rlock object, set *rlock to NULL.
 * Collective; blocking. Returns as mpr_queue_free. */
int mpr_rlock_free(mpr_rlock *rlock);

/*
 * mpr_barrier_object_create - a barrier object (Python's Barrier) for
 * `parties` ranks (1..the size of comm): unlike the collective
 * mpr_barrier, any `parties` ranks of comm may meet at it, each call of
 * mpr_barrier_object_wait counts as one arrival, it can time out, and it
 * can be aborted and reset. It is used over and over: once `parties`
 * waits have arrived they all return and the next round begins (a rank
 * that comes back at once counts for the next round, never for the one
 * it just left). Collective; blocking (rank 0's parties is used).
 * Returns MPR_SUCCESS with *barrier set, MPR_ERR_ARG (parties out of
 * range), or a common error.
 */
int mpr_barrier_object_create(mpr_comm comm, int parties, mpr_barrier_object *barrier);

/*
 * mpr_barrier_object_wait - arrive and block until `parties` arrivals have
 * been made in this round, up to timeout. *index (may be NULL) = the
 * arrival's place in the round, 0 for the first .. parties-1 for the last
 * (as Python's wait returns). A wait that times out breaks the barrier:
 * it returns MPR_ERR_TIMEOUT and every other rank waiting in that round
 * MPR_ERR_BROKEN (timeout 0 breaks it at once unless this arrival
 * completes the round). Returns MPR_SUCCESS, MPR_ERR_TIMEOUT,
 * MPR_ERR_BROKEN (broken before or while waiting: timed out elsewhere,
 * aborted, or reset), MPR_ERR_ARG (NaN timeout), MPR_ERR_PROC_FAILED. An
 * arrival while a reset is in progress waits for it to finish first.
 */
int mpr_barrier_object_wait(mpr_barrier_object barrier, double timeout, int *index);

/* mpr_barrier_object_abort - break the barrier (Python's abort): the ranks
 * waiting and those arriving return MPR_ERR_BROKEN until a reset.
 * Non-blocking. Returns MPR_SUCCESS or a common error. */
int mpr_barrier_object_abort(mpr_barrier_object barrier);

/* mpr_barrier_object_reset - return the barrier to its fresh state
 * (Python's reset): ranks waiting in the current round return
 * MPR_ERR_BROKEN; the barrier is fresh once they have left. Non-blocking.
 * Returns MPR_SUCCESS or a common error. */
int mpr_barrier_object_reset(mpr_barrier_object barrier);

/* mpr_barrier_object_broken - *flag = 1 when the barrier is broken, else 0.
 * mpr_barrier_object_n_waiting - *count = the ranks waiting in the current
 * round (0 while broken or resetting). mpr_barrier_object_parties -
 * *parties = its parties. Non-blocking; the first two are approximate, as
 * mpr_semaphore_value. */
int mpr_barrier_object_broken(mpr_barrier_object barrier, int *flag);
int mpr_barrier_object_n_waiting(mpr_barrier_object barrier, int *count);
int mpr_barrier_object_parties(mpr_barrier_object barrier, int *parties);

/* mpr_barrier_object_free - release the barrier object, set *barrier to
 * NULL. Collective; blocking. Returns as mpr_queue_free. */
int mpr_barrier_object_free(mpr_barrier_object *barrier);

/*
 * mpr_condition_create - a condition variable (Python's Condition) over a
 * recursive lock of its own (Python's default); mpr_condition_create_lock
 * and mpr_condition_create_rlock use an existing lock or rlock instead,
 * and take their communicator from it. The lock must outlive the
 * condition (free the condition first). Collective; blocking. Returns
 * MPR_SUCCESS with *cond set, MPR_ERR_ARG (NULL lock), or a common error.
 */
int mpr_condition_create(mpr_comm comm, mpr_condition *cond);
int mpr_condition_create_lock(mpr_lock lock, mpr_condition *cond);
int mpr_condition_create_rlock(mpr_rlock rlock, mpr_condition *cond);

/* mpr_condition_acquire / mpr_condition_release - acquire or release the
 * condition's lock: return as mpr_lock_* or mpr_rlock_* on it. */
int mpr_condition_acquire(mpr_condition cond, double timeout);
int mpr_condition_release(mpr_condition cond);

/*
 * mpr_condition_wait - with the lock held by this rank: release it (all
 * levels of an rlock), block until notified, up to timeout, then acquire
 * it again (its rlock recursion count restored), waiting for that as long
 * as it takes. The lock is held again on MPR_SUCCESS and MPR_ERR_TIMEOUT
 * (Python's wait returning False). A notification that comes as the
 * timeout runs out is taken, never lost: the call then returns
 * MPR_SUCCESS. Returns MPR_SUCCESS, MPR_ERR_TIMEOUT (also at once with
 * timeout 0), MPR_ERR_NOT_OWNER (this rank does not hold the lock:
 * nothing done), MPR_ERR_ARG (NaN timeout), MPR_ERR_PROC_FAILED (a rank
 * died; the lock may not be held then).
 */
int mpr_condition_wait(mpr_condition cond, double timeout);

/*
 * mpr_condition_wait_for - with the lock held: until predicate(arg)
 * returns non-zero, mpr_condition_wait for what is left of timeout
 * (Python's wait_for). The predicate runs on this rank, with the lock
 * held. Returns MPR_SUCCESS (the predicate holds), MPR_ERR_TIMEOUT (it
 * still does not; the lock is held), MPR_ERR_NOT_OWNER, MPR_ERR_ARG (NULL
 * predicate, NaN timeout), MPR_ERR_PROC_FAILED.
 */
int mpr_condition_wait_for(mpr_condition cond, int (*predicate)(void *arg), void *arg,
                           double timeout);

/* mpr_condition_notify - with the lock held: wake up to n (>= 1) of the
 * ranks waiting on cond, those that began waiting first first;
 * mpr_condition_notify_all wakes them all. Non-blocking. Return
 * MPR_SUCCESS, MPR_ERR_NOT_OWNER (lock not held by this rank: nothing
 * done), MPR_ERR_ARG (n < 1), or a common error. */
int mpr_condition_notify(mpr_condition cond, int n);
int mpr_condition_notify_all(mpr_condition cond);

/* mpr_condition_free - release the condition (and its own lock, for one
 * made by mpr_condition_create), set *cond to NULL. Collective; blocking.
 * Returns as mpr_queue_free. */
int mpr_condition_free(mpr_condition *cond);


/* ---- Shared array and value (Python's Array and Value) ----------------- */

typedef struct mpr_array *mpr_array; /* opaque */

/* Largest size in bytes (count times the type's size) of a shared array. */
#define MPR_ARRAY_BYTES_MAX ((size_t)1 << 40)

/*
 * mpr_array_create - a block of `count` elements of `type` (any mpr_datatype),
 * zeroed, shared by the ranks of comm (Python's Array(typecode, n));
 * mpr_value_create makes one of a single element (Python's Value(typecode)).
 * Ranks on the host of comm's rank 0 read and write it in place
 * (mpr_array_data); ranks of other hosts through rank 0's object service.
 * It comes with a lock of its own (mpr_array_get_lock, Python's get_lock()).
 * Collective; blocking; type and count must be the same on every rank.
 * Returns MPR_SUCCESS with *array set, MPR_ERR_ARG (unknown type, bytes
 * above MPR_ARRAY_BYTES_MAX, or type or count differing between ranks: then
 * on every rank), or a common error.
 */
int mpr_array_create(mpr_comm comm, mpr_datatype type, size_t count, mpr_array *array);
int mpr_value_create(mpr_comm comm, mpr_datatype type, mpr_array *value);

/* mpr_array_data - the elements, for direct use, on the ranks of rank 0's
 * host; NULL on ranks of other hosts (and for a NULL array). Plain loads
 * and stores on it race as in C; use the lock or the atomics below. */
void *mpr_array_data(mpr_array array);

/* mpr_array_size / mpr_array_type - *count = its elements, *type = their
 * datatype. Return MPR_SUCCESS or a common error. */
int mpr_array_size(mpr_array array, size_t *count);
int mpr_array_type(mpr_array array, mpr_datatype *type);

/*
 * mpr_array_read / mpr_array_write - copy elements first .. first+count-1
 * out of the array into buf, or from buf into it (Python's a[i:j] and
 * a[i:j] = ...). Non-blocking (a rank of another host waits for the
 * service's answer). Each element of 1, 2, 4 or 8 bytes is moved whole,
 * never torn; the range as a whole is not atomic (take the lock for that).
 * Returns MPR_SUCCESS, MPR_ERR_ARG (range beyond the array, NULL buf with
 * count > 0), MPR_ERR_PROC_FAILED (rank 0 of another host is gone), or a
 * common error.
 */
int mpr_array_read(mpr_array array, size_t first, size_t count, void *buf);
int mpr_array_write(mpr_array array, size_t first, size_t count, const void *buf);

/*
 * mpr_array_fetch_add - atomically add delta to element index, which
 * wraps around in the element's type as C's unsigned arithmetic does; the
 * value before goes to *old (may be NULL). mpr_array_compare_swap -
 * atomically set element index to desired if it equals expected; its value
 * before goes to *old (may be NULL): the swap happened when *old ==
 * expected. For the integer types only (not float, double, long double).
 * Values are int64_t: an unsigned 64-bit element's value is its bits.
 * The same whether done on the home host or by the service.
 * Returns MPR_SUCCESS, MPR_ERR_ARG (index out of range, not an integer
 * type, expected or desired not representable in the type),
 * MPR_ERR_PROC_FAILED (as above), or a common error.
 */
int mpr_array_fetch_add(mpr_array array, size_t index, int64_t delta, int64_t *old);
int mpr_array_compare_swap(mpr_array array, size_t index, int64_t expected, int64_t desired,
                           int64_t *old);

/* mpr_array_get_lock - *lock = the array's own lock (Python's get_lock()),
 * used with mpr_lock_acquire/_release; it belongs to the array: do not free
 * it. Returns MPR_SUCCESS or a common error. */
int mpr_array_get_lock(mpr_array array, mpr_lock *lock);

/* mpr_array_free - release the array and its lock, set *array to NULL.
 * Collective; blocking. Returns as mpr_queue_free. */
int mpr_array_free(mpr_array *array);

/* ---- Pipes ---------------------------------------------------------------
 * A pipe (Python's multiprocessing.Pipe) connects two ranks of a
 * communicator and no others: each of the two calls mpr_pipe_open naming
 * the other and the same pipe id; no other rank takes part, and nothing is
 * collective. Messages are byte strings of any size (0 bytes too), received
 * whole and in the order sent. A pipe is point-to-point messaging with its
 * own matching (it never matches mpr_recv or collectives), so it works
 * between ranks of one host and across hosts alike, as fast as mpr_send.
 *
 * Duplex ends (Pipe(duplex=True)) send and receive; a one-way pipe
 * (Pipe(duplex=False)) is a MPR_PIPE_READ end on one rank and a
 * MPR_PIPE_WRITE end on the other. The two ranks must choose matching
 * modes (not checked). Closing an end sends an end-of-stream mark behind
 * everything sent before: the other end receives all of that, then
 * MPR_ERR_EOF (Python's EOFError); its sends fail with MPR_ERR_EOF once
 * the mark has arrived (Python's BrokenPipeError). Until then they succeed
 * and what they send is discarded. A pipe id may be opened again after both
 * ends closed; the new ends never see messages of the old ones. Open pipes
 * are closed by mpr_finalize (first thing, even when MPR_CHECK=1 then makes
 * it return MPR_ERR_COLL_MISMATCH). Pipes on different communicators are apart
 * even with the same id; an open pipe does not need its communicator any
 * more (it may be freed).
 *
 * Timeouts are as for the shared objects (MPR_WAIT_FOREVER, 0, seconds).
 * A receive from a rank that died returns what it sent before it died,
 * then MPR_ERR_PROC_FAILED (within about a second), as does a send to it.
 * Sends are blocking like mpr_send: a large message (above the transport's
 * eager limit, 64 KiB by default) may wait until the other end receives
 * it, so two ranks that both send large messages before receiving can
 * block each other, as with OS pipes.
 *
 * Returns common to every call below: MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED,
 * MPR_ERR_ARG for a NULL handle or a NULL output pointer.
 */
typedef struct mpr_pipe *mpr_pipe; /* opaque */

#define MPR_PIPE_DUPLEX 0 /* send and receive */
#define MPR_PIPE_READ 1   /* receive only: the reading end of a one-way pipe */
#define MPR_PIPE_WRITE 2  /* send only: the writing end */
#define MPR_PIPE_ID_MAX 0x0fffffff /* pipe ids are 0..MPR_PIPE_ID_MAX */

/*
 * mpr_pipe_open - open this rank's end of pipe `id` to rank `peer` of comm,
 * with mode MPR_PIPE_DUPLEX, MPR_PIPE_READ or MPR_PIPE_WRITE. Local and
 * non-blocking: the peer may open its end before or after, and messages
 * sent before it does wait for it. Returns MPR_SUCCESS with *pipe set,
 * MPR_ERR_ARG (bad comm, peer out of range or this rank itself, id out of
 * range, bad mode), MPR_ERR_VALUE (this rank has that pipe open already),
 * MPR_ERR_NO_MEM.
 */
int mpr_pipe_open(mpr_comm comm, int peer, int id, int mode, mpr_pipe *pipe);

/*
 * mpr_pipe_send - send len bytes at buf (NULL when len is 0) as one
 * message (Connection.send_bytes). Blocking like mpr_send: on return buf
 * may be reused. Returns MPR_SUCCESS, MPR_ERR_EOF (the other end is known
 * to be closed: nothing sent), MPR_ERR_ARG (a MPR_PIPE_READ end, NULL buf
 * with len > 0), MPR_ERR_PROC_FAILED (the peer died), MPR_ERR_NO_MEM.
 */
int mpr_pipe_send(mpr_pipe pipe, const void *buf, size_t len);

/*
 * mpr_pipe_recv - receive the next message into buf (cap bytes); its size
 * goes to *len_out (len_out may be NULL) (Connection.recv_bytes_into).
 * Blocks until a message comes, up to timeout. Returns MPR_SUCCESS;
 * MPR_ERR_TRUNCATE: the message is longer than cap, *len_out is set to its
 * size and it is NOT taken (nothing is copied), so a retry with a larger
 * buffer receives it; MPR_ERR_EOF (the other end closed and everything it
 * sent has been received; again on every later call); MPR_ERR_EMPTY
 * (timeout 0 and no message); MPR_ERR_TIMEOUT; MPR_ERR_ARG (a
 * MPR_PIPE_WRITE end, NULL buf with cap > 0, NaN timeout);
 * MPR_ERR_PROC_FAILED (the peer died and everything it sent has been
 * received); MPR_ERR_NO_MEM. A call that does not return MPR_SUCCESS
 * takes no message.
 */
int mpr_pipe_recv(mpr_pipe pipe, void *buf, size_t cap, size_t *len_out, double timeout);

/*
 * mpr_pipe_recv_alloc - receive the next message into memory it allocates
 * (Connection.recv_bytes): *buf (free it with free(); never NULL, even
 * for 0 bytes) and its size *len. Blocks up to timeout. Returns as
 * mpr_pipe_recv, without MPR_ERR_TRUNCATE.
 */
int mpr_pipe_recv_alloc(mpr_pipe pipe, void **buf, size_t *len, double timeout);

/*
 * mpr_pipe_poll - is there something to receive (Connection.poll)? Waits up
 * to timeout for a message or the end of the stream; *ready = 1 when a
 * receive would not block (a message, or MPR_ERR_EOF to report), else 0
 * once timeout ran out. Takes nothing. Returns MPR_SUCCESS, MPR_ERR_ARG (a
 * MPR_PIPE_WRITE end, NaN timeout), MPR_ERR_PROC_FAILED (the peer died and
 * nothing it sent is left).
 */
int mpr_pipe_poll(mpr_pipe pipe, double timeout, int *ready);

/*
 * mpr_pipe_close - close this end and set *pipe to NULL
 * (Connection.close). Non-blocking (the end-of-stream mark is a 0-byte
 * send). Messages still unread are dropped, and so are those the peer
 * sends before it learns of the close. Returns MPR_SUCCESS, MPR_ERR_ARG
 * (NULL pipe or *pipe).
 */
int mpr_pipe_close(mpr_pipe *pipe);

#ifdef __cplusplus
}
#endif

#endif /* MPR_H */
