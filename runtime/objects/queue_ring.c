/* queue_ring.c - the ring of slots and the block arena behind a shared queue
 * (see queue_ring.h). */
#include <string.h>

#include "mpr.h"
#include "core/cpu_relax.h"
#include "objects/queue_ring.h"

#define SLOT_HEADER_BYTES sizeof(struct mpr__qring_slot)
#define PAGE_BYTES 4096 /* the arena starts on a page: its growth adds whole pages */

static uint64_t round_up(uint64_t n, uint64_t to)
{
    return (n + to - 1) / to * to;
}

void mpr__qring_plan(uint64_t capacity, uint64_t max_item, uint64_t inline_budget,
                     uint64_t data_budget, struct mpr__qring_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    plan->capacity = capacity;
    plan->nslots = capacity < 2 ? 2 : capacity;
    plan->max_item = max_item;
    uint64_t full_slot = round_up(SLOT_HEADER_BYTES + max_item, MPR__QRING_LINE);
    if (full_slot <= UINT32_MAX && plan->nslots * full_slot <= inline_budget) {
        plan->slot_bytes = (uint32_t)full_slot;
        plan->inline_max = (uint32_t)(full_slot - SLOT_HEADER_BYTES);
    } else {
        plan->slot_bytes = MPR__QRING_LINE;
        plan->inline_max = (uint32_t)(MPR__QRING_LINE - SLOT_HEADER_BYTES);
        plan->block_bytes = MPR__QRING_BLOCK_BYTES;
        uint64_t per_item = (max_item + plan->block_bytes - 1) / plan->block_bytes;
        uint64_t want = capacity * per_item;
        uint64_t affordable = data_budget / plan->block_bytes;
        if (want > affordable)
            want = affordable;
        if (want < per_item)
            want = per_item; /* the largest item must always fit */
        if (want > (uint64_t)1 << 24)
            want = (uint64_t)1 << 24;
        plan->nblocks = (uint32_t)want;
        uint64_t start = MPR__QRING_ARENA_START_BYTES / plan->block_bytes;
        if (start < per_item)
            start = per_item;
        plan->initial_blocks = (uint32_t)(start < want ? start : want);
    }
    uint64_t bytes = round_up(sizeof(struct mpr__qring_header), MPR__QRING_LINE);
    bytes += plan->nslots * plan->slot_bytes;
    bytes += round_up((uint64_t)plan->nblocks * sizeof(uint32_t), MPR__QRING_LINE);
    plan->initial_bytes = bytes;
    if (plan->nblocks) {
        bytes = round_up(bytes, PAGE_BYTES);
        plan->initial_bytes = bytes + (uint64_t)plan->initial_blocks * plan->block_bytes;
        bytes += (uint64_t)plan->nblocks * plan->block_bytes;
    }
    plan->total_bytes = bytes;
}

static struct mpr__qring_slot *slot_at(const struct mpr__qring *ring, uint64_t pos)
{
    return (struct mpr__qring_slot *)(ring->slots + (pos % ring->nslots) * ring->slot_bytes);
}

static unsigned char *block_at(const struct mpr__qring *ring, uint32_t block)
{
    return ring->blocks + (size_t)block * ring->block_bytes;
}

void mpr__qring_format(void *mem, const struct mpr__qring_plan *plan)
{
    struct mpr__qring_header *hdr = mem;
    memset(hdr, 0, sizeof(*hdr));
    hdr->plan = *plan;
    uint64_t off = round_up(sizeof(*hdr), MPR__QRING_LINE);
    hdr->slots_off = off;
    off += plan->nslots * plan->slot_bytes;
    hdr->next_off = off;
    off += round_up((uint64_t)plan->nblocks * sizeof(uint32_t), MPR__QRING_LINE);
    hdr->blocks_off = plan->nblocks ? round_up(off, PAGE_BYTES) : off;

    struct mpr__qring ring;
    mpr__qring_attach(&ring, mem);
    for (uint64_t i = 0; i < plan->nslots; i++) {
        struct mpr__qring_slot *slot = slot_at(&ring, i);
        atomic_init(&slot->seq, i);
        atomic_init(&slot->len, 0);
        atomic_init(&slot->first_block, MPR__QRING_NIL);
    }
    for (uint32_t b = 0; b < plan->nblocks; b++)
        atomic_init(&ring.next[b], b + 1 < plan->initial_blocks ? b + 1 : MPR__QRING_NIL);
    atomic_init(&hdr->enqueue_pos, 0);
    atomic_init(&hdr->dequeue_pos, 0);
    atomic_init(&hdr->tasks_done, 0);
    atomic_init(&hdr->free_top, plan->initial_blocks ? 0 : MPR__QRING_NIL);
    atomic_init(&hdr->free_blocks, plan->initial_blocks);
    atomic_init(&hdr->blocks_ready, plan->initial_blocks);
    atomic_init(&hdr->growth, MPR__QRING_GROWTH_IDLE);
    atomic_thread_fence(memory_order_release);
}

