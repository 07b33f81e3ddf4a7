/*
 * coll_reduce.c - reduce, allreduce, scan, exscan and reduce_scatter_block
 * over point-to-point.
 *
 * Every algorithm here combines a partial result of lower ranks with one of
 * higher ranks as lower op higher (mpr__op_apply's `in` is the lower part),
 * so the trees, recursive doubling and the scans also serve
 * non-commutative ops; the ring and the reduce-scatter based ones
 * (Rabenseifner) need a commutative op. Each call first offers the work
 * to the shared-memory collectives (coll_shm.c), which decline with
 * MPR_ERR_UNSUPPORTED when they cannot serve it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"
#include "coll/coll_check.h"
#include "coll/coll_shm.h"

/* From this many bytes a commutative allreduce leaves recursive doubling
 * (log2 N rounds moving all the bytes each) for Rabenseifner (2 log2 N
 * rounds moving about twice the buffer in all), and when N is not a power of two, for
 * the ring from RING_MIN_BYTES (no round that moves the whole buffer to
 * fold the extra ranks in, but 2 (N-1) rounds). Measured on 2 cores with
 * 2..8 ranks; the numbers are noisy, the order of the three is not. */
#define RABENSEIFNER_MIN_BYTES ((size_t)64 << 10)
#define RING_MIN_BYTES ((size_t)4 << 20)
#define OVERSUBSCRIBED_SPLIT_BYTES ((size_t)128 << 10) /* auto: reduce + bcast from here when cores are shared */
#define OVERSUBSCRIBED_TREE_BYTES ((size_t)16 << 10)   /* auto: a reduce's binomial tree from here, likewise */

/* One reduction's arguments, checked. */
struct red {
    mpr_comm comm;
    size_t count;
    size_t bytes;
    mpr_datatype type;
    mpr_op op;
    bool commutative;
};

static int red_init(struct red *r, mpr_comm comm, size_t count, mpr_datatype type, mpr_op op)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    size_t esize;
    if (mpr__type_size(type, &esize) != MPR_SUCCESS ||
        mpr__op_check(op, type, &r->commutative) != MPR_SUCCESS || count > SIZE_MAX / esize)
        return MPR_ERR_ARG;
    r->comm = comm;
    r->count = count;
    r->bytes = count * esize;
    r->type = type;
    r->op = op;
    return MPR_SUCCESS;
}

static void apply(const struct red *r, const void *in, void *inout)
{
    mpr__op_apply(r->op, r->type, in, inout, r->count);
}

/* Block i of n over count elements: where it starts and how long it is. */
static size_t block_start(size_t count, int n, int i)
{
    size_t base = count / (size_t)n, extra = count % (size_t)n;
    return (size_t)i * base + ((size_t)i < extra ? (size_t)i : extra);
}

static size_t block_count(size_t count, int n, int i)
{
    return count / (size_t)n + ((size_t)i < count % (size_t)n);
}

/*
 * Power-of-two algorithms on any N: with p2 the largest power of two
 * below N and rem = N - p2, the first 2 rem ranks pair up first: each
 * even one hands its data to the odd one above it (which folds it in) and
 * waits for the result, so p2 ranks remain, numbered in rank order.
 */
struct pow2 {
    int p2, rem;
    int newrank; /* this rank's number among the p2 */
};

static int pow2_rank(const struct pow2 *g, int newrank)
{
    return newrank < g->rem ? newrank * 2 + 1 : newrank + g->rem;
}

/* The p2 ranks' part: recv holds this rank's partial result on entry and
 * the whole result on return; tmp has r->bytes. */
typedef int pow2_core(const struct red *r, const struct pow2 *g, char *recv, char *tmp,
                      int tag, int *result);

