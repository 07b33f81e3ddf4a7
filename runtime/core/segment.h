/*
 * segment.h - named POSIX shared-memory segments of this job: names
 * derived from the PMIx namespace (so mprun can remove leftovers by
 * prefix), created with every page allocated up front (a full /dev/shm
 * fails at creation with MPR_ERR_SHM, never with SIGBUS later). A segment
 * that grows on demand is created with only its start allocated; its user
 * allocates each further part (mpr__segment_grow) before touching it, so
 * the property holds: a part that cannot be had is an error code then.
 */
#ifndef MPR_SEGMENT_H
#define MPR_SEGMENT_H

#include <stddef.h>

/* "/mpr-<namespace>-<suffix>", the namespace's odd characters replaced. */
void mpr__segment_name(char *out, size_t cap, const char *suffix);

/* Create name (it must not exist), allocate and map bytes. `what` names the
 * segment's use in the one error line printed on failure. */
int mpr__segment_create(const char *name, size_t bytes, const char *what, void **mem);

/* The same, with only the first `allocated` bytes allocated (the rest is a
 * hole that must not be touched before mpr__segment_grow), and the file
 * descriptor kept open in *fd_out (NULL: closed). */
int mpr__segment_create_sparse(const char *name, size_t bytes, size_t allocated,
                                const char *what, void **mem, int *fd_out);

/* Map an existing segment of at least bytes. */
int mpr__segment_open(const char *name, size_t bytes, const char *what, void **mem);
/* The same, keeping the file descriptor open in *fd_out (NULL: closed). */
int mpr__segment_open_fd(const char *name, size_t bytes, const char *what, void **mem,
                         int *fd_out);

/* Map every page of [mem, mem + bytes) in this process now (allocated
 * parts only), so that a hot path never takes a page fault on its first
 * lap: each process faults a shared page in for itself. */
void mpr__segment_prefault(void *mem, size_t bytes);

/* Allocate bytes at offset of the segment open as fd. Returns 0, or the
 * error number (ENOSPC: /dev/shm is full); logs nothing. */
int mpr__segment_grow(int fd, size_t offset, size_t bytes);

#endif /* MPR_SEGMENT_H */
