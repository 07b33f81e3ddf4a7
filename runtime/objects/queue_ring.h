/*
 * queue_ring.h - the storage of a shared queue: a bounded multi-producer
 * multi-consumer ring of slots, plus an arena of blocks for items too large
 * for a slot. It lives in memory shared by processes; it knows nothing of
 * ranks, waiting or waking (queue.c adds those), so it can be tested alone.
 *
 * Ring (after D. Vyukov's bounded MPMC queue): slot i of a ring of
 * `nslots` slots serves positions i, i + nslots, ... Its sequence number
 * says whose turn it is: equal to position p, the slot is free for the put
 * of p; equal to p + 1, it holds the item of p for the get of p. Puts and
 * gets claim positions with a CAS on their counter, so each item is got
 * exactly once, and a producer's items leave in the order it put them.
 * nslots need not be a power of two, but must be at least 2 (with one
 * slot, "holds item p" and "free for put p + 1" are the same number), so a
 * queue of capacity 1 gets two slots and puts also check the count.
 *
 * Arena: items longer than a slot's inline room are copied into a chain of
 * fixed-size blocks taken from a lock-free stack (index + ABA tag in one
 * 64-bit word); a counter of free blocks is reserved first, so a put either
 * gets all the blocks it needs or none.
 *
 * The arena grows on demand: it starts with plan.initial_blocks blocks and
 * adds more, up to plan.nblocks, when a put finds too few free. The memory
 * of blocks not yet added may not exist (a hole in the shared file), so
 * nothing touches it; the caller makes it usable between
 * mpr__qring_grow_begin and _end (one process at a time).
 */
#ifndef MPR_QUEUE_RING_H
#define MPR_QUEUE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPR__QRING_LINE 64
#define MPR__QRING_BLOCK_BYTES 1024
/* The arena at creation: this much, or one largest item if that is more. */
#define MPR__QRING_ARENA_START_BYTES ((uint64_t)256 << 10)
#define MPR__QRING_NIL UINT32_MAX

/* The shape of a ring, decided once by mpr__qring_plan. */
struct mpr__qring_plan {
    uint64_t capacity;    /* most items held */
    uint64_t nslots;      /* capacity, but at least 2 */
    uint64_t max_item;    /* largest item accepted */
    uint32_t slot_bytes;  /* multiple of 64 */
    uint32_t inline_max;  /* items up to this many bytes sit in their slot */
    uint32_t nblocks;     /* arena blocks at most (0: every item is inline) */
    uint32_t block_bytes;
    uint32_t initial_blocks; /* arena blocks at creation */
    uint32_t reserved;
    uint64_t total_bytes; /* of the whole ring, header included */
    uint64_t initial_bytes; /* the part in use at creation (the rest grows) */
};

struct mpr__qring_slot {
    _Atomic uint64_t seq;
    _Atomic uint32_t len;          /* item length */
    _Atomic uint32_t first_block;  /* MPR__QRING_NIL when inline */
    unsigned char data[];          /* inline_max bytes */
};

struct mpr__qring_header {
    struct mpr__qring_plan plan;
    uint64_t slots_off, next_off, blocks_off;
    _Alignas(MPR__QRING_LINE) _Atomic uint64_t enqueue_pos; /* puts claimed */
    _Alignas(MPR__QRING_LINE) _Atomic uint64_t dequeue_pos; /* gets claimed */
    _Alignas(MPR__QRING_LINE) _Atomic uint64_t tasks_done;
    _Alignas(MPR__QRING_LINE) _Atomic uint64_t free_top; /* tag << 32 | block */
    _Atomic int64_t free_blocks;
    _Alignas(MPR__QRING_LINE) _Atomic uint32_t blocks_ready; /* added to the arena so far */
    _Atomic uint32_t growth; /* MPR__QRING_GROWTH_* */
};
enum { MPR__QRING_GROWTH_IDLE, MPR__QRING_GROWTH_BUSY, MPR__QRING_GROWTH_FAILED };

/* A process's view of a ring (pointers into its own mapping). */
struct mpr__qring {
    struct mpr__qring_header *hdr;
    unsigned char *slots;
    _Atomic uint32_t *next; /* next block of a chain, or of the free stack */
    unsigned char *blocks;
    uint64_t capacity, nslots;
    uint32_t slot_bytes, inline_max, block_bytes;
};

/* Choose the shape for `capacity` items of at most `max_item` bytes:
 * every item inline while capacity full-size slots fit in `inline_budget`
 * bytes; else 64-byte slots and an arena of up to `data_budget` bytes
 * (never less than one largest item) in blocks of MPR__QRING_BLOCK_BYTES,
 * of which MPR__QRING_ARENA_START_BYTES (or one largest item) at first. */
void mpr__qring_plan(uint64_t capacity, uint64_t max_item, uint64_t inline_budget,
                     uint64_t data_budget, struct mpr__qring_plan *plan);

/* Lay an empty ring out in mem (plan->total_bytes, 64-byte aligned). */
void mpr__qring_format(void *mem, const struct mpr__qring_plan *plan);

void mpr__qring_attach(struct mpr__qring *ring, void *mem);

/* Append a copy of item. Never blocks. Returns MPR_SUCCESS, or
 * MPR_ERR_FULL (no free slot, or not enough free blocks). */
int mpr__qring_put(struct mpr__qring *ring, const void *item, size_t len);

/* Remove the oldest item into buf. Never blocks. Returns MPR_SUCCESS with
 * *len_out set; MPR_ERR_EMPTY (nothing ready: none put, or the oldest put
 * still copying); MPR_ERR_TRUNCATE with *len_out set and the item left
 * where it is, when it is longer than buflen. */
int mpr__qring_get(struct mpr__qring *ring, void *buf, size_t buflen, size_t *len_out);

/* Items claimed by puts and not yet by gets (approximate under traffic). */
uint64_t mpr__qring_count(const struct mpr__qring *ring);

/* Count one item as processed. Returns MPR_SUCCESS and sets *all_done when
 * every item put so far is done, or MPR_ERR_VALUE when as many tasks are
 * done as items were got. */
int mpr__qring_task_done(struct mpr__qring *ring, bool *all_done);

/* Whether every item put so far has been got and marked done. */
bool mpr__qring_all_done(const struct mpr__qring *ring);

/* Full: a put of the largest item would find no room (no free slot, or
 * too few free blocks and the arena can grow no more). Approximate. */
bool mpr__qring_full(const struct mpr__qring *ring);

/* Free arena blocks (tests). */
int64_t mpr__qring_free_blocks(const struct mpr__qring *ring);

/* ---- growing the arena ---- */

struct mpr__qring_growth {
    uint32_t first, count; /* the blocks to add */
    uint64_t offset, bytes; /* their memory, from the ring's start */
};

/* Would growing help a put of len bytes that found the ring full? True
 * when the item needs blocks, too few are free, and the arena may grow. */
bool mpr__qring_may_grow(const struct mpr__qring *ring, size_t len);

/* Claim the growth: false when another process is growing the arena or it
 * can grow no more. Else *g = the next blocks: as many as the arena has
 * (it doubles), at least min_blocks, at most what is left. */
bool mpr__qring_grow_begin(struct mpr__qring *ring, uint32_t min_blocks,
                           struct mpr__qring_growth *g);

/* End the growth: add the first g->count blocks of it (the caller made
 * their memory usable, and may have lowered count to what it could), or
 * with count 0 mark the arena as unable to grow: puts find it full. */
void mpr__qring_grow_end(struct mpr__qring *ring, const struct mpr__qring_growth *g);

#endif /* MPR_QUEUE_RING_H */
