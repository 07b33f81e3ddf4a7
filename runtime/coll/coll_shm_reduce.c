/*
 * coll_shm_reduce.c - reduce and allreduce through the shared segment of
 * a communicator whose members all run on this host.
 *
 * Rounds of at most red_bytes: every member copies its piece into its own
 * slot and arrives at the barrier counter. Small rounds: each member that
 * wants the result (all for allreduce, the root for reduce) combines all
 * slots itself. Large rounds: member i combines the i-th 1/n of every slot
 * into the shared result area (reduce-scatter), arrives again, and those
 * that want the result copy it out. Slots are combined in rank order,
 * x0 op (x1 op (... op x(n-1))), so non-commutative ops work and every
 * member gets bit-identical results.
 *
 * The first round also publishes each member's count: all then go on with
 * the smallest, so a mismatch never hangs, and the root of a reduce that
 * was sent more than it expects returns MPR_ERR_TRUNCATE.
 *
 * Pieces of a large round split on cache lines (no two members write one
 * line of the result; a user op sees whole lines of elements).
 *
 * Rounds use two sets of slots in turn. Before writing a set, a member
 * waits until everyone arrived at its last barrier (that of the previous
 * round, or any collective's since): then nobody still reads the set from
 * two rounds ago. A member that wants no result never waits otherwise; it
 * may leave a round before the others arrive, which mpr__coll_shm_arrive
 * accounts for (coll_shm.c).
 *
 * coll_reduce.c calls these first unless MPR_COLL_REDUCE/ALLREDUCE force a
 * point-to-point algorithm.
 */
#include <string.h>

#include "coll/coll_shm.h"

#define SMALL_ROUND_BYTES 8192 /* up to this, every reader combines all slots */

static char *slot(const struct mpr__coll_state *st, unsigned set, int lrank)
{
    return st->red + ((size_t)set * (size_t)st->nlocal + (size_t)lrank) * st->seg->red_bytes;
}

static char *result_area(const struct mpr__coll_state *st, unsigned set)
{
    return st->red + (2 * (size_t)st->nlocal + set) * st->seg->red_bytes;
}

/* the count member lrank published in a round of this set (in its own line) */
static _Atomic uint64_t *count_word(const struct mpr__coll_state *st, unsigned set, int lrank)
{
    return (_Atomic uint64_t *)(st->consumed + (size_t)lrank * MPR__COLL_LINE + 8 + 8 * set);
}

void mpr__coll_combine(const char *first, size_t stride, int n, size_t k, size_t tsize,
                       mpr_datatype type, mpr_op op, void *out)
{
    mpr__coll_copy(out, first + (size_t)(n - 1) * stride, k * tsize);
    for (int i = n - 2; i >= 0; i--)
        mpr__op_apply(op, type, first + (size_t)i * stride, out, k);
}

/* out[0..k) = slot[0][from..] op (slot[1][from..] op ... slot[n-1][from..]) */
static void combine(const struct mpr__coll_state *st, unsigned set, size_t from, size_t k,
                    size_t tsize, mpr_datatype type, mpr_op op, void *out)
{
    mpr__coll_combine(slot(st, set, 0) + from * tsize, st->seg->red_bytes, st->nlocal, k, tsize,
                      type, op, out);
}

/* [lo, hi) of k elements: member i's piece, cut on cache lines when the
 * element size divides one */
static void piece(const struct mpr__coll_state *st, size_t k, size_t tsize, size_t *lo,
                  size_t *hi)
{
    size_t unit = MPR__COLL_LINE % tsize == 0 ? MPR__COLL_LINE / tsize : 1;
    size_t units = (k + unit - 1) / unit, n = (size_t)st->nlocal, i = (size_t)st->lrank;
    *lo = units * i / n * unit;
    *hi = units * (i + 1) / n * unit;
    if (*hi > k)
        *hi = k;
    if (*lo > k)
        *lo = k;
}

