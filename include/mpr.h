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
    X(MPR_ERR_EOF, -23, "the other end of the pipe is closed")                 \
    X(MPR_ERR_KEY, -24, "no such key in the dictionary")                       \
    X(MPR_ERR_INDEX, -25, "index out of the list's range")

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
 * Collective; blocking. A rank may call it as soon as its own part of
 * every operation is done, even while other ranks are still inside the
 * last collective or have not received its messages yet: they complete
 * that collective, receive those messages and get the items it put into
 * shared objects, as if it were still there. Only what still needs a step
 * this rank never made (a receive naming it with no message from it left,
 * a collective still awaiting its part, e.g. one it did not call) returns
 * MPR_ERR_PROC_FAILED on the other ranks (see "When a rank ends" below);
 * their wildcard receives go on. Returns MPR_SUCCESS,
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
 * it belongs to that still awaits its part (a part it completed before
 * it ended counts: the collective completes), and, when it failed, a
 * wildcard receive or probe on such a communicator (posted before or
 * after) and a blocking call on a shared object of such a communicator.
 * Messages it sent before it ended are still delivered. mprun ends the
 * job when a rank fails, unless started with --enable-recovery.
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
 * messages. mpr_isend never blocks.
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

/* ---- Manager containers: dict, list, namespace ---------------------------
 * What Python's multiprocessing.Manager() hands out, without a manager
 * process: a dictionary, a list and a namespace shared by the ranks of a
 * communicator. They live in shared memory on the host of the
 * communicator's rank 0 (the home host): its ranks run every call
 * themselves, under the container's lock, without asking another process;
 * ranks of other hosts send each call to rank 0's object service, which
 * runs it there, while rank 0 computes. Each call is atomic: it sees
 * every earlier call whole and none half done, whoever made it.
 *
 * Keys, values and items are byte strings (0 bytes too), copied in and
 * out. Creation and free are collective and blocking (compared by
 * MPR_CHECK=1 like the other objects); every other call is non-blocking
 * apart from waiting for the lock, which is held for the copies of one
 * call. A rank that dies between calls leaves the container whole; one
 * that dies inside a call, holding the lock, leaves it unusable: every
 * later call on it returns MPR_ERR_PROC_FAILED (within ~10 ms for ranks
 * that were waiting for the lock). A rank of another host gets
 * MPR_ERR_PROC_FAILED when rank 0 has died.
 *
 * Room: a container has a fixed number of entries (items) and a data room
 * for its records, set at creation. A record (for a dict: key, value and
 * 16 bytes; for a list: item and 8 bytes) takes its size rounded up to a
 * power of two, at least 32 bytes; freed records are reused by records of
 * the same size class, and a shorter value or item stays in its record. The data room is allocated in /dev/shm as it fills
 * (1 MiB at a time), the entry table at creation (16 bytes per dict entry
 * of capacity, twice over; 8 per list item). A call that finds no room
 * returns MPR_ERR_FULL and changes nothing; so does one when /dev/shm is
 * full (MPR_ERR_SHM, one line on stderr).
 *
 * Returns common to every call below: MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED,
 * MPR_ERR_ARG for a NULL handle, NULL output pointer, NULL key or value
 * with a length above 0, a key or value longer than allowed;
 * MPR_ERR_PROC_FAILED as said.
 *
 * | Python (multiprocessing.Manager)  | mpr                                  |
 * | d = manager.dict()                | mpr_dict_create(comm, 0, 0, &d)      |
 * | d[k] = v                          | mpr_dict_set                         |
 * | v = d[k]  (KeyError)              | mpr_dict_get, _get_alloc (MPR_ERR_KEY)|
 * | del d[k], d.pop(k)                | mpr_dict_delete, mpr_dict_pop        |
 * | k in d, len(d), d.keys()          | mpr_dict_contains, _length, _keys    |
 * | d.setdefault(k, v)                | mpr_dict_setdefault                  |
 * | with lock: d[k] += n              | mpr_dict_add (atomic, no lock)       |
 * | d.clear()                         | mpr_dict_clear                       |
 */