void mpr__qring_attach(struct mpr__qring *ring, void *mem)
{
    struct mpr__qring_header *hdr = mem;
    ring->hdr = hdr;
    ring->slots = (unsigned char *)mem + hdr->slots_off;
    ring->next = (_Atomic uint32_t *)((unsigned char *)mem + hdr->next_off);
    ring->blocks = (unsigned char *)mem + hdr->blocks_off;
    ring->capacity = hdr->plan.capacity;
    ring->nslots = hdr->plan.nslots;
    ring->slot_bytes = hdr->plan.slot_bytes;
    ring->inline_max = hdr->plan.inline_max;
    ring->block_bytes = hdr->plan.block_bytes;
}

/* ---- Arena ------------------------------------------------------------- */

static uint32_t blocks_for(const struct mpr__qring *ring, size_t len)
{
    return (uint32_t)((len + ring->block_bytes - 1) / ring->block_bytes);
}

static uint32_t pop_block(struct mpr__qring *ring)
{
    uint64_t top = atomic_load_explicit(&ring->hdr->free_top, memory_order_acquire);
    for (;;) {
        uint32_t block = (uint32_t)top;
        if (block == MPR__QRING_NIL) {
            /* Cannot happen while we hold a reservation (blocks are pushed
             * before they are counted); tolerate it rather than trust it. */
            mpr__cpu_relax();
            top = atomic_load_explicit(&ring->hdr->free_top, memory_order_acquire);
            continue;
        }
        uint32_t below = atomic_load_explicit(&ring->next[block], memory_order_relaxed);
        uint64_t next_top = (((top >> 32) + 1) << 32) | below;
        if (atomic_compare_exchange_weak_explicit(&ring->hdr->free_top, &top, next_top,
                                                  memory_order_acquire, memory_order_acquire))
            return block;
    }
}

/* Pop the top n (>= 2) blocks with one CAS: they are linked already, as
 * the stack links them. The walk may read links that others change under
 * it, but every link is a block index or NIL, and the tagged CAS succeeds
 * only if the top has not moved since it was read: then nobody popped (or
 * pushed) in between, so the n blocks walked are those taken. */
static uint32_t pop_blocks(struct mpr__qring *ring, uint32_t n)
{
    uint64_t top = atomic_load_explicit(&ring->hdr->free_top, memory_order_acquire);
    for (;;) {
        uint32_t first = (uint32_t)top, last = first;
        for (uint32_t i = 1; i < n && last != MPR__QRING_NIL; i++)
            last = atomic_load_explicit(&ring->next[last], memory_order_relaxed);
        if (last == MPR__QRING_NIL) {
            /* a stale walk (the reservation guarantees n blocks): again */
            mpr__cpu_relax();
            top = atomic_load_explicit(&ring->hdr->free_top, memory_order_acquire);
            continue;
        }
        uint32_t below = atomic_load_explicit(&ring->next[last], memory_order_relaxed);
        uint64_t next_top = (((top >> 32) + 1) << 32) | below;
        if (atomic_compare_exchange_weak_explicit(&ring->hdr->free_top, &top, next_top,
                                                  memory_order_acquire, memory_order_acquire)) {
            atomic_store_explicit(&ring->next[last], MPR__QRING_NIL, memory_order_relaxed);
            return first;
        }
    }
}

/* A chain of n blocks, or MPR__QRING_NIL when fewer than n are free. */
static uint32_t alloc_chain(struct mpr__qring *ring, uint32_t n)
{
    int64_t avail = atomic_load_explicit(&ring->hdr->free_blocks, memory_order_relaxed);
    do {
        if (avail < (int64_t)n)
            return MPR__QRING_NIL;
    } while (!atomic_compare_exchange_weak_explicit(&ring->hdr->free_blocks, &avail,
                                                    avail - (int64_t)n, memory_order_acquire,
                                                    memory_order_relaxed));
    if (n == 1) {
        uint32_t block = pop_block(ring);
        atomic_store_explicit(&ring->next[block], MPR__QRING_NIL, memory_order_relaxed);
        return block;
    }
    return pop_blocks(ring, n);
}

static void free_chain(struct mpr__qring *ring, uint32_t first, uint32_t last, uint32_t n)
{
    uint64_t top = atomic_load_explicit(&ring->hdr->free_top, memory_order_relaxed);
    uint64_t new_top;
    do {
        atomic_store_explicit(&ring->next[last], (uint32_t)top, memory_order_relaxed);
        new_top = (((top >> 32) + 1) << 32) | first;
    } while (!atomic_compare_exchange_weak_explicit(&ring->hdr->free_top, &top, new_top,
                                                    memory_order_release, memory_order_relaxed));
    atomic_fetch_add_explicit(&ring->hdr->free_blocks, (int64_t)n, memory_order_release);
}

