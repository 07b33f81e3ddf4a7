/*
 * store.h - what the Manager containers (dict.c, list.c) share: a lock in
 * their segment that notices when the process holding it has died, and a
 * heap of records carved out of the segment in power-of-two size classes.
 *
 * Only processes of the home host touch the segment (its ranks and the
 * home rank's service threads), so the lock's holder is named by its pid:
 * any waiter, the service thread included, can tell whether the holder
 * still lives without asking libmpr. A holder that died inside a call may
 * have left the container half changed, so its death breaks the lock for
 * good: every later call returns MPR_ERR_PROC_FAILED.
 *
 * Offsets, never pointers, are kept in the segment (each process maps it
 * at another address); they count from the start of the object's state.
 */
#ifndef MPR_OBJECTS_STORE_H
#define MPR_OBJECTS_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/objects.h"

struct mpr__store_lock {
    struct mpr__waitpoint released;
    _Alignas(MPR__OBJ_LINE) _Atomic int32_t holder; /* 0 free, a pid, or STORE_BROKEN */
};

void mpr__store_lock_init(struct mpr__store_lock *l);

/* Take the lock: MPR_SUCCESS, or MPR_ERR_PROC_FAILED when a holder died
 * with it (now or before) or, for the service thread (w != NULL), when
 * w->cancelled says so. Never times out otherwise: holders keep it for
 * the few copies of one call. */
int mpr__store_lock(struct mpr__store_lock *l, const struct mpr__obj_waiter *w);
void mpr__store_unlock(struct mpr__store_lock *l);

/* Creation: do all ranks of comm pass the same two sizes? MPR_ERR_ARG on
 * every rank (one line on stderr, naming `call`) when not. Collective. */
int mpr__store_same_sizes(mpr_comm comm, const char *call, size_t a, size_t b);

/* Records: 32 << c bytes for class c. */
#define MPR__HEAP_CLASSES 17
#define MPR__HEAP_GROW_CHUNK ((uint64_t)1 << 20)

struct mpr__heap {
    uint64_t base;  /* first byte of the heap, from the state's start */
    uint64_t end;   /* one past its last */
    uint64_t top;   /* bump pointer: never handed out at and above it */
    uint64_t grown; /* allocated in /dev/shm up to here (from the state's start) */
    uint64_t used;  /* bytes in records handed out */
    uint64_t free_head[MPR__HEAP_CLASSES]; /* offset of the first free record, 0: none */
};

/* A heap over state bytes [base, end), of which [0, grown) are allocated. */
void mpr__heap_init(struct mpr__heap *h, uint64_t base, uint64_t end, uint64_t grown);

/* The bytes a record of `bytes` occupies (its class's size); 0 when no
 * class holds it. */
uint64_t mpr__heap_block_bytes(uint64_t bytes);

/* Under the container's lock: a record of at least `bytes`, at *off.
 * MPR_ERR_FULL when the heap has no room, MPR_ERR_SHM when /dev/shm is. */
int mpr__heap_alloc(struct mpr__heap *h, const struct mpr__obj *obj, uint64_t bytes,
                    uint64_t *off);
/* Under the lock: give back the record of `bytes` at off. */
void mpr__heap_release(struct mpr__heap *h, void *state, uint64_t off, uint64_t bytes);
/* Under the lock: forget every record (the container is emptied). */
void mpr__heap_reset(struct mpr__heap *h);

static inline void *mpr__store_at(void *state, uint64_t off)
{
    return (char *)state + off;
}

#endif /* MPR_OBJECTS_STORE_H */