typedef struct mpr_dict *mpr_dict;           /* opaque */
typedef struct mpr_keys *mpr_keys;         /* opaque: a snapshot of a dict's keys */

#define MPR_DICT_KEY_MAX ((size_t)4096)       /* longest key, bytes */
#define MPR_DICT_VALUE_MAX ((size_t)1 << 20)  /* longest value, bytes */
#define MPR_DICT_ENTRIES_DEFAULT ((size_t)16384)
#define MPR_DICT_ENTRIES_MAX ((size_t)1 << 26)
#define MPR_DICT_DATA_DEFAULT ((size_t)64 << 20) /* data room when 0 is given */
#define MPR_DICT_DATA_MAX ((size_t)1 << 40)

/*
 * mpr_dict_create - a dictionary (Manager().dict()) of at most
 * max_entries keys (0: MPR_DICT_ENTRIES_DEFAULT; at most
 * MPR_DICT_ENTRIES_MAX) with data_bytes of data room (0:
 * MPR_DICT_DATA_DEFAULT; 4096 to MPR_DICT_DATA_MAX; a record larger than
 * the room is MPR_ERR_FULL). Collective over comm; every rank must pass the same
 * sizes. Returns MPR_SUCCESS with *dict set, MPR_ERR_ARG (sizes out of
 * range or differing between ranks: then on every rank), MPR_ERR_SHM,
 * MPR_ERR_NO_MEM, MPR_ERR_UNSUPPORTED, MPR_ERR_PROC_FAILED,
 * MPR_ERR_COLL_MISMATCH (MPR_CHECK=1).
 */
int mpr_dict_create(mpr_comm comm, size_t max_entries, size_t data_bytes, mpr_dict *dict);

/* mpr_dict_free - release the dict, set *dict to NULL. Collective;
 * blocking. Returns as mpr_queue_free. */
int mpr_dict_free(mpr_dict *dict);

/*
 * mpr_dict_set - d[key] = value (klen and vlen bytes; klen at most
 * MPR_DICT_KEY_MAX, vlen at most MPR_DICT_VALUE_MAX), replacing any value
 * the key had. Returns MPR_SUCCESS, MPR_ERR_FULL (no entry or data room
 * left: the dict is as before), MPR_ERR_SHM, or a common error.
 */
int mpr_dict_set(mpr_dict dict, const void *key, size_t klen, const void *value, size_t vlen);

/*
 * mpr_dict_get - copy the value of key into buf (cap bytes); *vlen (may be
 * NULL) = its length. Returns MPR_SUCCESS, MPR_ERR_KEY (no such key),
 * MPR_ERR_TRUNCATE (the value is longer than cap: *vlen = its length,
 * nothing copied), or a common error (NULL buf with cap > 0).
 * mpr_dict_get_alloc - the same into memory it allocates: *value (free it
 * with free(); never NULL, even for 0 bytes), *vlen its length. Returns
 * MPR_SUCCESS, MPR_ERR_KEY, MPR_ERR_NO_MEM, or a common error.
 */
int mpr_dict_get(mpr_dict dict, const void *key, size_t klen, void *buf, size_t cap,
                 size_t *vlen);
int mpr_dict_get_alloc(mpr_dict dict, const void *key, size_t klen, void **value, size_t *vlen);

/*
 * mpr_dict_pop - as mpr_dict_get, and remove the key in the same atomic
 * step (d.pop(k)); on MPR_ERR_TRUNCATE the key stays. mpr_dict_delete -
 * remove the key (del d[k]). Return MPR_SUCCESS, MPR_ERR_KEY (no such
 * key), MPR_ERR_TRUNCATE (pop), or a common error.
 */
int mpr_dict_pop(mpr_dict dict, const void *key, size_t klen, void *buf, size_t cap,
                 size_t *vlen);
int mpr_dict_delete(mpr_dict dict, const void *key, size_t klen);

/* mpr_dict_contains - *found = 1 when the dict has key, else 0 (k in d).
 * mpr_dict_length - *count = its number of keys (len(d)). mpr_dict_clear -
 * remove every key (d.clear()). Return MPR_SUCCESS or a common error. */
