/* peer_copy.h - copies into shared memory that another process reads next. */
#ifndef MPR_PEER_COPY_H
#define MPR_PEER_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* From this size on (more than 15 lines), equally aligned copies use rep
 * movsb. */
#define MPR__PEER_COPY_MIN 961
#define MPR__PEER_COPY_LINE 64

/* How far p is into its cache line: a destination placed as far into its
 * own is aligned alike with p. */
static inline unsigned mpr__line_offset(const void *p)
{
    return (unsigned)((uintptr_t)p & (MPR__PEER_COPY_LINE - 1));
}

/*
 * Copy n bytes to dst, which another process reads next (a ring's data
 * area, a collective's slot). An ordinary store to a line the reader
 * still holds first fetches it back (read for ownership); x86's rep movsb
 * writes whole lines without that read, but only when source and
 * destination are aligned alike within a line (else it is several times
 * slower). glibc's memcpy uses it only from ~2 KiB on. Measured, a
 * producer filling 1-2 KiB records: where a line crosses cores in 230 ns,
 * 4.3 -> 6.0 GB/s at 2 KiB (one-way 2 KiB in mpr 0.96 -> 0.85 us); where
 * it crosses in 55 ns, 15.4 -> 18.6 GB/s at 1 KiB, 20.1 -> 26.8 at 2 KiB.
 * Just below 1 KiB it pays too: glibc 2.36's memcpy (AVX-512) of
 * 976-1023 bytes into the ring made a one-way message 0.85-0.93 us where
 * a line crosses in ~220 ns, against 0.64-0.67 with rep movsb (and 0.62
 * at 1 KiB); further down rep movsb loses (bandwidth of 512 B messages
 * 2.14 -> 1.91 GB/s, 768 B 2.59 -> 2.34), at 960-1000 B the two are even.
 * Non-temporal stores, which skip the caches, were faster still on the
 * first machine (7.4 GB/s) but 2-3x slower on the second (one-way 2 KiB
 * 0.23 -> 0.65 us), so they are not used. Callers place what they copy
 * to as far into a line as the source is (shm_ring_reserve_shifted, a
 * bcast slot's shift), so the two are aligned alike.
 *
 * mpr__peer_copy_lines copies with rep movsb when that pays and returns
 * true; else it copies nothing and returns false.
 */
static inline bool mpr__peer_copy_lines(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
    if (n >= MPR__PEER_COPY_MIN && mpr__line_offset(dst) == mpr__line_offset(src)) {
        __asm__ __volatile__("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
        return true;
    }
#else
    (void)dst;
    (void)src;
    (void)n;
#endif
    return false;
}

static inline void mpr__peer_copy(void *dst, const void *src, size_t n)
{
    if (!mpr__peer_copy_lines(dst, src, n))
        memcpy(dst, src, n);
}

#endif /* MPR_PEER_COPY_H */
