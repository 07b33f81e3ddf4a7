/*
 * pool.h - what the files of the pool share (pool.c: handles and the
 * public calls; pool_root.c: the root's engine; pool_worker.c: a worker's
 * mpr_pool_serve; pool_wire.c: the messages). See pool_root.c for the
 * design.
 */
#ifndef MPR_POOL_INTERNAL_H
#define MPR_POOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mpr_internal.h"

/* Tags on the pool's private communicator. */
enum {
    MPR__POOL_TAG_TASKS = 1,     /* root -> worker: a batch of chunks */
    MPR__POOL_TAG_RESULTS = 2,   /* worker -> root: results of items, in order */
    MPR__POOL_TAG_CLOSE = 3,     /* root -> worker: finish what you have, then leave */
    MPR__POOL_TAG_TERMINATE = 4, /* root -> worker: drop what you have and leave */
    MPR__POOL_TAG_BYE = 5,       /* worker -> root: nothing more comes from me */
};

/* ---- growable byte buffers -------------------------------------------- */

struct mpr__pool_buf {
    unsigned char *data;
    size_t len, cap;
};

/* Room for `more` bytes after len. MPR_SUCCESS or MPR_ERR_NO_MEM. */
int mpr__pool_buf_reserve(struct mpr__pool_buf *b, size_t more);

/* An output capacity meaning "any size up to MPR_POOL_RESULT_MAX". */
#define MPR__POOL_ANY_SIZE SIZE_MAX

/* ---- registered functions --------------------------------------------- */

struct mpr__pool_fn {
    char name[MPR_POOL_NAME_MAX + 1];
    size_t name_len;
    mpr_pool_function *fn;
    void *arg;
};

/*
 * Run fn on one input and append the output to out, after a 4-byte code
 * and an 8-byte length (a result record's tail: see pool.h's wire). cap
 * is the caller's capacity for the output, or MPR__POOL_ANY_SIZE (then a
 * MPR_ERR_TRUNCATE with the size needed gets a second call with that much
 * room). f NULL: the name is not registered here (MPR_ERR_UNSUPPORTED).
 * Returns the item's code (what goes into the record; MPR_ERR_NO_MEM when
 * out could not grow). The caller has reserved the 12 bytes.
 */
int mpr__pool_run_item(const struct mpr__pool_fn *f, const void *in, size_t in_len, size_t cap,
                       struct mpr__pool_buf *out);

/* ---- the wire (pool_wire.c) -------------------------------------------
 *
 * TASKS:   u32 nchunks, then per chunk:
 *          u64 id, u32 nitems, u64 item_len, u64 out_cap (all ones: any
 *          size), u16 name_len,
 *          name, zeros up to a multiple of MPR__POOL_INPUT_ALIGN from the
 *          message's start, nitems * item_len input bytes
 * RESULTS: u32 nrecords, u64 busy_ns (the worker's time in functions for
 *          these items), then per item, in the order of the items sent:
 *          u64 chunk id, i32 code, u64 len, len output bytes (0 unless
 *          the code is MPR_SUCCESS)
 * CLOSE, TERMINATE, BYE: no bytes.
 * All fields little-endian. Every length is checked against the message
 * before it is used.
 */
#define MPR__POOL_TASKS_HEADER 4
#define MPR__POOL_INPUT_ALIGN 16 /* inputs start aligned in the message */
#define MPR__POOL_CHUNK_HEADER 30
#define MPR__POOL_RESULTS_HEADER 12
#define MPR__POOL_RECORD_HEADER 20

struct mpr__pool_chunk_view {
    uint64_t id;
    uint32_t nitems;
    uint64_t item_len, out_cap;
    const char *name;
    size_t name_len;
    const unsigned char *inputs;
};

/* Parse the chunk at *off of a TASKS message of len bytes; advance *off.
 * false (with the reason in why) when it does not fit. */
bool mpr__pool_parse_chunk(const unsigned char *msg, size_t len, size_t *off,
                           struct mpr__pool_chunk_view *c, char *why, size_t why_cap);

struct mpr__pool_record_view {
    uint64_t chunk_id;
    int code;
    const unsigned char *data;
    size_t len;
};

/* Parse the result record at *off of a RESULTS message; advance *off. */
bool mpr__pool_parse_record(const unsigned char *msg, size_t len, size_t *off,
                            struct mpr__pool_record_view *r, char *why, size_t why_cap);

/* Append a chunk header (then the caller appends the inputs). */
int mpr__pool_put_chunk_header(struct mpr__pool_buf *b, uint64_t id, uint32_t nitems,
                               uint64_t item_len, uint64_t out_cap, const char *name,
                               size_t name_len);

/* ---- the pool ---------------------------------------------------------- */

struct mpr__pool_job;
struct mpr__pool_chunk;

/* A send in flight and the buffer it sends from (freed when it is done). */
struct mpr__pool_send {
    struct mpr_request *req;
    unsigned char *data;
    struct mpr__pool_send *next;
};

struct mpr__pool_worker {
    int rank;  /* in the pool's communicator */
    int world; /* in MPR_COMM_WORLD */
    bool alive;
    bool stopped; /* its BYE came: nothing more from it */
    bool stop_sent;
    size_t inflight; /* items sent and not answered */
    size_t nchunks;  /* chunks sent and not wholly answered */
    struct mpr__pool_chunk *head, *tail; /* chunks sent, in order */
};

#define MPR__POOL_MAGIC 0x706f6f6cu /* "pool" */

struct mpr_pool {
    uint32_t magic;
    mpr_comm comm; /* private: a dup of the creator's communicator */
    uint32_t ctx;
    int root;
    bool is_root;
    bool served; /* a worker's mpr_pool_serve has run */
    struct mpr__pool_fn *fns;
    int nfns;
    const struct mpr__pool_fn *last_fn; /* lookup cache */