int mpr_dict_contains(mpr_dict dict, const void *key, size_t klen, int *found);
int mpr_dict_length(mpr_dict dict, size_t *count);
int mpr_dict_clear(mpr_dict dict);

/*
 * mpr_dict_setdefault - set key to value only if the dict does not have
 * key (d.setdefault(k, v)); *inserted (may be NULL) = 1 when it was set,
 * 0 when the key was there (its value unchanged: read it with
 * mpr_dict_get). Returns as mpr_dict_set.
 */
int mpr_dict_setdefault(mpr_dict dict, const void *key, size_t klen, const void *value,
                        size_t vlen, int *inserted);

/*
 * mpr_dict_add - atomically add delta to the integer value of key, an
 * int64_t in the host's byte order (8 bytes: set it with mpr_dict_set of
 * &x, sizeof x; read it with mpr_dict_get), which is created at 0 when the
 * key is absent; *result (may be NULL) = the new value. Wraps around as
 * unsigned arithmetic does. The `with lock: d[k] += n` of Python, with no
 * lock to take. Returns MPR_SUCCESS, MPR_ERR_VALUE (the key's value is not
 * 8 bytes: nothing changed), MPR_ERR_FULL, MPR_ERR_SHM, or a common error.
 */
int mpr_dict_add(mpr_dict dict, const void *key, size_t klen, int64_t delta, int64_t *result);

/*
 * mpr_dict_keys - a snapshot of the dict's keys (d.keys(), list(d)): every
 * key the dict held at one instant, each once, in no particular order;
 * calls made after it do not change it. Read it with mpr_keys_count
 * and mpr_keys_get (key i's bytes, valid until the snapshot is
 * freed, and their length in *klen), free it with mpr_keys_free
 * (sets *keys to NULL). mpr_dict_keys returns MPR_SUCCESS with *keys set,
 * MPR_ERR_NO_MEM, or a common error; mpr_keys_get returns NULL for
 * an index out of range or a NULL snapshot.
 */
int mpr_dict_keys(mpr_dict dict, mpr_keys *keys);
size_t mpr_keys_count(mpr_keys keys);
const void *mpr_keys_get(mpr_keys keys, size_t i, size_t *klen);
void mpr_keys_free(mpr_keys *keys);

/*
 * The list (Manager().list()): items in order, indexed from 0; a negative
 * index counts from the end as in Python (-1 is the last item).
 *
 * | Python (multiprocessing.Manager)  | mpr                                  |
 * | l = manager.list()                | mpr_list_create(comm, 0, 0, &l)      |
 * | l.append(x), l.insert(i, x)       | mpr_list_append, mpr_list_insert     |
 * | x = l[i]  (IndexError)            | mpr_list_get, _get_alloc (MPR_ERR_INDEX) |
 * | l[i] = x                          | mpr_list_set                         |
 * | x = l.pop(), l.pop(i)             | mpr_list_pop(l, -1, ...), (l, i, ...) |
 * | len(l), l[:] = []                 | mpr_list_length, mpr_list_clear      |
 */
typedef struct mpr_list *mpr_list; /* opaque */

#define MPR_LIST_ITEM_MAX ((size_t)1 << 20) /* longest item, bytes */
#define MPR_LIST_ITEMS_DEFAULT ((size_t)16384)
#define MPR_LIST_ITEMS_MAX ((size_t)1 << 26)
#define MPR_LIST_DATA_DEFAULT ((size_t)64 << 20)
#define MPR_LIST_DATA_MAX ((size_t)1 << 40)

/*
 * mpr_list_create - a list of at most max_items items (0:
 * MPR_LIST_ITEMS_DEFAULT; at most MPR_LIST_ITEMS_MAX) with data_bytes of
 * data room (0: MPR_LIST_DATA_DEFAULT; 4096 to MPR_LIST_DATA_MAX). Collective; the same sizes on every rank.
 * Returns as mpr_dict_create. mpr_list_free - as mpr_dict_free.
 */
int mpr_list_create(mpr_comm comm, size_t max_items, size_t data_bytes, mpr_list *list);
int mpr_list_free(mpr_list *list);

