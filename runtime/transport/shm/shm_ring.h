/*
 * shm_ring.h - a single-producer single-consumer ring in shared memory.
 *
 * A ring is a control line written only by the consumer, an array of
 * 64-byte descriptors, and a data area. A descriptor is ready when its
 * stamp equals its position + 1, so the consumer polls the very cache line
 * that carries a small message; descriptors are never payload, so a stale
 * stamp can never be mistaken for a fresh one. Larger payloads sit
 * contiguously in the data area (the producer skips to the start rather
 * than wrap a payload). Producer and consumer keep their positions in
 * private memory and read the other side's only when they must.
 *
 * A wide record is two descriptors in a row: the first as usual, the
 * second only its stamp and SHM_WIDE_TAIL payload bytes, so up to
 * SHM_WIDE_MAX bytes travel in two lines the consumer fetches together
 * (it prefetches the descriptor after the one it polls) instead of one
 * line, then a data-area line it learns of only from the first.
 */
#ifndef MPR_SHM_RING_H
#define MPR_SHM_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_CACHE_LINE 64
#define SHM_INLINE_MAX 40

struct shm_ring_ctl {
    _Alignas(SHM_CACHE_LINE) _Atomic uint64_t head_desc; /* consumer's position */
    _Atomic uint64_t head_data;
};

struct shm_desc {
    _Atomic uint32_t stamp;
    uint16_t type;
    uint16_t flags;
    uint32_t ctx;
    int32_t tag;
    uint64_t len; /* length of the whole message */
    union {
        unsigned char inline_data[SHM_INLINE_MAX];
        struct {
            uint64_t dpos; /* position of this record's bytes in the data area */
            uint64_t dlen; /* bytes of this record in the data area */
            uint64_t addr; /* rendezvous: sender's buffer */
            uint64_t id;   /* rendezvous: sender's request id */
        } ref;
    } u;
};
_Static_assert(sizeof(struct shm_desc) == SHM_CACHE_LINE, "descriptor is one cache line");

/* The second descriptor of a wide record. */
#define SHM_WIDE_TAIL (SHM_CACHE_LINE - sizeof(uint32_t))
#define SHM_WIDE_MAX (SHM_INLINE_MAX + SHM_WIDE_TAIL)
struct shm_desc_tail {
    _Atomic uint32_t stamp;
    unsigned char data[SHM_WIDE_TAIL];
};
_Static_assert(sizeof(struct shm_desc_tail) == SHM_CACHE_LINE, "a wide record's tail is one line");

/* Producer's private view. */
struct shm_ring_tx {
    struct shm_ring_ctl *ctl;
    struct shm_desc *desc;
    unsigned char *data;
    uint32_t ndesc; /* power of two */
    uint32_t dsize; /* power of two, multiple of 64 */
    uint64_t tail_desc;
    uint64_t tail_data;
    uint64_t seen_head_desc;
    uint64_t seen_head_data;
};

/* Consumer's private view. */
struct shm_ring_rx {
    struct shm_ring_ctl *ctl;
    struct shm_desc *desc;
    unsigned char *data;
    uint32_t ndesc;
    uint32_t dsize;
    uint64_t head_desc;
    uint64_t head_data;
    unsigned idle_polls; /* empty polls since the last record */
    uint32_t warm_offset; /* the data-area page an idle poll reads next */
    unsigned prefetch_lines; /* data-area lines an idle poll prefetches: the last payload's */
};

/* Bytes a ring of ndesc descriptors and dsize data bytes occupies. */
size_t shm_ring_bytes(uint32_t ndesc, uint32_t dsize);
/* Zero a fresh ring at mem. */
void shm_ring_format(void *mem, uint32_t ndesc, uint32_t dsize);
void shm_ring_tx_attach(struct shm_ring_tx *tx, void *mem, uint32_t ndesc, uint32_t dsize);
void shm_ring_rx_attach(struct shm_ring_rx *rx, void *mem, uint32_t ndesc, uint32_t dsize);

/*
 * Reserve the next descriptor and, if data_len > 0, data_len contiguous
 * bytes (data_len <= dsize). Returns NULL when the ring is full; else the
 * descriptor, with *data set and u.ref.dpos/dlen filled when data_len > 0.
 * The caller fills it and must call shm_ring_publish before reserving again.
 */
struct shm_desc *shm_ring_reserve(struct shm_ring_tx *tx, size_t data_len, void **data);
/* The same with the payload starting `shift` (0-63) bytes into its first
 * line, as far as the source it is copied from is into its own: the copy
 * is then aligned alike (core/peer_copy.h). */
struct shm_desc *shm_ring_reserve_shifted(struct shm_ring_tx *tx, size_t data_len, unsigned shift,
                                          void **data);
void shm_ring_publish(struct shm_ring_tx *tx, struct shm_desc *d);
/* Data-area bytes free now (a payload may still not fit: it is kept
 * contiguous, so the end of the area can go unused). */
size_t shm_ring_data_free(const struct shm_ring_tx *tx);
/* The same for a wide record: the first descriptor, *tail the second. */
struct shm_desc *shm_ring_reserve_wide(struct shm_ring_tx *tx, struct shm_desc_tail **tail);
void shm_ring_publish_wide(struct shm_ring_tx *tx, struct shm_desc *d, struct shm_desc_tail *tail);

/* The next ready descriptor, or NULL. */
struct shm_desc *shm_ring_peek(struct shm_ring_rx *rx);
/* Where a descriptor's data-area bytes are. */
const void *shm_ring_payload(const struct shm_ring_rx *rx, const struct shm_desc *d);
/* The second descriptor of the wide record at the head (published with it). */
const struct shm_desc_tail *shm_ring_wide_tail(const struct shm_ring_rx *rx);
/* Hand the record at the head back to the producer: its descriptor (two
 * for a wide one), and its data bytes if has_data. */
void shm_ring_release(struct shm_ring_rx *rx, const struct shm_desc *d, int has_data);
void shm_ring_release_wide(struct shm_ring_rx *rx);

#endif /* MPR_SHM_RING_H */
