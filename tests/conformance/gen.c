/*
 * gen.c - the program generator. It keeps its own picture of which
 * communicator slots and objects exist (the same on every rank, whatever
 * group a rank is in), and draws each call from the program's stream.
 */
#include <stdio.h>
#include <string.h>

#include "conform.h"

static struct rng prog;
static bool slot_live[MAX_SLOTS];
static bool obj_live[MAX_SLOTS][OBJ_NKINDS];

#define MAX_PAIRS 512
static mpr_datatype pair_types[MAX_PAIRS];
static int pair_ops[MAX_PAIRS];
static int npairs;

static const char *const kind_names[K_NKINDS] = {
    [K_BARRIER] = "barrier",
    [K_BCAST] = "bcast",
    [K_REDUCE] = "reduce",
    [K_ALLREDUCE] = "allreduce",
    [K_SCAN] = "scan",
    [K_EXSCAN] = "exscan",
    [K_REDUCE_SCATTER_BLOCK] = "reduce_scatter_block",
    [K_GATHER] = "gather",
    [K_GATHERV] = "gatherv",
    [K_SCATTER] = "scatter",
    [K_SCATTERV] = "scatterv",
    [K_ALLGATHER] = "allgather",
    [K_ALLGATHERV] = "allgatherv",
    [K_ALLTOALL] = "alltoall",
    [K_ALLTOALLV] = "alltoallv",
    [K_P2P] = "p2p",
    [K_COMM_SPLIT] = "comm_split",
    [K_COMM_DUP] = "comm_dup",
    [K_COMM_FREE] = "comm_free",
    [K_OBJ_CREATE] = "create",
    [K_OBJ_USE] = "use",
    [K_OBJ_FREE] = "free",
};

/* relative frequencies */
static const int kind_weights[K_NKINDS] = {
    [K_BARRIER] = 4,   [K_BCAST] = 8,     [K_REDUCE] = 8,     [K_ALLREDUCE] = 8,
    [K_SCAN] = 4,      [K_EXSCAN] = 4,    [K_REDUCE_SCATTER_BLOCK] = 4,
    [K_GATHER] = 5,    [K_GATHERV] = 4,   [K_SCATTER] = 5,    [K_SCATTERV] = 4,
    [K_ALLGATHER] = 5, [K_ALLGATHERV] = 4, [K_ALLTOALL] = 5,  [K_ALLTOALLV] = 4,
    [K_P2P] = 8,
    [K_COMM_SPLIT] = 3, [K_COMM_DUP] = 2, [K_COMM_FREE] = 2,
    [K_OBJ_CREATE] = 5, [K_OBJ_USE] = 8,  [K_OBJ_FREE] = 3,
};

const char *kind_name(enum call_kind k)
{
    return kind_names[k];
}

const char *op_name(int op)
{
    static const char *const names[] = { "MPR_OP_NULL", "MPR_SUM",  "MPR_PROD", "MPR_MIN",
                                         "MPR_MAX",     "MPR_LAND", "MPR_LOR",  "MPR_LXOR",
                                         "MPR_BAND",    "MPR_BOR",  "MPR_BXOR" };
    if (op == OP_MATRIX)
        return "user-matrix(non-commutative)";
    if (op == OP_PLUS1)
        return "user-plus1(commutative)";
    return op >= 0 && op <= MPR_BXOR ? names[op] : "?";
}

const char *type_name(mpr_datatype t)
{
    static const char *const names[] = {
        "?",           "MPR_BYTE",  "MPR_CHAR",    "MPR_SIGNED_CHAR", "MPR_UNSIGNED_CHAR",
        "MPR_SHORT",   "MPR_UNSIGNED_SHORT", "MPR_INT", "MPR_UNSIGNED", "MPR_LONG",
        "MPR_UNSIGNED_LONG", "MPR_LONG_LONG", "MPR_UNSIGNED_LONG_LONG", "MPR_INT8", "MPR_UINT8",
        "MPR_INT16",   "MPR_UINT16", "MPR_INT32",  "MPR_UINT32",      "MPR_INT64",
        "MPR_UINT64",  "MPR_FLOAT", "MPR_DOUBLE", "MPR_LONG_DOUBLE", "MPR_SIZE_T",
    };
    return t >= 0 && t <= MPR_SIZE_T ? names[t] : "?";
}

void gen_start(uint64_t seed)
{
    prog.state = mix64(seed ^ 0xc0ffee);
    memset(slot_live, 0, sizeof(slot_live));
    memset(obj_live, 0, sizeof(obj_live));
    slot_live[0] = true;
    if (!npairs)
        npairs = valid_pairs(pair_types, pair_ops, MAX_PAIRS);
}

/* Sizes from 0 B to 4 MiB, most small, with the algorithms' switch
 * points (and one byte either side) drawn on purpose. */