static uint32_t last_of_chain(const struct mpr__qring *ring, uint32_t first)
{
    uint32_t block = first, next;
    while ((next = atomic_load_explicit(&ring->next[block], memory_order_relaxed)) != MPR__QRING_NIL)
        block = next;
    return block;
}

static void copy_into_chain(struct mpr__qring *ring, uint32_t first, const void *item, size_t len)
{
    const unsigned char *src = item;
    uint32_t block = first;
    while (len > 0) {
        size_t n = len < ring->block_bytes ? len : ring->block_bytes;
        memcpy(block_at(ring, block), src, n);
        src += n;
        len -= n;
        if (len > 0)
            block = atomic_load_explicit(&ring->next[block], memory_order_relaxed);
    }
}

/* Copy len bytes out of the chain; returns its last block. */
static uint32_t copy_from_chain(const struct mpr__qring *ring, uint32_t first, void *buf, size_t len)
{
    unsigned char *dst = buf;
    uint32_t block = first;
    for (;;) {
        size_t n = len < ring->block_bytes ? len : ring->block_bytes;
        memcpy(dst, block_at(ring, block), n);
        dst += n;
        len -= n;
        if (len == 0)
            return block;
        block = atomic_load_explicit(&ring->next[block], memory_order_relaxed);
    }
}

/* ---- Ring -------------------------------------------------------------- */

/* Only when there are more slots than the capacity (capacity 1). A stale
 * pos counts as not full: its CAS will fail anyway. */
static bool over_capacity(const struct mpr__qring *ring, uint64_t pos)
{
    if (ring->nslots == ring->capacity)
        return false;
    uint64_t got = atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_relaxed);
    return (int64_t)(pos - got) >= (int64_t)ring->capacity;
}

static bool looks_full(const struct mpr__qring *ring)
{
    uint64_t pos = atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_relaxed);
    uint64_t seq = atomic_load_explicit(&slot_at(ring, pos)->seq, memory_order_acquire);
    return (int64_t)(seq - pos) < 0 || over_capacity(ring, pos);
}

int mpr__qring_put(struct mpr__qring *ring, const void *item, size_t len)
{
    uint32_t first = MPR__QRING_NIL, nblocks = 0;
    if (len > ring->inline_max) {
        /* Copy into blocks before claiming a slot: a claimed slot holds up
         * every get behind it until it is published. */
        if (looks_full(ring))
            return MPR_ERR_FULL;
        nblocks = blocks_for(ring, len);
        first = alloc_chain(ring, nblocks);
        if (first == MPR__QRING_NIL)
            return MPR_ERR_FULL;
        copy_into_chain(ring, first, item, len);
    }

    struct mpr__qring_slot *slot;
    uint64_t pos = atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_relaxed);
    for (;;) {
        slot = slot_at(ring, pos);
        uint64_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - pos);
        if (diff == 0 && !over_capacity(ring, pos)) {
            if (atomic_compare_exchange_weak_explicit(&ring->hdr->enqueue_pos, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff <= 0) {
            if (nblocks)
                free_chain(ring, first, last_of_chain(ring, first), nblocks);
            return MPR_ERR_FULL;
        } else {
            pos = atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_relaxed);
        }
    }
    if (nblocks == 0 && len > 0)
        memcpy(slot->data, item, len);
    atomic_store_explicit(&slot->first_block, first, memory_order_relaxed);
    /* release: a get that reads this length while validating sees the
     * slot's sequence move on too (see mpr__qring_get). */
    atomic_store_explicit(&slot->len, (uint32_t)len, memory_order_release);
    atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
    return MPR_SUCCESS;
}

int mpr__qring_get(struct mpr__qring *ring, void *buf, size_t buflen, size_t *len_out)
{
    struct mpr__qring_slot *slot;
    uint32_t len;
    uint64_t pos = atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_relaxed);
    for (;;) {
        slot = slot_at(ring, pos);
        uint64_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - (pos + 1));
        if (diff < 0)
            return MPR_ERR_EMPTY;
        if (diff > 0) {
            pos = atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_relaxed);
            continue;
        }
        len = atomic_load_explicit(&slot->len, memory_order_relaxed);
        if (len > buflen) {
            /* Report the size only if that item is still the oldest and
             * unclaimed: a seqlock-style second look at the slot. */
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&slot->seq, memory_order_relaxed) == pos + 1 &&
                atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_relaxed) == pos) {
                *len_out = len;
                return MPR_ERR_TRUNCATE;
            }
            pos = atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_relaxed);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&ring->hdr->dequeue_pos, &pos, pos + 1,
                                                  memory_order_relaxed, memory_order_relaxed))
            break;
    }
    uint32_t first = atomic_load_explicit(&slot->first_block, memory_order_relaxed);
    if (first == MPR__QRING_NIL) {
        if (len > 0)
            memcpy(buf, slot->data, len);
    } else {
        uint32_t last = copy_from_chain(ring, first, buf, len);
        free_chain(ring, first, last, blocks_for(ring, len));
    }
    atomic_store_explicit(&slot->seq, pos + ring->nslots, memory_order_release);
    *len_out = len;
    return MPR_SUCCESS;
}

