/*
 * coll_shm.h - per-communicator state of the fast collectives: which host
 * each member runs on, and the segment the members of this host share
 * (coll_shm.c). coll.c picks algorithms from it.
 */
#ifndef MPR_COLL_SHM_H
#define MPR_COLL_SHM_H

#include "coll/coll.h"
#include "core/peer_copy.h"

#include <limits.h>
#include <stdatomic.h>

#define MPR__COLL_LINE 64
#define MPR__COLL_ARRIVAL_OFFSET 24
#define MPR__COLL_LEFT_OFFSET 28
#define MPR__COLL_BIG_SLOTS_MAX 64 /* MPR_COLL_SHM_BIG_SLOTS at most */
/* A member's area of one set of the flat collectives (coll_shm_flat.c):
 * a stamp and a count, then up to MPR__COLL_FLAT_MAX bytes of data (9
 * lines: beyond 512 bytes the point-to-point exchange of 2 ranks was
 * faster). */
#define MPR__COLL_FLAT_BYTES 576
#define MPR__COLL_FLAT_DATA 16
#define MPR__COLL_FLAT_MAX (MPR__COLL_FLAT_BYTES - MPR__COLL_FLAT_DATA)

/* The segment the members of one host share for one communicator:
 * this header, one line per member (its bcast read positions at 0 and 4,
 * its reduction counts at 8 and 16, the last barrier it arrived at at
 * MPR__COLL_ARRIVAL_OFFSET and the last it left at MPR__COLL_LEFT_OFFSET),
 * the bcast slots (the lane every bcast starts in, then the large
 * messages' lane), the reduction slots (two sets, used in turn), then the
 * flat areas (two sets, used in turn). */
struct mpr__coll_seg {
    uint64_t magic;
    uint32_t n;           /* members on this host */
    uint32_t nslots;      /* bcast slots */
    uint64_t slot_bytes;  /* data bytes of one bcast slot */
    uint64_t red_bytes;   /* bytes of one reduction slot */
    uint64_t bytes;       /* whole segment */
    _Atomic uint32_t attached; /* members that mapped it, creator excluded */
    uint32_t nbig;        /* bcast slots of the large messages' lane (0: none) */
    /* barrier: every member adds 1; n * epoch means all arrived */
    _Alignas(MPR__COLL_LINE) _Atomic uint32_t arrived;
    /* whoever changes a word of the segment signals it (waiters sleep on it) */
    struct mpr__waitpoint bell;
    /* a released barrier's last arrival signals only the releaser, here */
    struct mpr__waitpoint releaser_bell;
};

struct mpr__coll_state {
    int nhosts;
    int *host_of;  /* comm rank -> host index; hosts numbered by their lowest rank */
    int *leaders;  /* host index -> lowest comm rank on that host */
    int nlocal;    /* members on this host (me included) */
    int lrank;     /* my index among them */
    int *local;    /* local index -> comm rank, ascending */
    int *world_local; /* local index -> world rank */
    /* true when the members of this host share `seg` (or are alone here):
     * identical on every member of the communicator */
    bool shm;
    struct mpr__coll_seg *seg;
    size_t seg_bytes;
    char *consumed;     /* member i's read position: consumed + i * line */
    char *slots;        /* bcast slot k: slots + k * slot_stride; the large
                           messages' lane follows the first nslots */
    size_t slot_stride; /* a header line (coll_shm.c), then a line and slot_bytes for data */
    char *red;          /* reduction slot (set s, member i): red + (s * n + i) * red_bytes,
                           then the two result areas */
    char *flat;         /* flat area (set s, member i): flat + (s * n + i) * MPR__COLL_FLAT_BYTES */
    uint32_t epoch;    /* barriers entered */
    uint32_t chunks;   /* bcast chunks passed through the first lane */
    uint32_t big_chunks; /* and through the large messages' lane */
    /* The large lane as every member sees it alike: which chunk (its
     * number + 1, 0: none yet) each slot held last, and the slot after the
     * last one used. The current bcast: big_chunks and its first large
     * slot when it began, and the lane of the chunk it waits for. */
    uint32_t big_held[MPR__COLL_BIG_SLOTS_MAX];
    uint32_t big_next;
    uint32_t big_start;
    uint32_t big_slot0;
    bool bcast_big;
    uint32_t rounds;   /* reduction rounds */
    uint32_t flat_rounds; /* flat collectives */
    int bcast_lroot;   /* local index of the current bcast's root */
    int releaser;      /* local index of the current barrier's releaser */
    /* What followed the communicator's last barrier (set by
     * mpr__coll_follows_barrier): after_barrier until the next collective
     * is noted; release_root is that collective's root when it was a bcast
     * or scatter, else -1. The same on every member, as the calls are. */
    bool after_barrier;
    int release_root;
};

/* The communicator's state, made at the first call (collective over comm:
 * every member must call it, as they call the collective that needs it). */