static size_t draw_bytes(void)
{
    static const size_t edges[] = { 8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10 };
    static const int deltas[] = { -64, -8, -1, 0, 0, 1, 8, 64 };
    uint64_t cls = rng_below(&prog, 1000);
    size_t b;
    if (cls < 50)
        b = 0;
    else if (cls < 350)
        b = 1 + rng_below(&prog, 64);
    else if (cls < 620)
        b = 65 + rng_below(&prog, 4096 - 64);
    else if (cls < 830)
        b = 4096 + rng_below(&prog, 60 << 10);
    else if (cls < 930)
        b = edges[rng_below(&prog, sizeof(edges) / sizeof(edges[0]))] + (size_t)deltas[rng_below(&prog, 8)];
    else if (cls < 985)
        b = (64 << 10) + rng_below(&prog, 448 << 10);
    else if (cls < 993)
        b = (512 << 10) + rng_below(&prog, (3584 << 10) + 1);
    else /* the 4 MiB switch of allreduce (ring) */
        b = (4u << 20) - (size_t)(rng_below(&prog, 2) ? 0 : 64 - deltas[rng_below(&prog, 8)]);
    return b < opt.max_size ? b : opt.max_size;
}

static bool allowed(enum call_kind k)
{
    return !opt.only || (opt.only & (1u << k));
}

static int pick_slot(void)
{
    int weights[MAX_SLOTS], total = 0;
    for (int i = 0; i < MAX_SLOTS; i++)
        total += weights[i] = slot_live[i] ? (i == 0 ? 2 : 1) : 0;
    int x = (int)rng_below(&prog, (uint64_t)total);
    for (int i = 0; i < MAX_SLOTS; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return 0;
}

static int free_slot(void)
{
    for (int i = 1; i < MAX_SLOTS; i++)
        if (!slot_live[i])
            return i;
    return -1;
}

static int count_objs(int slot, bool live)
{
    int n = 0;
    for (int k = 0; k < OBJ_NKINDS; k++)
        n += obj_live[slot][k] == live;
    return n;
}

/* the i-th object kind (0-based) whose liveness is `live` */
static enum obj_kind nth_obj(int slot, bool live, int i)
{
    for (int k = 0; k < OBJ_NKINDS; k++)
        if (obj_live[slot][k] == live && i-- == 0)
            return (enum obj_kind)k;
    return OBJ_QUEUE;
}

void gen_next(int index, struct call *c)
{
    memset(c, 0, sizeof(*c));
    c->index = index;
    c->slot = pick_slot();
    int derived = 0;
    for (int i = 1; i < MAX_SLOTS; i++)
        derived += slot_live[i];

    int weights[K_NKINDS], total = 0;
    for (int k = 0; k < K_NKINDS; k++) {
        int w = allowed((enum call_kind)k) ? kind_weights[k] : 0;
        if ((k == K_COMM_SPLIT || k == K_COMM_DUP) && free_slot() < 0)
            w = 0;
        if (k == K_COMM_FREE && c->slot == 0)
            w = 0;
        if (k == K_OBJ_CREATE && count_objs(c->slot, false) == 0)
            w = 0;
        if ((k == K_OBJ_USE || k == K_OBJ_FREE) && count_objs(c->slot, true) == 0)
            w = 0;
        total += weights[k] = w;
    }
    if (total == 0) { /* --only left nothing possible here: a barrier */
        c->kind = K_BARRIER;
        return;
    }
    int x = (int)rng_below(&prog, (uint64_t)total);
    int k = 0;
    while (x >= weights[k])
        x -= weights[k++];
    c->kind = (enum call_kind)k;
    for (int i = 0; i < 4; i++)
        c->raw[i] = rng_next(&prog);
    c->bytes = draw_bytes();
    int pair = (int)rng_below(&prog, (uint64_t)npairs);
    c->type = pair_types[pair];
    c->op = pair_ops[pair];
    c->in_place = rng_below(&prog, 10) < 3;
    c->null_recv = rng_below(&prog, 2);
    c->short_block = rng_below(&prog, 7) == 0;

    switch (c->kind) {
    case K_COMM_SPLIT:
    case K_COMM_DUP:
        c->new_slot = free_slot();
        slot_live[c->new_slot] = true;
        break;
    case K_COMM_FREE:
        slot_live[c->slot] = false;
        memset(obj_live[c->slot], 0, sizeof(obj_live[c->slot]));
        break;
    case K_OBJ_CREATE:
        c->obj = nth_obj(c->slot, false, (int)rng_below(&prog, (uint64_t)count_objs(c->slot, false)));
        obj_live[c->slot][c->obj] = true;
        break;
    case K_OBJ_USE:
    case K_OBJ_FREE:
        c->obj = nth_obj(c->slot, true, (int)rng_below(&prog, (uint64_t)count_objs(c->slot, true)));
        if (c->kind == K_OBJ_FREE)
            obj_live[c->slot][c->obj] = false;
        break;
    default:
        break;
    }
}

/* The calls that end a sequence: every derived communicator freed (with
 * its objects), then the objects of MPR_COMM_WORLD. false when nothing is
 * left. */
bool gen_cleanup(int index, struct call *c)
{
    memset(c, 0, sizeof(*c));
    c->index = index;
    for (int i = MAX_SLOTS - 1; i >= 1; i--)
        if (slot_live[i]) {
            c->kind = K_COMM_FREE;
            c->slot = i;
            slot_live[i] = false;
            memset(obj_live[i], 0, sizeof(obj_live[i]));
            return true;
        }
    for (int k = 0; k < OBJ_NKINDS; k++)
        if (obj_live[0][k]) {
            c->kind = K_OBJ_FREE;
            c->slot = 0;
            c->obj = (enum obj_kind)k;
            obj_live[0][k] = false;
            return true;
        }
    return false;
}