uint64_t mpr__qring_count(const struct mpr__qring *ring)
{
    /* dequeue first: then the enqueue count read after it is never smaller */
    uint64_t got = atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_acquire);
    uint64_t put = atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_acquire);
    return put - got;
}

int mpr__qring_task_done(struct mpr__qring *ring, bool *all_done)
{
    uint64_t done = atomic_load_explicit(&ring->hdr->tasks_done, memory_order_relaxed);
    do {
        if (done >= atomic_load_explicit(&ring->hdr->dequeue_pos, memory_order_acquire))
            return MPR_ERR_VALUE;
    } while (!atomic_compare_exchange_weak_explicit(&ring->hdr->tasks_done, &done, done + 1,
                                                    memory_order_acq_rel, memory_order_relaxed));
    *all_done = done + 1 == atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_acquire);
    return MPR_SUCCESS;
}

bool mpr__qring_all_done(const struct mpr__qring *ring)
{
    /* tasks_done first: it never exceeds the puts, so equality with the
     * enqueue count read after it means both were equal when it was read. */
    uint64_t done = atomic_load_explicit(&ring->hdr->tasks_done, memory_order_acquire);
    return done == atomic_load_explicit(&ring->hdr->enqueue_pos, memory_order_acquire);
}

int64_t mpr__qring_free_blocks(const struct mpr__qring *ring)
{
    return atomic_load_explicit(&ring->hdr->free_blocks, memory_order_relaxed);
}

/* ---- Growth ------------------------------------------------------------ */

static bool can_grow(const struct mpr__qring *ring)
{
    return atomic_load_explicit(&ring->hdr->blocks_ready, memory_order_acquire) <
               ring->hdr->plan.nblocks &&
           atomic_load_explicit(&ring->hdr->growth, memory_order_relaxed) !=
               MPR__QRING_GROWTH_FAILED;
}

bool mpr__qring_full(const struct mpr__qring *ring)
{
    if (mpr__qring_count(ring) >= ring->capacity)
        return true;
    if (ring->hdr->plan.max_item <= ring->inline_max)
        return false;
    return mpr__qring_free_blocks(ring) < (int64_t)blocks_for(ring, ring->hdr->plan.max_item) &&
           !can_grow(ring);
}

bool mpr__qring_may_grow(const struct mpr__qring *ring, size_t len)
{
    return len > ring->inline_max &&
           mpr__qring_free_blocks(ring) < (int64_t)blocks_for(ring, len) && can_grow(ring);
}

bool mpr__qring_grow_begin(struct mpr__qring *ring, uint32_t min_blocks,
                           struct mpr__qring_growth *g)
{
    uint32_t idle = MPR__QRING_GROWTH_IDLE;
    if (!atomic_compare_exchange_strong_explicit(&ring->hdr->growth, &idle,
                                                 MPR__QRING_GROWTH_BUSY, memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    uint32_t ready = atomic_load_explicit(&ring->hdr->blocks_ready, memory_order_relaxed);
    uint32_t left = ring->hdr->plan.nblocks - ready;
    if (left == 0) {
        atomic_store_explicit(&ring->hdr->growth, MPR__QRING_GROWTH_IDLE, memory_order_release);
        return false;
    }
    uint32_t n = ready > min_blocks ? ready : min_blocks;
    g->first = ready;
    g->count = n < left ? n : left;
    g->offset = ring->hdr->blocks_off + (uint64_t)ready * ring->block_bytes;
    g->bytes = (uint64_t)g->count * ring->block_bytes;
    return true;
}

void mpr__qring_grow_end(struct mpr__qring *ring, const struct mpr__qring_growth *g)
{
    if (g->count == 0) {
        atomic_store_explicit(&ring->hdr->growth, MPR__QRING_GROWTH_FAILED, memory_order_release);
        return;
    }
    uint32_t last = g->first + g->count - 1;
    for (uint32_t b = g->first; b < last; b++)
        atomic_store_explicit(&ring->next[b], b + 1, memory_order_relaxed);
    atomic_store_explicit(&ring->hdr->blocks_ready, g->first + g->count, memory_order_release);
    free_chain(ring, g->first, last, g->count);
    atomic_store_explicit(&ring->hdr->growth, MPR__QRING_GROWTH_IDLE, memory_order_release);
}