    /* Messages: sends in flight, the one receive in flight. */
    struct mpr__pool_send *sends;
    struct mpr_request *incoming;
    int incoming_tag, incoming_from;
    struct mpr__pool_buf rbuf;

    /* The root's state (pool_root.c). */
    struct mpr__pool_worker *workers;
    int nworkers, nalive;
    bool local;       /* created without workers: the root runs tasks itself */
    bool closed;      /* close or terminate called: no more submissions */
    bool terminated;
    bool joined;
    int depth;        /* pool calls in progress (a callback's calls nest) */
    uint64_t next_chunk_id;
    double item_seconds; /* estimate of one item's time in its function */
    struct mpr__pool_job *pending_head, *pending_tail; /* items still to send */
    struct mpr__pool_job *done_head, *done_tail;       /* callbacks still to run */
    struct mpr__pool_chunk *free_chunks;
    struct mpr_pool_result *results; /* handles, to detach at free */
    struct mpr_pool_iter *iters;
    size_t jobs_open;                /* jobs with items not yet done */
    struct mpr__pool_buf local_out;  /* local mode's results */
};

enum mpr__pool_job_kind { MPR__POOL_JOB_ITEMS, MPR__POOL_JOB_APPLY, MPR__POOL_JOB_ASYNC };

struct mpr__pool_job {
    enum mpr__pool_job_kind kind;
    const struct mpr__pool_fn *fn; /* the root's entry, for its name (and local mode) */
    const unsigned char *inputs;   /* ITEMS: the caller's; APPLY/ASYNC: in_copy or caller's */
    size_t n, in_size;             /* items and bytes per item */
    unsigned char *outputs;        /* ITEMS, APPLY: the caller's */
    size_t out_size;               /* per item; 0 for ASYNC (any size) */
    size_t chunksize;
    size_t next_send;              /* first item not yet sent */
    size_t ndone;                  /* items completed (result, failure or cancel) */
    int *errors;                   /* ITEMS: per item code; may be the caller's */
    bool own_errors;
    int first_error;               /* ITEMS: the lowest index's failure so far */
    size_t first_error_index;
    /* iterators */
    struct mpr_pool_iter *iter;
    unsigned char *finished;       /* ordered: item i is done */
    size_t *order;                 /* unordered: indexes in completion order */
    /* APPLY */
    size_t *out_len;
    /* APPLY, ASYNC: the one item's code */
    int code;
    /* ASYNC */
    void *in_copy;
    mpr_pool_callback *callback;
    mpr_pool_error_callback *error_callback;
    void *user;
    struct mpr_pool_result *result;
    void *data; /* output while no result handle holds it */
    size_t data_len;
    bool detached; /* ITEMS: no caller waits any more; outputs are dropped */
    struct mpr__pool_job *next; /* in the pending list, then the done list */
    bool queued;                /* in the pending list */
};

#define MPR__POOL_RESULT_MAGIC 0x706f7265u /* "pore" */
struct mpr_pool_result {
    uint32_t magic;
    struct mpr_pool *pool; /* NULL once the pool is freed */
    struct mpr__pool_job *job; /* until its callbacks have run */
    bool ready;
    bool freed; /* freed by the user while its callback was still due */
    int code;
    void *data;
    size_t len;
    struct mpr_pool_result *prev, *next;
};

#define MPR__POOL_ITER_MAGIC 0x706f6974u /* "poit" */
struct mpr_pool_iter {
    uint32_t magic;
    struct mpr_pool *pool;
    struct mpr__pool_job *job;
    bool ordered;
    size_t returned; /* items handed out by next */
    struct mpr_pool_iter *prev, *next;
};

/* pool.c */
const struct mpr__pool_fn *mpr__pool_find_fn(struct mpr_pool *pool, const char *name,
                                             size_t name_len);
void mpr__pool_job_free(struct mpr__pool_job *job);

/* pool_root.c */
void mpr__pool_root_setup(struct mpr_pool *pool);
/* Queue a job's items for the workers (and send what the windows allow). */
void mpr__pool_submit(struct mpr_pool *pool, struct mpr__pool_job *job);
/* One look at everything without waiting: sends, results, deaths, dispatch. */
void mpr__pool_pump(struct mpr_pool *pool);
/* Run the callbacks due, if no pool call is in progress below this one. */
void mpr__pool_run_callbacks(struct mpr_pool *pool);
/* Wait (running callbacks at the outermost call) until done(arg) returns
 * other than MPR__PENDING or the deadline passes (MPR_ERR_TIMEOUT). */
int mpr__pool_wait(struct mpr_pool *pool, int (*done)(void *arg), void *arg, double deadline);
/* Stop the workers (after close: when all is done; terminate: now) and
 * wait for their BYE or their end. */
int mpr__pool_stop(struct mpr_pool *pool, bool terminate);
/* Fail every item not yet done with code (terminate, the last worker lost). */
void mpr__pool_fail_all(struct mpr_pool *pool, int code);
/* Release the root's state (after stop). */
void mpr__pool_root_release(struct mpr_pool *pool);

/* pool_worker.c */
int mpr__pool_serve(struct mpr_pool *pool);

/* Both sides: complete sends that are done (free their buffers); send
 * b's bytes (taking the buffer) without waiting. */
void mpr__pool_reap_sends(struct mpr_pool *pool);
int mpr__pool_send(struct mpr_pool *pool, int dest, int tag, struct mpr__pool_buf *b);

#endif /* MPR_POOL_INTERNAL_H */
