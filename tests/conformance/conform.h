/*
 * conform.h - the randomized differential conformance suite (issue 9).
 *
 * Every rank derives the same program from a seed: a sequence of calls
 * (collectives, communicator splits/dups/frees, shared-object creations,
 * uses and frees). Every rank's input is a pure function of (seed, call,
 * rank, element), so each rank computes the reference result of a call
 * itself and checks its own output exactly.
 *
 * conform.c  options, the sequence runner, communicators, skew, failures
 * gen.c      the program generator: what the next call is
 * elems.c    typed elements: inputs, the reference reduction, user ops
 * colls.c    the collectives and their checks
 * p2p.c      point-to-point messages: sizes, wildcards, order, truncation
 * objects.c  queue, event, semaphore and lock patterns and their checks
 * objects_sync.c  rlock, condition and barrier object patterns
 * objects_array.c the shared array and value
 * objects_pipe.c  pipes between pairs of ranks
 */
#ifndef CONFORM_H
#define CONFORM_H

#include <mpr.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pseudo-random numbers (never rand()) ---- */

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* splitmix64: the program's stream (every rank draws the same numbers) */
struct rng {
    uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
    return mix64(r->state += 0x9e3779b97f4a7c15ull);
}

/* uniform in [0, n) (n > 0); the tiny modulo bias does not matter here */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* a key naming one stream of data: hash of up to four words */
static inline uint64_t key4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return mix64(mix64(mix64(mix64(a) ^ b) ^ c) ^ d);
}

/* the k-th 64-bit word of stream key */
static inline uint64_t stream_word(uint64_t key, uint64_t k)
{
    return mix64(key + (k + 1) * 0x9e3779b97f4a7c15ull);
}

/* ---- what the program is made of ---- */

enum call_kind {
    K_BARRIER,
    K_BCAST,
    K_REDUCE,
    K_ALLREDUCE,
    K_SCAN,
    K_EXSCAN,
    K_REDUCE_SCATTER_BLOCK,
    K_GATHER,
    K_GATHERV,
    K_SCATTER,
    K_SCATTERV,
    K_ALLGATHER,
    K_ALLGATHERV,
    K_ALLTOALL,
    K_ALLTOALLV,
    K_P2P,
    K_COMM_SPLIT,
    K_COMM_DUP,
    K_COMM_FREE,
    K_OBJ_CREATE,
    K_OBJ_USE,
    K_OBJ_FREE,
    K_NKINDS
};

enum obj_kind {
    OBJ_QUEUE,
    OBJ_EVENT,
    OBJ_SEMAPHORE,
    OBJ_LOCK,
    OBJ_RLOCK,
    OBJ_CONDITION,
    OBJ_BARRIER,
    OBJ_ARRAY,
    OBJ_PIPE,
    OBJ_NKINDS
};

/* user ops made at start-up: a non-commutative and a commutative one */
#define OP_MATRIX (-100) /* 2x2 matrix product of packed entries, rank order */
#define OP_PLUS1 (-101)  /* a + b + 1 */

/* One call, identical on every rank: raw draws are reduced to the size of
 * the communicator each rank is in only when the call runs. */
struct call {
    int index;        /* position in the sequence */
    enum call_kind kind;
    int slot;         /* the communicator slot the call runs on */
    int new_slot;     /* split/dup: the slot made */
    size_t bytes;     /* the size drawn: total bytes of the call */
    mpr_datatype type;
    int op;           /* MPR_* op, OP_MATRIX or OP_PLUS1 */
    bool in_place;
    bool null_recv;   /* reduce/gather: non-roots pass NULL as recvbuf */
    bool short_block; /* v-variants: some receivers expect more than is sent */
    enum obj_kind obj;
    uint64_t raw[4];  /* root, colors, object parameters... */
};

/* ---- the state of a sequence, as this rank sees it ---- */

#define MAX_SLOTS 5 /* MPR_COMM_WORLD and four derived communicators */

struct pipe_state;

struct objects {
    bool live[OBJ_NKINDS];
    mpr_queue queue;
    size_t queue_maxsize, queue_item_max; /* as created (0 = unbounded) */
    mpr_event event;
    mpr_semaphore sem;
    int sem_value; /* initial value */
    bool sem_bounded;
    mpr_lock lock;
    mpr_rlock rlock;
    mpr_condition cond;
    int cond_over;            /* its own rlock, a lock or an rlock made for it */
    mpr_lock cond_lock;       /* the lock or rlock made for it, else NULL */
    mpr_rlock cond_rlock;
    mpr_semaphore cond_items; /* the items of its hand-off */
    mpr_barrier_object barrier;
    int barrier_parties;
    mpr_array array;
    mpr_datatype array_type;
    size_t array_count;
    unsigned char *array_model; /* the contents expected, the same on every rank */
    struct pipe_state *pipes;   /* every pipe of the group, known to every rank */
    int npipes;
    int pipe_call;              /* the call that made them */
};