int mpr__coll_state(mpr_comm comm, struct mpr__coll_state **out);
/* *shared: comm has more than two members, all on this host with a
 * shared segment, and the host's ranks outnumber its cores. Every member
 * sees the same answer, so an automatic choice made on it is made alike. */
int mpr__coll_cores_shared(mpr_comm comm, bool *shared);
/* When *alg is automatic (< 0) and comm's ranks share cores
 * (mpr__coll_cores_shared): *alg = choice. */
int mpr__coll_choose_if_cores_shared(mpr_comm comm, int choice, int *alg);

/* Every member on this host, sharing a segment. */
static inline bool mpr__coll_shm_serves(const struct mpr__coll_state *st)
{
    return st->shm && st->nhosts == 1 && st->nlocal > 1;
}

/* Wake the sleepers of st's segment, if any (after changing a word). */
static inline void mpr__coll_ring(struct mpr__coll_state *st)
{
    mpr__waitpoint_signal(&st->seg->bell, INT_MAX);
}

/* memcpy for copies to and from the segment: rep movsb where source and
 * destination are aligned alike (core/peer_copy.h: no read for ownership
 * of lines other members still hold, which made a 256 KiB bcast at 4
 * ranks 2x slower where a line crosses cores in 215 ns), else a vector
 * loop. glibc's memcpy uses rep movsb from a few KiB on whatever the
 * alignment, which is slow for some (measured: a 64 KiB copy between a
 * page-aligned slot and a malloc'd buffer ran 5-10x slower). */
static inline void mpr__coll_copy(void *dst, const void *src, size_t n)
{
    if (mpr__peer_copy_lines(dst, src, n))
        return;
    char *d = dst;
    const char *s = src;
    for (; n >= 64; n -= 64, d += 64, s += 64)
        __builtin_memcpy(d, s, 64);
    if (n)
        __builtin_memcpy(d, s, n);
}

/* wrap-safe a >= b for the 32-bit counters */
static inline bool mpr__seq_ge(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* Among the members of this host (st->shm must hold): */
/* releaser: the local index of the member that waits for everyone and
 * then releases the others (it leaves first), or -1: whoever arrives last
 * releases everyone. */
int mpr__coll_shm_barrier(struct mpr__coll_state *st, int releaser);
/* Split barrier. arrive: count this member in the next barrier, after
 * waiting (only) until every member arrived at its previous one, which
 * keeps the shared counter exact even when a member left that one
 * without waiting. arrive_wait: wait until every member arrived at this
 * member's last barrier. Both return MPR_ERR_PROC_FAILED if a member that
 * has not arrived ended (died, or finalized: it will not come). */
int mpr__coll_shm_arrive(struct mpr__coll_state *st);
int mpr__coll_shm_arrive_wait(struct mpr__coll_state *st);
/* Bcast from local index lroot. A member whose len is smaller than the
 * root's gets the first len bytes and MPR_ERR_TRUNCATE. */
int mpr__coll_shm_bcast(struct mpr__coll_state *st, void *buf, size_t len, int lroot);

/* What a wait in the segment waits for (done), and whether it still
 * needs member i to make a step (needs: asked only about members that
 * have ended, after seeing that they did); arg is the wait's own. */
typedef bool (*mpr__coll_done_fn)(struct mpr__coll_state *st, uint32_t arg);
typedef bool (*mpr__coll_needs_fn)(struct mpr__coll_state *st, uint32_t arg, int i);
/* Wait until done(st, arg), as every wait of the segment does: spin,
 * yield, sleep on its bell; MPR_ERR_PROC_FAILED when an ended member that
 * needs(st, arg, i) will never make the step. */
int mpr__coll_shm_wait(struct mpr__coll_state *st, mpr__coll_done_fn done,
                       mpr__coll_needs_fn needs, uint32_t arg);

/* out[0..k) = in(0) op (in(1) op (... op in(n-1))), where in(i) is k
 * elements of tsize bytes at first + i * stride: in rank order, so
 * non-commutative ops work and every member gets the same bits
 * (coll_shm_reduce.c). */
void mpr__coll_combine(const char *first, size_t stride, int n, size_t k, size_t tsize,
                       mpr_datatype type, mpr_op op, void *out);

/* Allreduce, allgather and alltoall of at most MPR__COLL_FLAT_MAX bytes
 * per member (all its blocks for alltoall) (coll_shm_flat.c). */
int mpr__coll_shm_flat_allreduce(struct mpr__coll_state *st, const void *send, void *recv,
                                 size_t count, size_t tsize, mpr_datatype type, mpr_op op);
int mpr__coll_shm_flat_allgather(struct mpr__coll_state *st, const void *send, size_t len,
                                 void *recv);
int mpr__coll_shm_flat_alltoall(struct mpr__coll_state *st, const void *send, size_t len,
                                void *recv);

#endif /* MPR_COLL_SHM_H */
