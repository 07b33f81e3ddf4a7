/* shm_ring.c - single-producer single-consumer ring (see shm_ring.h). */
#include "transport/shm/shm_ring.h"

#include <string.h>

#define SHM_PREFETCH_DATA_LINES 4 /* at least; as many as the last payload had */
#define SHM_PREFETCH_DATA_LINES_MAX 128
#define SHM_PREFETCH_AFTER 8 /* empty polls in a row */
#define SHM_WARM_STRIDE 4096 /* the smallest page size */

static uint64_t round_up_line(uint64_t n)
{
    return (n + SHM_CACHE_LINE - 1) & ~(uint64_t)(SHM_CACHE_LINE - 1);
}

size_t shm_ring_bytes(uint32_t ndesc, uint32_t dsize)
{
    return sizeof(struct shm_ring_ctl) + (size_t)ndesc * sizeof(struct shm_desc) + dsize;
}

void shm_ring_format(void *mem, uint32_t ndesc, uint32_t dsize)
{
    memset(mem, 0, sizeof(struct shm_ring_ctl) + (size_t)ndesc * sizeof(struct shm_desc));
    (void)dsize;
}

static void locate(void *mem, uint32_t ndesc, struct shm_ring_ctl **ctl,
                   struct shm_desc **desc, unsigned char **data)
{
    *ctl = mem;
    *desc = (struct shm_desc *)((char *)mem + sizeof(struct shm_ring_ctl));
    *data = (unsigned char *)(*desc + ndesc);
}

void shm_ring_tx_attach(struct shm_ring_tx *tx, void *mem, uint32_t ndesc, uint32_t dsize)
{
    memset(tx, 0, sizeof(*tx));
    locate(mem, ndesc, &tx->ctl, &tx->desc, &tx->data);
    tx->ndesc = ndesc;
    tx->dsize = dsize;
}

void shm_ring_rx_attach(struct shm_ring_rx *rx, void *mem, uint32_t ndesc, uint32_t dsize)
{
    memset(rx, 0, sizeof(*rx));
    locate(mem, ndesc, &rx->ctl, &rx->desc, &rx->data);
    rx->ndesc = ndesc;
    rx->dsize = dsize;
    rx->prefetch_lines = SHM_PREFETCH_DATA_LINES;
}

struct shm_desc *shm_ring_reserve(struct shm_ring_tx *tx, size_t data_len, void **data)
{
    return shm_ring_reserve_shifted(tx, data_len, 0, data);
}

struct shm_desc *shm_ring_reserve_shifted(struct shm_ring_tx *tx, size_t data_len, unsigned shift,
                                          void **data)
{
    if (tx->tail_desc - tx->seen_head_desc >= tx->ndesc) {
        tx->seen_head_desc = atomic_load_explicit(&tx->ctl->head_desc, memory_order_acquire);
        if (tx->tail_desc - tx->seen_head_desc >= tx->ndesc)
            return NULL;
    }
    struct shm_desc *d = &tx->desc[tx->tail_desc & (tx->ndesc - 1)];
    if (data_len == 0)
        return d;
    shift &= SHM_CACHE_LINE - 1;
    if (data_len + shift > tx->dsize)
        return NULL;

    uint64_t need = round_up_line(shift + data_len);
    uint64_t pos = tx->tail_data;
    uint64_t offset = pos & (tx->dsize - 1);
    if (offset + need > tx->dsize)
        pos += tx->dsize - offset; /* keep the payload contiguous */
    if (pos + need - tx->seen_head_data > tx->dsize) {
        tx->seen_head_data = atomic_load_explicit(&tx->ctl->head_data, memory_order_acquire);
        if (pos + need - tx->seen_head_data > tx->dsize)
            return NULL;
    }
    tx->tail_data = pos + need;
    d->u.ref.dpos = pos + shift;
    d->u.ref.dlen = data_len;
    *data = tx->data + ((pos + shift) & (tx->dsize - 1));
    return d;
}

void shm_ring_publish(struct shm_ring_tx *tx, struct shm_desc *d)
{
    tx->tail_desc++;
    atomic_store_explicit(&d->stamp, (uint32_t)tx->tail_desc, memory_order_release);
}

size_t shm_ring_data_free(const struct shm_ring_tx *tx)
{
    uint64_t head = atomic_load_explicit(&tx->ctl->head_data, memory_order_acquire);
    return tx->dsize - (size_t)(tx->tail_data - head);
}