/*
 * mpr_list_append - add an item of len bytes (at most MPR_LIST_ITEM_MAX)
 * at the end. mpr_list_insert - add it before index (as Python: an index
 * past the end appends, one before the start inserts first). Return
 * MPR_SUCCESS, MPR_ERR_FULL (no item or data room left: the list is as
 * before), MPR_ERR_SHM, or a common error.
 */
int mpr_list_append(mpr_list list, const void *item, size_t len);
int mpr_list_insert(mpr_list list, int64_t index, const void *item, size_t len);

/*
 * mpr_list_get - copy item index into buf (cap bytes), its length to *len
 * (may be NULL). mpr_list_pop - the same, and remove it in the same atomic
 * step (the items after it move down one). mpr_list_get_alloc - the item
 * into memory it allocates (*item, free it with free(); never NULL).
 * Return MPR_SUCCESS, MPR_ERR_INDEX (no such index, e.g. an empty list),
 * MPR_ERR_TRUNCATE (the item is longer than cap: *len = its length,
 * nothing copied or removed), MPR_ERR_NO_MEM (get_alloc), or a common
 * error.
 */
int mpr_list_get(mpr_list list, int64_t index, void *buf, size_t cap, size_t *len);
int mpr_list_get_alloc(mpr_list list, int64_t index, void **item, size_t *len);
int mpr_list_pop(mpr_list list, int64_t index, void *buf, size_t cap, size_t *len);

/* mpr_list_set - replace item index (l[i] = x). Returns MPR_SUCCESS,
 * MPR_ERR_INDEX, MPR_ERR_FULL (no data room for the new item: the old one
 * stays), MPR_ERR_SHM, or a common error. */
int mpr_list_set(mpr_list list, int64_t index, const void *item, size_t len);

/* mpr_list_length - *count = its items. mpr_list_clear - remove them all.
 * Return MPR_SUCCESS or a common error. */
int mpr_list_length(mpr_list list, size_t *count);
int mpr_list_clear(mpr_list list);

/*
 * The namespace (Manager().Namespace()): fields named by C strings of 1 to
 * MPR_NAMESPACE_NAME_MAX bytes, each holding a byte string (at most
 * MPR_DICT_VALUE_MAX bytes) or an int64_t; up to 4096 fields and 16 MiB of
 * data room. It is a dict underneath (MPR_CHECK=1 compares its creation as
 * a dict's), with the same guarantees and errors; a name that is NULL,
 * empty or too long is MPR_ERR_ARG.
 *
 * | Python (multiprocessing.Manager)  | mpr                                   |
 * | ns = manager.Namespace()          | mpr_namespace_create(comm, &ns)       |
 * | ns.x = 10; ns.x                   | mpr_namespace_set_int, _get_int       |
 * | ns.name = b"..."; ns.name         | mpr_namespace_set, mpr_namespace_get  |
 * | AttributeError                    | MPR_ERR_KEY                           |
 * | del ns.x                          | mpr_namespace_delete                  |
 * | with lock: ns.x += 1              | mpr_namespace_add (atomic, no lock)   |
 */
typedef struct mpr_namespace *mpr_namespace; /* opaque */

#define MPR_NAMESPACE_NAME_MAX ((size_t)255)

/* mpr_namespace_create / _free - as mpr_dict_create / mpr_dict_free
 * (collective, blocking). */
int mpr_namespace_create(mpr_comm comm, mpr_namespace *ns);
int mpr_namespace_free(mpr_namespace *ns);

/* mpr_namespace_set / _get / _delete - as mpr_dict_set / mpr_dict_get /
 * mpr_dict_delete with the name as key (MPR_ERR_KEY: no such field). */
int mpr_namespace_set(mpr_namespace ns, const char *name, const void *value, size_t len);
int mpr_namespace_get(mpr_namespace ns, const char *name, void *buf, size_t cap, size_t *len);
int mpr_namespace_delete(mpr_namespace ns, const char *name);

/*
 * mpr_namespace_set_int - the field holds value (an int64_t).
 * mpr_namespace_get_int - *value = the field's int64_t: MPR_ERR_VALUE when
 * the field holds something else than 8 bytes, MPR_ERR_KEY when absent.
 * mpr_namespace_add - as mpr_dict_add (atomic; an absent field starts at 0).
 */
