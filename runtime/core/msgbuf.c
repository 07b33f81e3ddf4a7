/*
 * msgbuf.c - the bytes of unexpected messages, in buffers kept for reuse.
 *
 * An eager message that arrives before its receive is copied out of the
 * transport into a buffer of its own until a receive takes it. From a few
 * KiB such buffers come from the top of glibc's heap, and freeing them
 * together gives back (trims) the top as soon as more than 128 KiB is free
 * there: the next ones grow it again, page fault by page fault. A linear
 * alltoall of 48-64 KiB blocks on 4 ranks sharing 2 cores spent ~1 ms per
 * call that way (3 blocks of 64 KiB arriving unexpected at each rank, every
 * call), 10x the time of 32 KiB blocks. So buffers from MIN_CACHED up to
 * MAX_CACHED bytes come in powers of two and go back to a free list per
 * size, at most CACHE_BYTES in all; everything else is plain malloc/free.
 * Single-threaded, as the rest of point-to-point.
 */
#include <stdlib.h>

#include "core/mpr_internal.h"

#define MIN_SHIFT 12               /* 4 KiB: below, glibc's own caches do well */
#define MAX_SHIFT 22               /* 4 MiB */
#define CACHE_BYTES ((size_t)8 << 20)

struct free_buf {
    struct free_buf *next;
};

static struct free_buf *free_lists[MAX_SHIFT + 1];
static size_t cached_bytes;

/* the size class of len, or -1 when len is not cached */
static int class_of(size_t len)
{
    if (len < ((size_t)1 << MIN_SHIFT) || len > ((size_t)1 << MAX_SHIFT))
        return -1;
    int k = MIN_SHIFT;
    while (((size_t)1 << k) < len)
        k++;
    return k;
}

void *mpr__msgbuf_alloc(size_t len)
{
    int k = class_of(len);
    if (k < 0)
        return malloc(len ? len : 1);
    struct free_buf *b = free_lists[k];
    if (!b)
        return malloc((size_t)1 << k);
    free_lists[k] = b->next;
    cached_bytes -= (size_t)1 << k;
    return b;
}

void mpr__msgbuf_free(void *buf, size_t len)
{
    int k = class_of(len);
    if (!buf || k < 0 || cached_bytes + ((size_t)1 << k) > CACHE_BYTES) {
        free(buf);
        return;
    }
    struct free_buf *b = buf;
    b->next = free_lists[k];
    free_lists[k] = b;
    cached_bytes += (size_t)1 << k;
}

void mpr__msgbuf_release_all(void)
{
    for (int k = MIN_SHIFT; k <= MAX_SHIFT; k++)
        while (free_lists[k]) {
            struct free_buf *b = free_lists[k];
            free_lists[k] = b->next;
            free(b);
        }
    cached_bytes = 0;
}