struct shm_desc *shm_ring_reserve_wide(struct shm_ring_tx *tx, struct shm_desc_tail **tail)
{
    if (tx->tail_desc + 1 - tx->seen_head_desc >= tx->ndesc) {
        tx->seen_head_desc = atomic_load_explicit(&tx->ctl->head_desc, memory_order_acquire);
        if (tx->tail_desc + 1 - tx->seen_head_desc >= tx->ndesc)
            return NULL;
    }
    *tail = (struct shm_desc_tail *)&tx->desc[(tx->tail_desc + 1) & (tx->ndesc - 1)];
    return &tx->desc[tx->tail_desc & (tx->ndesc - 1)];
}

/* The tail first: the first descriptor's stamp (a release) publishes both. */
void shm_ring_publish_wide(struct shm_ring_tx *tx, struct shm_desc *d, struct shm_desc_tail *tail)
{
    atomic_store_explicit(&tail->stamp, (uint32_t)(tx->tail_desc + 2), memory_order_relaxed);
    shm_ring_publish(tx, d);
    tx->tail_desc++;
}

struct shm_desc *shm_ring_peek(struct shm_ring_rx *rx)
{
    struct shm_desc *d = &rx->desc[rx->head_desc & (rx->ndesc - 1)];
    if (atomic_load_explicit(&d->stamp, memory_order_acquire) != (uint32_t)(rx->head_desc + 1)) {
        /* Fetch the next lines while waiting: a wide record's tail, and the
         * first lines of the next data-area payload (where it starts
         * unless it wraps; as many as the last one had, as a conversation
         * tends to repeat its sizes), then arrive with the descriptor, not
         * one transfer after it. */
        __builtin_prefetch(&rx->desc[(rx->head_desc + 1) & (rx->ndesc - 1)]);
        if (++rx->idle_polls > SHM_PREFETCH_AFTER) {
            const unsigned char *next = rx->data + (rx->head_data & (rx->dsize - 1));
            for (unsigned i = 0; i < rx->prefetch_lines; i++)
                __builtin_prefetch(next + i * SHM_CACHE_LINE);
            /* And read a byte of one page of the data area, the next page
             * each time, so that all of it stays warm for this process: a
             * payload on a page it had not read for a while cost a
             * microsecond more on the VMs measured (every message size's
             * first lap; prefetches did not help, a read does). */
            rx->warm_offset = (rx->warm_offset + SHM_WARM_STRIDE) & (rx->dsize - 1);
            (void)__atomic_load_n(rx->data + rx->warm_offset, __ATOMIC_RELAXED);
        }
        return NULL;
    }
    rx->idle_polls = 0;
    return d;
}

const struct shm_desc_tail *shm_ring_wide_tail(const struct shm_ring_rx *rx)
{
    return (const struct shm_desc_tail *)&rx->desc[(rx->head_desc + 1) & (rx->ndesc - 1)];
}

void shm_ring_release_wide(struct shm_ring_rx *rx)
{
    rx->head_desc += 2;
    atomic_store_explicit(&rx->ctl->head_desc, rx->head_desc, memory_order_release);
}

const void *shm_ring_payload(const struct shm_ring_rx *rx, const struct shm_desc *d)
{
    return rx->data + (d->u.ref.dpos & (rx->dsize - 1));
}

void shm_ring_release(struct shm_ring_rx *rx, const struct shm_desc *d, int has_data)
{
    rx->head_desc++;
    if (has_data) {
        uint64_t first = d->u.ref.dpos & ~(uint64_t)(SHM_CACHE_LINE - 1);
        uint64_t end = round_up_line(d->u.ref.dpos + d->u.ref.dlen);
        uint64_t lines = (end - first) / SHM_CACHE_LINE;
        rx->prefetch_lines = lines < SHM_PREFETCH_DATA_LINES       ? SHM_PREFETCH_DATA_LINES
                             : lines > SHM_PREFETCH_DATA_LINES_MAX ? SHM_PREFETCH_DATA_LINES_MAX
                                                                   : (unsigned)lines;
        rx->head_data = end;
        atomic_store_explicit(&rx->ctl->head_data, rx->head_data, memory_order_release);
    }
    atomic_store_explicit(&rx->ctl->head_desc, rx->head_desc, memory_order_release);
}