int mpr_namespace_set_int(mpr_namespace ns, const char *name, int64_t value);
int mpr_namespace_get_int(mpr_namespace ns, const char *name, int64_t *value);
int mpr_namespace_add(mpr_namespace ns, const char *name, int64_t delta, int64_t *result);

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

/* ---- Pool (Python's multiprocessing.Pool) --------------------------------
 * The ranks of a communicator become a pool of workers: one rank, the
 * root, submits tasks; every other rank serves them in mpr_pool_serve
 * until the root closes or terminates the pool. Function pointers cannot
 * travel between ranks, so a task names its function: every rank registers
 * the same functions under the same names (mpr_pool_register). A function
 * takes a byte string and produces one, or fails with a code of its own
 * that reaches the submitter. Tasks and results travel as point-to-point
 * messages on a communicator of the pool's own (a dup of comm), so a pool
 * works within a host (shared memory) and across hosts (TCP) alike.
 *
 *   Python                              mpr
 *   Pool(processes)                     mpr_pool_create(comm, root, &pool)
 *                                       (+ mpr_pool_serve on the others)
 *   (def f / pickled by name)           mpr_pool_register(pool, "f", fn, arg)
 *   pool.map(f, xs, chunksize)          mpr_pool_map
 *   pool.imap(f, xs, chunksize)         mpr_pool_imap + mpr_pool_iter_next
 *   pool.imap_unordered(...)            mpr_pool_imap_unordered + _iter_next
 *   pool.apply(f, (x,))                 mpr_pool_apply
 *   pool.apply_async(f, (x,), callback, error_callback)
 *                                       mpr_pool_apply_async
 *   AsyncResult.ready/wait/successful/get
 *                                       mpr_pool_result_ready/_wait/
 *                                       _successful/_get (and _free)
 *   pool.close(), join(), terminate()   mpr_pool_close, _join, _terminate
 *   (garbage collection)                mpr_pool_free
 *
 * Where the work happens. The root keeps a window of tasks in flight at
 * each worker (enough for about 2 ms of work by the measured time of a
 * task, 2 to 1024 items) and sends them in batches; a worker sends results
 * in batches too. Tasks are dealt to the least loaded worker. The root
 * moves tasks and results only inside pool calls (any mpr_pool_* call on
 * the root, mpr_pool_poll included): between them, workers go on with the
 * tasks they hold and their results wait in the root's message queue.
 *
 * Callbacks. The callback and error callback of mpr_pool_apply_async run
 * on the root's thread, inside a pool call: the submitting calls (after
 * the submission), the waiting ones (mpr_pool_map, _apply, _iter_next,
 * _result_wait/_get/_ready/_successful, _join, _terminate, while they
 * wait and before they return), mpr_pool_close, mpr_pool_free and
 * mpr_pool_poll. So a root that submits and then waits or joins needs no
 * polling loop of its own. They never run inside other mpr calls (a
 * send, a collective, a queue's get): user code run in the middle of
 * another call would find the library, and its own data, half-way
 * through an operation. A callback may call any mpr function, pool calls
 * included (submitting more tasks, waiting for another result); callbacks
 * never nest: those due meanwhile run after it returns. mpr_pool_join,
 * mpr_pool_terminate and mpr_pool_free are refused inside a callback
 * (MPR_ERR_VALUE). A task's result is ready (mpr_pool_result_ready) as
 * soon as the root has it; a waiting call run at the outermost level runs
 * the due callbacks before it returns, so once mpr_pool_result_get has
 * returned there, the task's callback has run, as in Python.
 *
 * When a worker ends. A worker that dies (or leaves without serving) fails
 * the tasks it held with MPR_ERR_PROC_FAILED, within about a second; they
 * are not run again elsewhere (a task runs at most once: it may have had
 * effects before the worker died). The pool goes on with the others; when
 * no worker is left, the tasks not yet run fail with MPR_ERR_PROC_FAILED
 * too and submissions return it at once. mprun ends the whole job when a
 * rank dies unless started with --enable-recovery. A root that dies makes
 * mpr_pool_serve return MPR_ERR_PROC_FAILED on the workers.
 *
 * A pool of one rank (no workers) runs tasks on the root itself, inside
 * the submitting call.
 *
 * Returns common to the calls below: MPR_ERR_NOT_INIT, MPR_ERR_FINALIZED,
 * MPR_ERR_ARG (a NULL or stale handle, a NULL output pointer, a NaN
 * timeout), MPR_ERR_VALUE (a root's call on a worker or the reverse; a
 * submission after close or terminate), MPR_ERR_NO_MEM.
 */
