/*
 * coll_check.c - MPR_CHECK=1: before a collective moves anything, its
 * members compare what each of them called (coll_check.h).
 *
 * Each member sends its call's signature (40 bytes: eager on every
 * transport) to every other member and receives one from each. They
 * travel between world ranks on a context no communicator ever gets, so
 * they never match a collective's or a user's messages, and calls on
 * different communicators meet there too: a rank in a barrier on A and
 * one in a barrier on B, each a member of both, get each other's
 * signature and both fail. Between two ranks signatures are taken in the
 * order they were sent, which is the order of the calls the two share in
 * any program that cannot deadlock (a collective may wait for every
 * member to enter it, so two ranks cannot enter two shared collectives in
 * opposite orders).
 *
 * Every member of a call on one communicator then holds the same n
 * signatures and reaches the same verdict: the first member, in rank
 * order, whose signature differs from rank 0's. So all return
 * MPR_ERR_COLL_MISMATCH together and none starts the collective; the
 * counters of the shared-memory collectives stay in step, and later calls
 * work. Rank 0 of the communicator says it on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll_check.h"
#include "core/env.h"

#define CHECK_TAG 0

bool mpr__coll_check_on;

void mpr__coll_check_configure(void)
{
    static const char *const flag[] = { "0", "1", NULL };
    int on; /* checked at mpr_init (mpr__coll_env_check) */
    mpr__env_name("MPR_CHECK", flag, 0, &on);
    mpr__coll_check_on = on == 1;
}

struct signature {
    uint32_t kind;
    uint32_t ctx; /* the communicator's point-to-point context: the same on all members */
    int32_t root;
    int32_t type;
    int32_t op;
    uint32_t reserved;
    uint64_t count;
    uint64_t object;
};
_Static_assert(sizeof(struct signature) == 40, "a signature fits a shm ring descriptor");

/* ---- Saying what a rank called ------------------------------------------ */

static const char *const kind_names[MPR__CALL_KINDS] = {
    [MPR__CALL_BARRIER] = "barrier",
    [MPR__CALL_BCAST] = "bcast",
    [MPR__CALL_REDUCE] = "reduce",
    [MPR__CALL_ALLREDUCE] = "allreduce",
    [MPR__CALL_SCAN] = "scan",
    [MPR__CALL_EXSCAN] = "exscan",
    [MPR__CALL_REDUCE_SCATTER_BLOCK] = "reduce_scatter_block",
    [MPR__CALL_GATHER] = "gather",
    [MPR__CALL_GATHERV] = "gatherv",
    [MPR__CALL_SCATTER] = "scatter",
    [MPR__CALL_SCATTERV] = "scatterv",
    [MPR__CALL_ALLGATHER] = "allgather",
    [MPR__CALL_ALLGATHERV] = "allgatherv",
    [MPR__CALL_ALLTOALL] = "alltoall",
    [MPR__CALL_ALLTOALLV] = "alltoallv",
    [MPR__CALL_COMM_DUP] = "comm_dup",
    [MPR__CALL_COMM_SPLIT] = "comm_split",
    [MPR__CALL_QUEUE_CREATE] = "queue_create",
    [MPR__CALL_QUEUE_FREE] = "queue_free",
    [MPR__CALL_EVENT_CREATE] = "event_create",
    [MPR__CALL_EVENT_FREE] = "event_free",
    [MPR__CALL_SEMAPHORE_CREATE] = "semaphore_create",
    [MPR__CALL_SEMAPHORE_FREE] = "semaphore_free",
    [MPR__CALL_LOCK_CREATE] = "lock_create",
    [MPR__CALL_LOCK_FREE] = "lock_free",
    [MPR__CALL_RLOCK_CREATE] = "rlock_create",
    [MPR__CALL_RLOCK_FREE] = "rlock_free",
    [MPR__CALL_BARRIER_OBJECT_CREATE] = "barrier_object_create",
    [MPR__CALL_BARRIER_OBJECT_FREE] = "barrier_object_free",
    [MPR__CALL_CONDITION_CREATE] = "condition_create",
    [MPR__CALL_CONDITION_FREE] = "condition_free",
    [MPR__CALL_ARRAY_CREATE] = "array_create",
    [MPR__CALL_ARRAY_FREE] = "array_free",
    [MPR__CALL_DICT_CREATE] = "dict_create", [MPR__CALL_DICT_FREE] = "dict_free", [MPR__CALL_LIST_CREATE] = "list_create", [MPR__CALL_LIST_FREE] = "list_free",
    [MPR__CALL_FINALIZE] = "finalize",
};

static const char *const type_names[] = {
    "", "byte", "char", "signed char", "unsigned char", "short", "unsigned short", "int",
    "unsigned", "long", "unsigned long", "long long", "unsigned long long", "int8", "uint8",
    "int16", "uint16", "int32", "uint32", "int64", "uint64", "float", "double", "long double",
    "size_t",
};