/* lroot < 0: every member wants the result. */
static int reduce_rounds(struct mpr__coll_state *st, const void *send, void *recv, size_t count,
                         size_t tsize, mpr_datatype type, mpr_op op, int lroot)
{
    const char *in = send == MPR_IN_PLACE ? recv : send;
    bool want = lroot < 0 || st->lrank == lroot;
    int n = st->nlocal;
    size_t per = st->seg->red_bytes / tsize;
    size_t agreed = count; /* the smallest count, known after the first round's barrier */
    int result = MPR_SUCCESS;
    for (size_t off = 0; off < agreed || off == 0;) {
        size_t k = agreed - off < per ? agreed - off : per;
        unsigned set = st->rounds++ & 1u;
        int rc = mpr__coll_shm_arrive_wait(st);
        if (rc != MPR_SUCCESS)
            return rc;
        mpr__coll_copy(slot(st, set, st->lrank), in + off * tsize, k * tsize);
        if (off == 0)
            atomic_store_explicit(count_word(st, set, st->lrank), count, memory_order_relaxed);
        if ((rc = mpr__coll_shm_arrive(st)) != MPR_SUCCESS)
            return rc;
        bool small = k * tsize <= SMALL_ROUND_BYTES;
        if (small && !want && off + k >= agreed)
            break; /* nothing to read: need not even learn the others' counts */
        if ((rc = mpr__coll_shm_arrive_wait(st)) != MPR_SUCCESS)
            return rc;
        if (off == 0) {
            for (int i = 0; i < n; i++) {
                size_t c = (size_t)atomic_load_explicit(count_word(st, set, i), memory_order_relaxed);
                if (c < agreed)
                    agreed = c;
                if (c > count && want && lroot >= 0)
                    result = MPR_ERR_TRUNCATE;
            }
            k = agreed < k ? agreed : k;
            small = k * tsize <= SMALL_ROUND_BYTES;
        }
        char *out = want ? (char *)recv + off * tsize : NULL;
        if (small) {
            if (want && k)
                combine(st, set, 0, k, tsize, type, op, out);
        } else {
            size_t lo, hi;
            piece(st, k, tsize, &lo, &hi);
            if (hi > lo)
                combine(st, set, lo, hi - lo, tsize, type, op, result_area(st, set) + lo * tsize);
            if ((rc = mpr__coll_shm_arrive(st)) != MPR_SUCCESS)
                return rc;
            if (want) {
                if ((rc = mpr__coll_shm_arrive_wait(st)) != MPR_SUCCESS)
                    return rc;
                mpr__coll_copy(out, result_area(st, set), k * tsize);
            }
        }
        off += k;
        if (k == 0)
            break;
    }
    return result;
}

/* The state when shared memory serves comm, else NULL (the same on every
 * member: the state was agreed on when made). */
static int serving_state(mpr_comm comm, mpr_datatype type, size_t *tsize,
                         struct mpr__coll_state **out)
{
    *out = NULL;
    if (mpr__type_size(type, tsize) != MPR_SUCCESS || comm->size == 1)
        return MPR_SUCCESS;
    struct mpr__coll_state *st;
    int rc = mpr__coll_state(comm, &st);
    if (rc != MPR_SUCCESS)
        return rc;
    if (mpr__coll_shm_serves(st) && *tsize <= st->seg->red_bytes)
        *out = st;
    return MPR_SUCCESS;
}

int mpr__coll_shm_allreduce(mpr_comm comm, const void *send, void *recv, size_t count,
                       mpr_datatype type, mpr_op op)
{
    size_t tsize;
    struct mpr__coll_state *st;
    int rc = serving_state(comm, type, &tsize, &st);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!st)
        return MPR_ERR_UNSUPPORTED;
    if (count * tsize <= MPR__COLL_FLAT_MAX)
        return mpr__coll_shm_flat_allreduce(st, send, recv, count, tsize, type, op);
    return reduce_rounds(st, send, recv, count, tsize, type, op, -1);
}

int mpr__coll_shm_reduce(mpr_comm comm, const void *send, void *recv, size_t count,
                    mpr_datatype type, mpr_op op, int root)
{
    size_t tsize;
    struct mpr__coll_state *st;
    int rc = serving_state(comm, type, &tsize, &st);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!st)
        return MPR_ERR_UNSUPPORTED;
    return reduce_rounds(st, send, recv, count, tsize, type, op, root);
}