typedef struct mpr_pool *mpr_pool;               /* opaque */
typedef struct mpr_pool_result *mpr_pool_result; /* opaque: Python's AsyncResult */
typedef struct mpr_pool_iter *mpr_pool_iter;     /* opaque: imap's iterator */

#define MPR_POOL_NAME_MAX 63                   /* bytes of a function's name */
#define MPR_POOL_RESULT_MAX ((size_t)1 << 28)  /* largest output of an async task */

/*
 * A pool function: read in_len bytes at in, write the output at out and
 * set *out_len to its size; *out_len holds out's capacity on entry. in
 * and out are aligned for any type, as malloc's memory is.
 * Return MPR_SUCCESS or a negative code (mpr's or one of the program's
 * own), which becomes the task's result: its error callback's code, what
 * mpr_pool_apply or mpr_pool_result_get return, the item's entry in
 * mpr_pool_map's errors. An output larger than the capacity: set *out_len
 * to the size needed and return MPR_ERR_TRUNCATE; for apply_async the
 * function is then called again with that much room (up to
 * MPR_POOL_RESULT_MAX); for map and apply the capacity is the caller's
 * out_size / out_cap and MPR_ERR_TRUNCATE is the task's result. arg is
 * what mpr_pool_register was given. It runs on a worker, which may call
 * mpr functions other than pool calls from it (a crash in it is the
 * worker's death).
 */
typedef int mpr_pool_function(const void *in, size_t in_len, void *out, size_t *out_len,
                              void *arg);
/* apply_async's callback: the task's output (valid during the call). */
typedef void mpr_pool_callback(void *user, const void *out, size_t out_len);
/* apply_async's error callback: the task's code (the function's own, or
 * MPR_ERR_PROC_FAILED, MPR_ERR_UNSUPPORTED, MPR_ERR_VALUE: see below). */
typedef void mpr_pool_error_callback(void *user, int error);

/*
 * mpr_pool_create - make the ranks of comm a pool whose rank `root`
 * submits and whose other ranks serve (Python's Pool(processes = size - 1)).
 * Collective over comm (it duplicates comm); every rank names the same
 * root. Returns MPR_SUCCESS with *pool set, MPR_ERR_ARG (bad comm, root
 * out of range), MPR_ERR_PROC_FAILED, MPR_ERR_NO_MEM.
 */
int mpr_pool_create(mpr_comm comm, int root, mpr_pool *pool);

/*
 * mpr_pool_register - make fn callable by tasks under `name` (1 to
 * MPR_POOL_NAME_MAX bytes) on this rank, with arg passed to each call.
 * Every rank registers the same names, before any task names them (a
 * worker before mpr_pool_serve). Local. Returns MPR_SUCCESS, MPR_ERR_ARG
 * (NULL or bad name, NULL fn), MPR_ERR_VALUE (name already registered).
 * A name the root did not register is refused at submission
 * (MPR_ERR_ARG); one a worker did not register fails the task there with
 * MPR_ERR_UNSUPPORTED.
 */
int mpr_pool_register(mpr_pool pool, const char *name, mpr_pool_function *fn, void *arg);

/*
 * mpr_pool_serve - on a worker: run the tasks the root sends until it
 * closes the pool (after every task submitted before is done) or
 * terminates it (tasks not started are dropped). Blocking; sleeps while
 * there is nothing to do. Returns MPR_SUCCESS (closed or terminated),
 * MPR_ERR_PROC_FAILED (the root ended first), MPR_ERR_INTERNAL (a
 * malformed message), MPR_ERR_VALUE (called on the root or twice).
 */
