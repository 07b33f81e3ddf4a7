/*
 * segment.h - named POSIX shared-memory segments of this job: names
 * derived from the PMIx namespace (so mprun can remove leftovers by
 * prefix), created with every page allocated up front (a full /dev/shm
 * fails at creation with MPR_ERR_SHM, never with SIGBUS later).
 */
#ifndef MPR_SEGMENT_H
#define MPR_SEGMENT_H

#include <stddef.h>

/* "/mpr-<namespace>-<suffix>", the namespace's odd characters replaced. */
void mpr__segment_name(char *out, size_t cap, const char *suffix);

/* Create name (it must not exist), allocate and map bytes. `what` names the
 * segment's use in the one error line printed on failure. */
int mpr__segment_create(const char *name, size_t bytes, const char *what, void **mem);

/* Map an existing segment of at least bytes. */
int mpr__segment_open(const char *name, size_t bytes, const char *what, void **mem);

#endif /* MPR_SEGMENT_H */