static int allreduce_pow2(const struct red *r, void *recv, int tag, pow2_core *core)
{
    mpr_comm comm = r->comm;
    int rank = comm->rank;
    struct pow2 g = { .p2 = 1 };
    while (g.p2 * 2 <= comm->size)
        g.p2 *= 2;
    g.rem = comm->size - g.p2;
    if (rank < 2 * g.rem && rank % 2 == 0) {
        int rc = mpr__coll_send(recv, r->bytes, rank + 1, tag, comm);
        return rc == MPR_SUCCESS ? mpr__coll_recv(recv, r->bytes, rank + 1, tag, comm) : rc;
    }
    void *tmp = malloc(r->bytes);
    if (!tmp)
        return MPR_ERR_NO_MEM;
    int rc = MPR_SUCCESS, result = MPR_SUCCESS;
    g.newrank = rank - g.rem;
    if (rank < 2 * g.rem) {
        rc = mpr__coll_note(mpr__coll_recv(tmp, r->bytes, rank - 1, tag, comm), &result);
        if (rc == MPR_SUCCESS)
            apply(r, tmp, recv);
        g.newrank = rank / 2;
    }
    if (rc == MPR_SUCCESS)
        rc = core(r, &g, recv, tmp, tag, &result);
    if (rc == MPR_SUCCESS && rank < 2 * g.rem)
        rc = mpr__coll_send(recv, r->bytes, rank - 1, tag, comm);
    free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Recursive doubling: in each round a rank swaps its partial result with
 * the rank whose number differs in one bit, and folds it in. */
static int recursive_doubling_core(const struct red *r, const struct pow2 *g, char *recv,
                                   char *tmp, int tag, int *result)
{
    int rank = r->comm->rank;
    void *cur = recv, *other = tmp;
    for (int mask = 1; mask < g->p2; mask <<= 1) {
        int partner = pow2_rank(g, g->newrank ^ mask);
        int rc = mpr__coll_sendrecv(cur, r->bytes, partner, other, r->bytes, partner, tag,
                                    r->comm);
        if (mpr__coll_note(rc, result) != MPR_SUCCESS)
            return rc;
        if (partner < rank || r->commutative) {
            apply(r, other, cur);
        } else {
            apply(r, cur, other);
            void *t = cur;
            cur = other;
            other = t;
        }
    }
    if (cur != recv)
        memcpy(recv, cur, r->bytes);
    return MPR_SUCCESS;
}

/* Byte offset of block b of p2 blocks. */
static size_t block_at(const struct red *r, int p2, int b)
{
    return block_start(r->count, p2, b) * (r->bytes / r->count);
}

/* Reduce-scatter by recursive halving (commutative ops): each round keeps
 * half of the current range of blocks, sends the other half to the
 * partner and folds in the partner's copy of the half kept, so that
 * number k ends with block k of p2 complete. */
static int reduce_scatter_halving(const struct red *r, const struct pow2 *g, char *buf,
                                  char *tmp, int tag, int *result)
{
    int lo = 0, hi = g->p2;
    for (int mask = g->p2 / 2; mask >= 1; mask >>= 1) {
        int partner = pow2_rank(g, g->newrank ^ mask), mid = lo + (hi - lo) / 2;
        int keep_lo = lo, keep_hi = mid, send_lo = mid, send_hi = hi;
        if (g->newrank & mask)
            keep_lo = mid, keep_hi = hi, send_lo = lo, send_hi = mid;
        size_t keep = block_at(r, g->p2, keep_hi) - block_at(r, g->p2, keep_lo);
        int rc = mpr__coll_sendrecv(buf + block_at(r, g->p2, send_lo),
                                    block_at(r, g->p2, send_hi) - block_at(r, g->p2, send_lo),
                                    partner, tmp, keep, partner, tag, r->comm);
        if (mpr__coll_note(rc, result) != MPR_SUCCESS)
            return rc;
        mpr__op_apply(r->op, r->type, tmp, buf + block_at(r, g->p2, keep_lo),
                      keep / (r->bytes / r->count));
        lo = keep_lo, hi = keep_hi;
    }
    return MPR_SUCCESS;
}

/* Rabenseifner: the reduce-scatter above, then an allgather by recursive
 * doubling. 2 log2 p2 rounds moving about 2x the buffer in all. */
static int rabenseifner_core(const struct red *r, const struct pow2 *g, char *recv, char *tmp,
                             int tag, int *result)
{
    int rc = reduce_scatter_halving(r, g, recv, tmp, tag, result);
    if (rc != MPR_SUCCESS)
        return rc;
    int lo = g->newrank;
    for (int mask = 1; mask < g->p2; mask <<= 1) {
        int partner = pow2_rank(g, g->newrank ^ mask), plo = lo ^ mask;
        rc = mpr__coll_sendrecv(recv + block_at(r, g->p2, lo),
                                block_at(r, g->p2, lo + mask) - block_at(r, g->p2, lo), partner,
                                recv + block_at(r, g->p2, plo),
                                block_at(r, g->p2, plo + mask) - block_at(r, g->p2, plo),
                                partner, tag, r->comm);
        if (mpr__coll_note(rc, result) != MPR_SUCCESS)
            return rc;
        lo = lo < plo ? lo : plo;
    }
    return MPR_SUCCESS;
}

/* Reduce for large buffers (commutative ops): reduce-scatter by halving,
 * then a binomial gather of the blocks to number 0, which hands the
 * whole result to root unless it is root. */
static int reduce_halving_core(const struct red *r, const struct pow2 *g, char *buf, char *tmp,
                               int tag, int *result)
{
    int rc = reduce_scatter_halving(r, g, buf, tmp, tag, result);
    if (rc != MPR_SUCCESS)
        return rc;
    int lo = g->newrank;
    for (int mask = 1; mask < g->p2; mask <<= 1) {
        if (g->newrank & mask)
            return mpr__coll_send(buf + block_at(r, g->p2, lo),
                                  block_at(r, g->p2, lo + mask) - block_at(r, g->p2, lo),
                                  pow2_rank(g, g->newrank - mask), tag, r->comm);
        rc = mpr__coll_recv(buf + block_at(r, g->p2, lo + mask),
                            block_at(r, g->p2, lo + 2 * mask) - block_at(r, g->p2, lo + mask),
                            pow2_rank(g, g->newrank + mask), tag, r->comm);
        if (mpr__coll_note(rc, result) != MPR_SUCCESS)
            return rc;
    }
    return MPR_SUCCESS;
}

/*
 * Binomial tree in ranks relative to root: vrank v receives, for each mask
 * below its lowest set bit, the partial result of vranks [v+mask, v+2mask)
 * and appends it to its own [v, v+mask); then it sends to v - lowbit(v).
 * `mine` is this rank's contribution (== recv for MPR_IN_PLACE at root).
 * The result is in rank order only when root is 0 (or the op commutes).
 */
static int reduce_binomial(const struct red *r, const void *mine, void *recv, int root, int tag)
{
    mpr_comm comm = r->comm;
    int size = comm->size, vrank = (comm->rank - root + size) % size;
    int nchildren = 0, mask = 1;
    for (; mask < size && !(vrank & mask); mask <<= 1)
        nchildren += vrank + mask < size;

    /* cur alternates between two writable buffers, never the one it is in. */
    void *scratch = NULL, *bufs[2] = { NULL, NULL };
    size_t nscratch;
    if (vrank == 0)
        nscratch = nchildren >= 2 || (nchildren == 1 && mine == recv) ? 1 : 0;
    else
        nscratch = nchildren < 2 ? (size_t)nchildren : 2;
    if (nscratch) {
        scratch = malloc(nscratch * r->bytes);
        if (!scratch)
            return MPR_ERR_NO_MEM;
    }
    if (vrank == 0) {
        bufs[0] = recv;
        bufs[1] = scratch;
    } else {
        bufs[0] = scratch;
        bufs[1] = nscratch == 2 ? (char *)scratch + r->bytes : NULL;
    }

    const void *cur = mine;
    int rc = MPR_SUCCESS, result = MPR_SUCCESS;
    for (int m = 1; m < mask && m < size; m <<= 1) {
        if (vrank + m >= size)
            continue;
        void *t = cur == bufs[0] ? bufs[1] : bufs[0];
        rc = mpr__coll_recv(t, r->bytes, (vrank + m + root) % size, tag, comm);
        if (mpr__coll_note(rc, &result) != MPR_SUCCESS)
            goto out_free;
        apply(r, cur, t);
        cur = t;
    }
    if (vrank != 0)
        rc = mpr__coll_send(cur, r->bytes, (vrank - mask + root) % size, tag, comm);
    else if (cur != recv)
        memcpy(recv, cur, r->bytes);
out_free:
    free(scratch);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Rank order for a non-commutative op: the tree rooted at 0, then 0 hands
 * the result to root. */
static int reduce_ordered(const struct red *r, const void *mine, void *recv, int root, int tag)
{
    mpr_comm comm = r->comm;
    if (root == 0)
        return reduce_binomial(r, mine, recv, 0, tag);
    void *tmp = NULL;
    if (comm->rank == 0 && !(tmp = malloc(r->bytes)))
        return MPR_ERR_NO_MEM;
    int result = MPR_SUCCESS;
    int rc = mpr__coll_note(reduce_binomial(r, mine, tmp, 0, tag), &result);
    if (rc == MPR_SUCCESS && comm->rank == 0)
        rc = mpr__coll_send(tmp, r->bytes, root, tag, comm);
    else if (rc == MPR_SUCCESS && comm->rank == root)
        rc = mpr__coll_recv(recv, r->bytes, 0, tag, comm);
    free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Root receives from each rank in turn and combines in rank order. */
static int reduce_linear(const struct red *r, const void *mine, void *recv, int root, int tag)
{
    mpr_comm comm = r->comm;
    if (comm->rank != root)
        return mpr__coll_send(mine, r->bytes, root, tag, comm);
    char *scratch = malloc(2 * r->bytes);
    if (!scratch)
        return MPR_ERR_NO_MEM;
    const void *cur = root == 0 ? mine : NULL;
    int rc = MPR_SUCCESS, result = MPR_SUCCESS;
    if (!cur) {
        rc = mpr__coll_note(mpr__coll_recv(scratch, r->bytes, 0, tag, comm), &result);
        cur = scratch;
    }
    for (int src = 1; src < comm->size && rc == MPR_SUCCESS; src++) {
        char *t = cur == scratch ? scratch + r->bytes : scratch;
        if (src == root)
            memcpy(t, mine, r->bytes);
        else if ((rc = mpr__coll_note(mpr__coll_recv(t, r->bytes, src, tag, comm), &result)))
            break;
        apply(r, cur, t);
        cur = t;
    }
    if (rc == MPR_SUCCESS && cur != recv)
        memcpy(recv, cur, r->bytes);
    free(scratch);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Reduce for large buffers (commutative ops) on the power-of-two frame:
 * fold the extra ranks in, reduce-scatter and gather to number 0, which
 * then hands the result to root if it is another rank. Only when forced:
 * on one oversubscribed 2-core host the binomial tree was faster at every
 * size measured (it sends fewer, larger messages for the same
 * arithmetic); across hosts, where links rather than cores limit, this
 * spreads the combining over every rank. */
static int reduce_rabenseifner(const struct red *r, const void *mine, void *recv, int root,
                               int tag)
{
    mpr_comm comm = r->comm;
    int rank = comm->rank;
    struct pow2 g = { .p2 = 1 };
    while (g.p2 * 2 <= comm->size)
        g.p2 *= 2;
    g.rem = comm->size - g.p2;
    int first = pow2_rank(&g, 0), rc = MPR_SUCCESS, result = MPR_SUCCESS;
    if (rank < 2 * g.rem && rank % 2 == 0) {
        rc = mpr__coll_send(mine, r->bytes, rank + 1, tag, comm);
        if (rc == MPR_SUCCESS && rank == root)
            rc = mpr__coll_recv(recv, r->bytes, first, tag, comm);
        return rc;
    }
    char *work = malloc(2 * r->bytes);
    if (!work)
        return MPR_ERR_NO_MEM;
    char *tmp = work + r->bytes;
    memcpy(work, mine, r->bytes);
    g.newrank = rank - g.rem;
    if (rank < 2 * g.rem) {
        rc = mpr__coll_note(mpr__coll_recv(tmp, r->bytes, rank - 1, tag, comm), &result);
        if (rc == MPR_SUCCESS)
            apply(r, tmp, work);
        g.newrank = rank / 2;
    }
    if (rc == MPR_SUCCESS)
        rc = reduce_halving_core(r, &g, work, tmp, tag, &result);
    if (rc == MPR_SUCCESS && rank == first && root == first)
        memcpy(recv, work, r->bytes);
    else if (rc == MPR_SUCCESS && rank == first)
        rc = mpr__coll_send(work, r->bytes, root, tag, comm);
    else if (rc == MPR_SUCCESS && rank == root)
        rc = mpr__coll_note(mpr__coll_recv(recv, r->bytes, first, tag, comm), &result);
    free(work);
    return rc != MPR_SUCCESS ? rc : result;
}

enum { REDUCE_SHM, REDUCE_BINOMIAL, REDUCE_RABENSEIFNER, REDUCE_LINEAR };
static const char *const reduce_algs[] = { "shm", "binomial", "rabenseifner", "linear", NULL };
static struct mpr__coll_choice reduce_choice = { .name = "REDUCE", .algs = reduce_algs };

/* The point-to-point reduce that fits r (or the one forced). */
static int reduce_p2p(const struct red *r, const void *mine, void *recv, int root, int tag, int alg)
{
    if (r->comm->size == 1) {
        if (mine != recv)
            memcpy(recv, mine, r->bytes);
        return MPR_SUCCESS;
    }
    if (alg == REDUCE_LINEAR)
        return reduce_linear(r, mine, recv, root, tag);
    if (!r->commutative)
        return reduce_ordered(r, mine, recv, root, tag);
    if (alg == REDUCE_RABENSEIFNER)
        return reduce_rabenseifner(r, mine, recv, root, tag);
    return reduce_binomial(r, mine, recv, root, tag);
}

int mpr_reduce(const void *sendbuf, void *recvbuf, size_t count, mpr_datatype datatype,
               mpr_op op, int root, mpr_comm comm)
{
    struct red r;
    int rc = red_init(&r, comm, count, datatype, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (root < 0 || root >= comm->size)
        return MPR_ERR_ARG;
    bool at_root = comm->rank == root;
    if (recvbuf == MPR_IN_PLACE || (sendbuf == MPR_IN_PLACE && !at_root))
        return MPR_ERR_ARG;
    if (r.bytes > 0 && (!sendbuf || (at_root && !recvbuf)))
        return MPR_ERR_ARG;
    if ((rc = mpr__coll_check(comm, MPR__CALL_REDUCE, root, count, datatype, op)) != MPR_SUCCESS)
        return rc;
    if (r.bytes == 0)
        return MPR_SUCCESS;

    int alg = mpr__coll_choice(&reduce_choice, comm->size, r.bytes);
    /* Ranks sharing cores: the shared-memory rounds synchronize every
     * member several times per slot, each a context switch; the binomial
     * tree's log n steps cost less from 16 KiB (measured on 2 cores, 4 and
     * 8 ranks: 2.2-2.8x faster from 16 KiB to 4 MiB, 1.5-2x slower below
     * 8 KiB, interleaved A/B). */
    if (r.bytes >= OVERSUBSCRIBED_TREE_BYTES &&
        (rc = mpr__coll_choose_if_cores_shared(comm, REDUCE_BINOMIAL, &alg)) != MPR_SUCCESS)
        return rc;
    /* Two ranks: one send, which nothing beats; point-to-point it is. */
    if ((alg < 0 && comm->size > 2) || alg == REDUCE_SHM) {
        rc = mpr__coll_shm_reduce(comm, sendbuf, recvbuf, count, datatype, op, root);
        if (rc != MPR_ERR_UNSUPPORTED)
            return rc;
        alg = -1;
    }
    const void *mine = sendbuf == MPR_IN_PLACE ? recvbuf : sendbuf;
    return reduce_p2p(&r, mine, recvbuf, root, MPR__TAG_REDUCE, alg);
}

/*
 * Ring (commutative ops): the elements are cut into N blocks. N-1 steps of
 * reduce-scatter, each passing one block right and folding the one from
 * the left into this rank's copy, leave block rank+1 complete here; N-1
 * steps of allgather pass the complete blocks round. recv holds this
 * rank's contribution on entry.
 */
static int allreduce_ring(const struct red *r, void *recv, int tag)
{
    mpr_comm comm = r->comm;
    int rank = comm->rank, size = comm->size;
    size_t esize = r->bytes / r->count;
    char *buf = recv;
    void *tmp = malloc(block_count(r->count, size, 0) * esize + 1); /* blocks may be empty */
    if (!tmp)
        return MPR_ERR_NO_MEM;
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;
    int rc = MPR_SUCCESS, result = MPR_SUCCESS;
    for (int step = 0; step < size - 1 && rc == MPR_SUCCESS; step++) {
        int sb = (rank - step + size) % size, rb = (rank - step - 1 + size) % size;
        size_t rcount = block_count(r->count, size, rb);
        rc = mpr__coll_sendrecv(buf + block_start(r->count, size, sb) * esize,
                                block_count(r->count, size, sb) * esize, right, tmp,
                                rcount * esize, left, tag, comm);
        rc = mpr__coll_note(rc, &result);
        if (rc == MPR_SUCCESS)
            mpr__op_apply(r->op, r->type, tmp, buf + block_start(r->count, size, rb) * esize,
                          rcount);
    }
    for (int step = 0; step < size - 1 && rc == MPR_SUCCESS; step++) {
        int sb = (rank + 1 - step + size) % size, rb = (rank - step + size) % size;
        rc = mpr__coll_sendrecv(buf + block_start(r->count, size, sb) * esize,
                                block_count(r->count, size, sb) * esize, right,
                                buf + block_start(r->count, size, rb) * esize,
                                block_count(r->count, size, rb) * esize, left, tag, comm);
        rc = mpr__coll_note(rc, &result);
    }
    free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

enum {
    ALLREDUCE_SHM,
    ALLREDUCE_RECURSIVE_DOUBLING,
    ALLREDUCE_RABENSEIFNER,
    ALLREDUCE_RING,
    ALLREDUCE_REDUCE_BCAST
};
static const char *const allreduce_algs[] = { "shm", "recursive_doubling", "rabenseifner",
                                              "ring", "reduce_bcast", NULL };
static struct mpr__coll_choice allreduce_choice = { .name = "ALLREDUCE", .algs = allreduce_algs };

int mpr_allreduce(const void *sendbuf, void *recvbuf, size_t count, mpr_datatype datatype,
                  mpr_op op, mpr_comm comm)
{
    struct red r;
    int rc = red_init(&r, comm, count, datatype, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (recvbuf == MPR_IN_PLACE)
        return MPR_ERR_ARG;
    if (r.bytes > 0 && (!sendbuf || !recvbuf))
        return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_ALLREDUCE, MPR__CHECK_NO_ROOT, count, datatype, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (r.bytes == 0)
        return MPR_SUCCESS;

    int alg = mpr__coll_choice(&allreduce_choice, comm->size, r.bytes);
    /* Ranks sharing cores pay a context switch at every synchronization:
     * the shared-memory rounds synchronize four times per 64 KiB, a reduce
     * and a bcast about 2 log n times in all (measured on 2 cores, 4 and 8
     * ranks: 1.3-2x faster from 128 KiB; about even at 64 KiB). */
    if (r.bytes >= OVERSUBSCRIBED_SPLIT_BYTES &&
        (rc = mpr__coll_choose_if_cores_shared(comm, ALLREDUCE_REDUCE_BCAST, &alg)) != MPR_SUCCESS)
        return rc;
    /* Two ranks: one exchange (recursive doubling, or halves for large
     * vectors), point-to-point. The shared-memory allreduce's flat areas
     * (up to MPR__COLL_FLAT_MAX bytes) are about as fast there in the
     * long run (2 ranks, 8-512 B); all they changed was which size first
     * walks the point-to-point ring's data area (docs/bench.md). */
    if ((alg < 0 && comm->size > 2) || alg == ALLREDUCE_SHM) {
        rc = mpr__coll_shm_allreduce(comm, sendbuf, recvbuf, count, datatype, op);
        if (rc != MPR_ERR_UNSUPPORTED)
            return rc;
        alg = -1;
    }
    if (alg == ALLREDUCE_REDUCE_BCAST) {
        const void *mine = sendbuf == MPR_IN_PLACE ? recvbuf : sendbuf;
        int result = MPR_SUCCESS;
        rc = mpr__coll_note(reduce_p2p(&r, mine, recvbuf, 0, MPR__TAG_ALLREDUCE, -1), &result);
        if (rc == MPR_SUCCESS)
            rc = mpr_bcast(recvbuf, r.bytes, 0, comm);
        return rc != MPR_SUCCESS ? rc : result;
    }
    if (sendbuf != MPR_IN_PLACE)
        memcpy(recvbuf, sendbuf, r.bytes);
    if (comm->size == 1)
        return MPR_SUCCESS;
    if (alg < 0 && r.commutative && r.bytes >= RABENSEIFNER_MIN_BYTES) {
        bool pow2 = (comm->size & (comm->size - 1)) == 0;
        alg = !pow2 && r.bytes >= RING_MIN_BYTES ? ALLREDUCE_RING : ALLREDUCE_RABENSEIFNER;
    }
    if (r.commutative && alg == ALLREDUCE_RING)
        return allreduce_ring(&r, recvbuf, MPR__TAG_ALLREDUCE);
    if (r.commutative && alg == ALLREDUCE_RABENSEIFNER)
        return allreduce_pow2(&r, recvbuf, MPR__TAG_ALLREDUCE, rabenseifner_core);
    return allreduce_pow2(&r, recvbuf, MPR__TAG_ALLREDUCE, recursive_doubling_core);
}

/*
 * Scan by recursive doubling: `partial` holds the reduction of this rank's
 * aligned block of 2^k ranks, recv that of the block's ranks up to this
 * one. A partner below prepends its partial to both; one above appends
 * to partial only. Exclusive: recv starts empty (rank 0's stays untouched).
 */
static int scan_common(const void *sendbuf, void *recvbuf, size_t count, mpr_datatype type,
                       mpr_op op, mpr_comm comm, bool exclusive)
{
    struct red r;
    int rc = red_init(&r, comm, count, type, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (recvbuf == MPR_IN_PLACE || (r.bytes > 0 && (!sendbuf || !recvbuf)))
        return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, exclusive ? MPR__CALL_EXSCAN : MPR__CALL_SCAN, MPR__CHECK_NO_ROOT,
                         count, type, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (r.bytes == 0)
        return MPR_SUCCESS;
    const void *mine = sendbuf == MPR_IN_PLACE ? recvbuf : sendbuf;
    char *scratch = malloc(2 * r.bytes);
    if (!scratch)
        return MPR_ERR_NO_MEM;
    void *partial = scratch, *other = scratch + r.bytes;
    memcpy(partial, mine, r.bytes);
    if (!exclusive && mine != recvbuf)
        memcpy(recvbuf, mine, r.bytes);
    bool have = !exclusive;
    int rank = comm->rank, result = MPR_SUCCESS;
    for (int mask = 1; mask < comm->size && rc == MPR_SUCCESS; mask <<= 1) {
        int partner = rank ^ mask;
        if (partner >= comm->size)
            continue;
        rc = mpr__coll_sendrecv(partial, r.bytes, partner, other, r.bytes, partner,
                                MPR__TAG_SCAN, comm);
        if ((rc = mpr__coll_note(rc, &result)) != MPR_SUCCESS)
            break;
        if (partner < rank) {
            if (have)
                apply(&r, other, recvbuf);
            else
                memcpy(recvbuf, other, r.bytes);
            have = true;
            apply(&r, other, partial);
        } else {
            apply(&r, partial, other);
            void *t = partial;
            partial = other;
            other = t;
        }
    }
    free(scratch);
    return rc != MPR_SUCCESS ? rc : result;
}

int mpr_scan(const void *sendbuf, void *recvbuf, size_t count, mpr_datatype datatype,
             mpr_op op, mpr_comm comm)
{
    return scan_common(sendbuf, recvbuf, count, datatype, op, comm, false);
}

int mpr_exscan(const void *sendbuf, void *recvbuf, size_t count, mpr_datatype datatype,
               mpr_op op, mpr_comm comm)
{
    return scan_common(sendbuf, recvbuf, count, datatype, op, comm, true);
}

/* Commutative ops: the reduce-scatter half of the ring, shifted so that
 * rank i ends with block i. Others: an ordered reduce to rank 0, then a
 * scatter. */
int mpr_reduce_scatter_block(const void *sendbuf, void *recvbuf, size_t recvcount,
                             mpr_datatype datatype, mpr_op op, mpr_comm comm)
{
    struct red r;
    int rc = red_init(&r, comm, recvcount, datatype, op);
    if (rc != MPR_SUCCESS)
        return rc;
    int size = comm->size, rank = comm->rank;
    if (recvbuf == MPR_IN_PLACE || r.bytes > SIZE_MAX / (size_t)size ||
        (r.bytes > 0 && (!sendbuf || !recvbuf)))
        return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_REDUCE_SCATTER_BLOCK, MPR__CHECK_NO_ROOT, recvcount,
                         datatype, op);
    if (rc != MPR_SUCCESS)
        return rc;
    if (r.bytes == 0)
        return MPR_SUCCESS;
    const char *mine = sendbuf == MPR_IN_PLACE ? recvbuf : sendbuf;
    size_t total = r.bytes * (size_t)size;
    if (size == 1) {
        if (mine != recvbuf)
            memcpy(recvbuf, mine, r.bytes);
        return MPR_SUCCESS;
    }
    if (!r.commutative) {
        struct red all = r;
        all.count = recvcount * (size_t)size;
        all.bytes = total;
        void *tmp = NULL;
        if (rank == 0 && !(tmp = malloc(total)))
            return MPR_ERR_NO_MEM;
        int result = MPR_SUCCESS;
        rc = mpr__coll_note(reduce_p2p(&all, mine, tmp, 0, MPR__TAG_ALLREDUCE, -1), &result);
        if (rc == MPR_SUCCESS)
            rc = mpr_scatter(tmp, r.bytes, recvbuf, 0, comm);
        free(tmp);
        return rc != MPR_SUCCESS ? rc : result;
    }
    char *work = malloc(total + r.bytes);
    if (!work)
        return MPR_ERR_NO_MEM;
    char *tmp = work + total;
    memcpy(work, mine, total);
    int right = (rank + 1) % size, left = (rank - 1 + size) % size, result = MPR_SUCCESS;
    for (int step = 0; step < size - 1 && rc == MPR_SUCCESS; step++) {
        int sb = (rank - step - 1 + size) % size, rb = (rank - step - 2 + 2 * size) % size;
        rc = mpr__coll_sendrecv(work + (size_t)sb * r.bytes, r.bytes, right, tmp, r.bytes, left,
                                MPR__TAG_ALLREDUCE, comm);
        if ((rc = mpr__coll_note(rc, &result)) == MPR_SUCCESS)
            apply(&r, tmp, work + (size_t)rb * r.bytes);
    }
    if (rc == MPR_SUCCESS)
        memcpy(recvbuf, work + (size_t)rank * r.bytes, r.bytes);
    free(work);
    return rc != MPR_SUCCESS ? rc : result;
}