int mpr_pool_serve(mpr_pool pool);

/* mpr_pool_workers - on the root: *count = the workers still alive.
 * Returns MPR_SUCCESS or a common error. */
int mpr_pool_workers(mpr_pool pool, int *count);

/*
 * mpr_pool_map - apply function `name` to n inputs of in_size bytes each
 * (item i at inputs + i * in_size) and put item i's output at outputs +
 * i * out_size (out_size is each call's capacity; a shorter output leaves
 * the rest of its slot untouched): Python's map. Items are sent in chunks
 * of chunksize (0: Python's default, n / (4 x workers) rounded up), each
 * chunk to one worker. Blocks until every item is done. errors (may be
 * NULL) gets each item's code. Returns MPR_SUCCESS when every item
 * succeeded, else the code of the lowest failed item (see errors for the
 * others; a worker's death makes its items MPR_ERR_PROC_FAILED while the
 * others complete), MPR_ERR_ARG (unknown name, NULL inputs or outputs
 * with bytes to move, n * size overflowing), or a common error.
 */
int mpr_pool_map(mpr_pool pool, const char *name, const void *inputs, size_t n, size_t in_size,
                 void *outputs, size_t out_size, size_t chunksize, int errors[]);

/*
 * mpr_pool_imap / mpr_pool_imap_unordered - start the same work as
 * mpr_pool_map and return at once with an iterator (Python's imap,
 * imap_unordered). mpr_pool_iter_next hands out the items as they are
 * done: in index order (imap) or in the order they complete (unordered).
 * inputs and outputs must stay valid, and inputs unchanged, until the
 * iterator has returned MPR_ERR_EOF or is freed. Returns MPR_SUCCESS with
 * *iter set, or as mpr_pool_map (without a failed item's code).
 */
int mpr_pool_imap(mpr_pool pool, const char *name, const void *inputs, size_t n,
                  size_t in_size, void *outputs, size_t out_size, size_t chunksize,
                  mpr_pool_iter *iter);
int mpr_pool_imap_unordered(mpr_pool pool, const char *name, const void *inputs, size_t n,
                            size_t in_size, void *outputs, size_t out_size, size_t chunksize,
                            mpr_pool_iter *iter);

/*
 * mpr_pool_iter_next - wait up to timeout (as for the shared objects) for
 * the next item: *index = its index, *error = its code (its output is at
 * outputs + index * out_size when that is MPR_SUCCESS). Returns
 * MPR_SUCCESS, MPR_ERR_EOF (every item was handed out: Python's
 * StopIteration), MPR_ERR_EMPTY (timeout 0, none ready), MPR_ERR_TIMEOUT,
 * or a common error.
 */
int mpr_pool_iter_next(mpr_pool_iter iter, double timeout, size_t *index, int *error);

/* mpr_pool_iter_free - release the iterator, set *iter to NULL. Items
 * still running finish on their workers; their outputs are dropped (the
 * buffers are no longer touched). Returns MPR_SUCCESS or MPR_ERR_ARG. */
int mpr_pool_iter_free(mpr_pool_iter *iter);

/*
 * mpr_pool_apply - run `name` on one input and wait for its output, put
 * at out (out_cap bytes), its size in *out_len (may be NULL): Python's
 * apply. Returns the task's code: MPR_SUCCESS, the function's failure,
 * MPR_ERR_TRUNCATE (output larger than out_cap), MPR_ERR_PROC_FAILED (its
 * worker died, or none is left), MPR_ERR_UNSUPPORTED (a worker without
 * that name); or MPR_ERR_ARG (unknown name, NULL in with in_len > 0, NULL
 * out with out_cap > 0), or a common error.
 */
int mpr_pool_apply(mpr_pool pool, const char *name, const void *in, size_t in_len, void *out,
                   size_t out_cap, size_t *out_len);

