/*
 * coll_shm_flat.c - small collectives in one step: every member writes
 * what it brings into its own area of the segment, stamps it, and reads
 * the others' areas as their stamps appear.
 *
 * An area (MPR__COLL_FLAT_BYTES) starts with a line holding the stamp (the
 * collective's number, stored last), the member's count, then the first
 * bytes of its data: a member that brings up to 48 bytes is read in one
 * line transfer. The reduction rounds (coll_shm_reduce.c) take three in a
 * row: the barrier counter's add, its sight by the others, then the
 * slots.
 *
 * Two sets of areas are used in turn. A member writes set s for collective
 * r only after it has seen every stamp of r - 1, and every member stamped
 * r - 1 only after it had read all of r - 2, the last to use set s: so
 * nobody still reads what it overwrites. This holds because every member
 * reads every area (allreduce, allgather, alltoall); a collective with
 * readers of its own would need them to say when they are done.
 *
 * Differing arguments: an allreduce combines the smallest count published,
 * as the reduction rounds do; an allgather or alltoall takes what each
 * member brought, up to len, and a longer block is MPR_ERR_TRUNCATE, as
 * point-to-point. Sizes on both sides of MPR__COLL_FLAT_MAX send members
 * down different paths; like every other difference of arguments, only
 * MPR_CHECK=1 reports that.
 */
#include <string.h>

#include "coll/coll_shm.h"

#define FLAT_STAMP 0 /* u32 */
#define FLAT_COUNT 8 /* u64 */

static char *area(const struct mpr__coll_state *st, unsigned set, int lrank)
{
    return st->flat + ((size_t)set * (size_t)st->nlocal + (size_t)lrank) * MPR__COLL_FLAT_BYTES;
}

static _Atomic uint32_t *stamp_of(char *a)
{
    return (_Atomic uint32_t *)(a + FLAT_STAMP);
}

static bool stamped(struct mpr__coll_state *st, uint32_t r, int i)
{
    return atomic_load_explicit(stamp_of(area(st, r & 1u, i)), memory_order_acquire) == r;
}

/* every other member stamped collective r; while one has not, fetch its
 * second line too, so that up to 112 bytes arrive with the stamp */
static bool all_stamped(struct mpr__coll_state *st, uint32_t r)
{
    bool all = true;
    for (int i = 0; i < st->nlocal; i++) {
        if (i == st->lrank || stamped(st, r, i))
            continue;
        __builtin_prefetch(area(st, r & 1u, i) + MPR__COLL_LINE);
        all = false;
    }
    return all;
}

static bool unstamped(struct mpr__coll_state *st, uint32_t r, int i)
{
    return !stamped(st, r, i);
}

/* The next collective's number: never 0, which no area holds once used
 * and every area holds before. */
static uint32_t next_round(struct mpr__coll_state *st)
{
    if (++st->flat_rounds == 0)
        st->flat_rounds = 1;
    return st->flat_rounds;
}

/* Write this member's count and bytes into its area of the next set,
 * stamp it, and wait until every member has: *set is the set. */
static int publish(struct mpr__coll_state *st, const void *data, size_t bytes, uint64_t count,
                   unsigned *set)
{
    uint32_t r = next_round(st);
    *set = r & 1u;
    char *mine = area(st, *set, st->lrank);
    memcpy(mine + MPR__COLL_FLAT_DATA, data, bytes);
    memcpy(mine + FLAT_COUNT, &count, sizeof(count));
    atomic_store_explicit(stamp_of(mine), r, memory_order_release);
    mpr__coll_ring(st);
    return mpr__coll_shm_wait(st, all_stamped, unstamped, r);
}

static uint64_t count_of(const struct mpr__coll_state *st, unsigned set, int i)
{
    uint64_t c;
    memcpy(&c, area(st, set, i) + FLAT_COUNT, sizeof(c));
    return c;
}

int mpr__coll_shm_flat_allreduce(struct mpr__coll_state *st, const void *send, void *recv,
                                 size_t count, size_t tsize, mpr_datatype type, mpr_op op)
{
    unsigned set;
    int rc = publish(st, send == MPR_IN_PLACE ? recv : send, count * tsize, count, &set);
    if (rc != MPR_SUCCESS)
        return rc;
    size_t agreed = count;
    for (int i = 0; i < st->nlocal; i++) {
        uint64_t c = count_of(st, set, i);
        if (c < agreed)
            agreed = (size_t)c;
    }
    mpr__coll_combine(area(st, set, 0) + MPR__COLL_FLAT_DATA, MPR__COLL_FLAT_BYTES, st->nlocal,
                      agreed, tsize, type, op, recv);
    return MPR_SUCCESS;
}

/* Block k of every member's data in the set into out (member i's at
 * i * len), each of the len the member published; MPR_ERR_TRUNCATE when
 * one published more than len. */
static int take_blocks(struct mpr__coll_state *st, unsigned set, size_t k, size_t len, char *out)
{
    int result = MPR_SUCCESS;
    for (int i = 0; i < st->nlocal; i++) {
        size_t theirs = (size_t)count_of(st, set, i);
        if (theirs > len)
            result = MPR_ERR_TRUNCATE;
        memcpy(out + (size_t)i * len, area(st, set, i) + MPR__COLL_FLAT_DATA + k * theirs,
               theirs < len ? theirs : len);
    }
    return result;
}

int mpr__coll_shm_flat_allgather(struct mpr__coll_state *st, const void *send, size_t len,
                                 void *recv)
{
    char *out = recv;
    const void *mine = send == MPR_IN_PLACE ? out + (size_t)st->lrank * len : send;
    unsigned set;
    int rc = publish(st, mine, len, len, &set);
    return rc != MPR_SUCCESS ? rc : take_blocks(st, set, 0, len, out);
}

int mpr__coll_shm_flat_alltoall(struct mpr__coll_state *st, const void *send, size_t len,
                                void *recv)
{
    unsigned set;
    int rc = publish(st, send == MPR_IN_PLACE ? recv : send, (size_t)st->nlocal * len, len, &set);
    return rc != MPR_SUCCESS ? rc : take_blocks(st, set, (size_t)st->lrank, len, recv);
}