static const char *const op_names[] = {
    "", "sum", "prod", "min", "max", "land", "lor", "lxor", "band", "bor", "bxor",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool counts_elements(uint32_t kind)
{
    return kind >= MPR__CALL_REDUCE && kind <= MPR__CALL_REDUCE_SCATTER_BLOCK;
}

static bool frees_object(uint32_t kind)
{
    return kind == MPR__CALL_QUEUE_FREE || kind == MPR__CALL_EVENT_FREE ||
           kind == MPR__CALL_SEMAPHORE_FREE || kind == MPR__CALL_LOCK_FREE ||
           kind == MPR__CALL_RLOCK_FREE || kind == MPR__CALL_BARRIER_OBJECT_FREE ||
           kind == MPR__CALL_CONDITION_FREE;
}

/* e.g. "reduce(root 0, 3 x long, sum)", "bcast(root 1, 8 bytes) on comm 0x4" */
static void describe(const struct signature *s, uint32_t my_ctx, char *out, size_t cap)
{
    size_t used = 0;
#define ADD(...)                                                                              \
    do {                                                                                      \
        int n_ = snprintf(out + used, used < cap ? cap - used : 0, __VA_ARGS__);              \
        if (n_ > 0)                                                                           \
            used += (size_t)n_;                                                               \
    } while (0)
    const char *name = s->kind < MPR__CALL_KINDS && kind_names[s->kind] ? kind_names[s->kind]
                                                                       : "an unknown call";
    ADD("%s", name);
    const char *sep = "(";
    if (s->root != MPR__CHECK_NO_ROOT) {
        ADD("%sroot %d", sep, (int)s->root);
        sep = ", ";
    }
    if (s->count != MPR__CHECK_NO_COUNT) {
        ADD("%s%llu%s", sep, (unsigned long long)s->count,
            counts_elements(s->kind) ? " x" : " bytes");
        sep = counts_elements(s->kind) ? " " : ", ";
    }
    if (s->type != 0) {
        if (s->type > 0 && (size_t)s->type < COUNT_OF(type_names))
            ADD("%s%s", sep, type_names[s->type]);
        else
            ADD("%stype %d", sep, (int)s->type);
        sep = ", ";
    }
    if (s->op != 0) {
        if (s->op > 0 && (size_t)s->op < COUNT_OF(op_names))
            ADD("%s%s", sep, op_names[s->op]);
        else
            ADD("%suser op %d", sep, (int)s->op);
        sep = ", ";
    }
    if (frees_object(s->kind)) {
        ADD("%sobject %u-%u", sep, (unsigned)(s->object >> 32), (unsigned)s->object);
        sep = ", ";
    }
    if (sep[0] != '(')
        ADD(")");
    if (s->ctx != my_ctx)
        ADD(" on comm 0x%x", (unsigned)s->ctx);
#undef ADD
}

static void say_mismatch(mpr_comm comm, const struct signature *sigs, int other)
{
    char a[160], b[160], world_a[24] = "", world_b[24] = "";
    describe(&sigs[0], comm->ctx_p2p, a, sizeof(a));
    describe(&sigs[other], comm->ctx_p2p, b, sizeof(b));
    if (comm != MPR_COMM_WORLD) {
        snprintf(world_a, sizeof(world_a), " (world %d)", mpr__world_rank(comm, 0));
        snprintf(world_b, sizeof(world_b), " (world %d)", mpr__world_rank(comm, other));
    }
    mpr__log("collective mismatch on comm 0x%x: rank 0%s called %s, rank %d%s called %s",
             (unsigned)comm->ctx_p2p, world_a, a, other, world_b, b);
}

/* ---- The exchange --------------------------------------------------------- */

/* sigs[r] = member r's signature (sigs[me] is mine already). Every
 * receive and send that can start does, even after an error, so the
 * members that are alive are not left waiting for this one. */
static int exchange(mpr_comm comm, struct signature *sigs)
{
    int n = comm->size, me = comm->rank;
    struct mpr_request **reqs = malloc(2 * (size_t)n * sizeof(*reqs));
    if (!reqs)
        return MPR_ERR_NO_MEM;
    int nreqs = 0, result = MPR_SUCCESS;
    for (int r = 0; r < n; r++) {
        if (r == me)
            continue;
        int rc = mpr__recv_start(&sigs[r], sizeof(sigs[r]), mpr__world_rank(comm, r), CHECK_TAG,
                                 MPR_COMM_WORLD, MPR__CTX_CHECK, &reqs[nreqs]);
        if (rc == MPR_SUCCESS)
            nreqs++;
        else if (result == MPR_SUCCESS)
            result = rc;
    }
    for (int r = 0; r < n; r++) {
        if (r == me)
            continue;
        int rc = mpr__send_start(&sigs[me], sizeof(sigs[me]), mpr__world_rank(comm, r),
                                 CHECK_TAG, MPR_COMM_WORLD, MPR__CTX_CHECK, &reqs[nreqs]);
        if (rc == MPR_SUCCESS)
            nreqs++;
        else if (result == MPR_SUCCESS)
            result = rc;
    }
    for (int i = 0; i < nreqs; i++) {
        int rc = mpr__wait_request(reqs[i], NULL);
        if (rc != MPR_SUCCESS && result == MPR_SUCCESS)
            result = rc;
    }
    free(reqs);
    return result;
}

int mpr__coll_check_call(mpr_comm comm, enum mpr__coll_kind kind, int root, uint64_t count,
                         mpr_datatype type, mpr_op op, uint64_t object)
{
    if (comm->size == 1)
        return MPR_SUCCESS;
    struct signature *sigs = calloc((size_t)comm->size, sizeof(*sigs));
    if (!sigs)
        return MPR_ERR_NO_MEM;
    sigs[comm->rank] = (struct signature){ .kind = kind, .ctx = comm->ctx_p2p, .root = root,
                                           .type = type, .op = op, .count = count,
                                           .object = object };
    int rc = exchange(comm, sigs);
    if (rc == MPR_SUCCESS) {
        for (int r = 1; r < comm->size; r++) {
            if (memcmp(&sigs[r], &sigs[0], sizeof(sigs[0])) != 0) {
                if (comm->rank == 0)
                    say_mismatch(comm, sigs, r);
                rc = MPR_ERR_COLL_MISMATCH;
                break;
            }
        }
    }
    free(sigs);
    return rc;
}