struct slot {
    bool live;       /* made on every rank (this rank may have no comm) */
    mpr_comm comm;   /* MPR_COMM_NULL: this rank is not in it */
    int rank, size;  /* in comm */
    int color;       /* split color of this rank's group (0 for world, dup) */
    char name[32];   /* "world", "split3", "dup4" */
    struct objects obj;
    mpr_semaphore barrier_sem; /* the barrier check's own (colls.c), or NULL */
};

struct options {
    uint64_t seed;
    long sequences;
    int calls;
    size_t max_size;
    long max_skew_us;    /* longest sleep before a call */
    int verbose;
    unsigned only;       /* bit mask of allowed call kinds (0: all) */
    unsigned avoid;      /* AVOID_* bits: known bugs steered around */
    int hang_seconds;    /* a call taking longer is reported as a hang */
    bool progress;
};

/* Known bugs the generator can steer around (--avoid NAME). */
#define AVOID_REDUCE_RUNAHEAD 1u /* finding 1: no rank leaves a reduce before the root has its result */

extern struct options opt;
extern int world_rank, world_size;
extern uint64_t cur_seed; /* the seed of the running sequence */
extern struct slot slots[MAX_SLOTS];

/* conform.c */
void fail(const struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_rc(const struct call *c, int rc, const char *what);
void *xmalloc(size_t n);
void group_sync(const struct call *c, const struct slot *s);
/* Free the slot's barrier-check semaphore, if made (collective over its comm). */
void barrier_check_free(const struct call *c, struct slot *s);
const char *kind_name(enum call_kind k);
void describe(const struct call *c, const struct slot *s, char *out, size_t len);

/* gen.c */
void gen_start(uint64_t seed);
void gen_next(int index, struct call *c);
bool gen_cleanup(int index, struct call *c);
const char *op_name(int op);
const char *type_name(mpr_datatype t);

/* elems.c */
struct elem {
    uint64_t i;    /* integers and bytes: the value, normalized to the type */
    long double f; /* floating types */
};
void elems_init(void);
mpr_op elems_mpr_op(int op);
bool op_commutes(int op);
size_t type_size(mpr_datatype t);
bool type_is_float(mpr_datatype t);
struct elem elem_input(mpr_datatype t, int op, uint64_t key, size_t k);
struct elem elem_combine(mpr_datatype t, int op, struct elem lower, struct elem higher);
void elem_store(mpr_datatype t, void *p, struct elem v);
struct elem elem_load(mpr_datatype t, const void *p);
bool elem_equal(mpr_datatype t, struct elem a, struct elem b);
void elem_format(mpr_datatype t, struct elem v, char *out, size_t len);
/* valid (type, op) pairs, for the generator */
int valid_pairs(mpr_datatype types[], int ops[], int max);

/* colls.c */
void run_collective(const struct call *c, struct slot *s);
uint64_t data_key(const struct call *c, int src, int block);
void fill_bytes(void *dst, size_t len, uint64_t key);
void check_bytes(const struct call *c, const void *got, size_t len, uint64_t key,
                 const char *what);

/* p2p.c: point-to-point traffic against the matching rules */
void run_p2p(const struct call *c, struct slot *s);

/* objects.c */
void obj_create(const struct call *c, struct slot *s);
void obj_use(const struct call *c, struct slot *s);
void obj_free(const struct call *c, struct slot *s, enum obj_kind k);

/* objects_sync.c: rlock, condition, barrier object */
int sync_obj_create(const struct call *c, struct slot *s);
void sync_obj_use(const struct call *c, struct slot *s);
void sync_obj_free(const struct call *c, struct slot *s, enum obj_kind k);

/* objects_array.c: shared array and value */
int array_obj_create(const struct call *c, struct slot *s);
void array_obj_use(const struct call *c, struct slot *s);
void array_obj_free(const struct call *c, struct slot *s);

/* objects_pipe.c: pipes between pairs of ranks */
int pipe_obj_create(const struct call *c, struct slot *s);
void pipe_obj_use(const struct call *c, struct slot *s);
void pipe_obj_free(const struct call *c, struct slot *s);

#endif