/*
 * mpr_pool_apply_async - submit `name` on a copy of the in_len bytes at in
 * and return at once (Python's apply_async). When it is done, exactly one
 * of callback (on success) and error_callback (on failure) runs, if given,
 * with user (see "Callbacks" above for when). result (may be NULL: no
 * handle) gets a handle on the outcome; free it with mpr_pool_result_free.
 * Returns MPR_SUCCESS, MPR_ERR_ARG (unknown name, NULL in with in_len >
 * 0), MPR_ERR_PROC_FAILED (no worker left: nothing submitted, no
 * callback), or a common error.
 */
int mpr_pool_apply_async(mpr_pool pool, const char *name, const void *in, size_t in_len,
                         mpr_pool_callback *callback, mpr_pool_error_callback *error_callback,
                         void *user, mpr_pool_result *result);

/* mpr_pool_result_ready - *flag = 1 when the task is done (AsyncResult.ready).
 * mpr_pool_result_successful - *flag = 1 when it is done and succeeded;
 * MPR_ERR_VALUE while it is not done (Python's ValueError).
 * Return MPR_SUCCESS or a common error. */
int mpr_pool_result_ready(mpr_pool_result result, int *flag);
int mpr_pool_result_successful(mpr_pool_result result, int *flag);

/* mpr_pool_result_wait - wait up to timeout for the task to be done
 * (AsyncResult.wait). Returns MPR_SUCCESS (done, whatever its outcome),
 * MPR_ERR_TIMEOUT (also with timeout 0 when not done), or a common error. */
int mpr_pool_result_wait(mpr_pool_result result, double timeout);

/*
 * mpr_pool_result_get - wait up to timeout for the task, then copy its
 * output into buf (cap bytes; buf may be NULL when cap is 0) and its size
 * to *len (may be NULL) (AsyncResult.get). Returns MPR_SUCCESS; the
 * task's code when it failed; MPR_ERR_TRUNCATE when the output is longer
 * than cap (*len set, nothing copied: retry with a larger buffer);
 * MPR_ERR_TIMEOUT; or a common error. (A function that fails with
 * MPR_ERR_TIMEOUT or MPR_ERR_TRUNCATE itself is told apart with
 * mpr_pool_result_successful.)
 */
int mpr_pool_result_get(mpr_pool_result result, double timeout, void *buf, size_t cap,
                        size_t *len);

/* mpr_pool_result_free - release the handle, set *result to NULL. The
 * task itself goes on and its callbacks still run. Usable after
 * mpr_pool_free. Returns MPR_SUCCESS or MPR_ERR_ARG. */
int mpr_pool_result_free(mpr_pool_result *result);

/* mpr_pool_poll - on the root: move tasks and results and run the
 * callbacks due, without waiting. Returns MPR_SUCCESS or a common error. */
int mpr_pool_poll(mpr_pool pool);

/* mpr_pool_close - on the root: accept no more submissions (Python's
 * close); the tasks submitted go on. Non-blocking. Returns MPR_SUCCESS or
 * a common error. */
int mpr_pool_close(mpr_pool pool);

/*
 * mpr_pool_join - on the root, after close or terminate: wait until every
 * task is done and every worker has left mpr_pool_serve (or ended).
 * Returns MPR_SUCCESS, MPR_ERR_VALUE (the pool is neither closed nor
 * terminated, or called from a callback), or a common error.
 */
int mpr_pool_join(mpr_pool pool);

/*
 * mpr_pool_terminate - on the root: stop now (Python's terminate). Tasks
 * not done fail with MPR_ERR_VALUE (their error callbacks run), workers
 * drop what they hold and leave mpr_pool_serve after the task they are
 * running; returns once they have (mpr_pool_join then returns at once).
 * Returns MPR_SUCCESS, MPR_ERR_VALUE (from a callback), or a common error.
 */
int mpr_pool_terminate(mpr_pool pool);

/*
 * mpr_pool_free - release the pool, set *pool to NULL. On the root, a pool
 * not joined is terminated first (as Python's Pool.__exit__ does). On a
 * worker, call it after mpr_pool_serve returned. Result handles and
 * iterators stay usable (their tasks are done) until freed. Local. Returns
 * MPR_SUCCESS, MPR_ERR_VALUE (from a callback), or a common error.
 */
int mpr_pool_free(mpr_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* MPR_H */
