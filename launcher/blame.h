/*
 * blame.h - which failed rank the first mprun names (issue 15).
 *
 * When a rank dies, its peers see it within milliseconds and may end with
 * an error of their own; across hosts their ends can reach mprun before
 * the death that caused them. So the order of reports decides nothing:
 * each failure comes with what the rank itself knew, the rank it saw fail
 * first (libmpr notes it, runtime/core/failure_note.c; -1 if none). A rank
 * that saw nobody fail failed on its own: a cause. One that did reacted.
 *
 * The verdict follows the reactors: from the first failure reported, to
 * the rank it names, and on, to a rank that failed on its own, which is
 * named. A reactor whose named rank ended cleanly failed on its own after
 * all. Reactors naming each other in a ring (a link broke, nobody died):
 * the first failure reported. While the chain waits for a rank not heard
 * of yet, nothing is named; after MPRUN_BLAME_WAIT_MS (or once nothing more
 * will be heard), the first cause seen is named, else the reactor nearest
 * the cause.
 *
 * Pure bookkeeping: no I/O, times come from the caller (job.c).
 */
#ifndef MPRUN_BLAME_H
#define MPRUN_BLAME_H

#include <stdbool.h>
#include <stdint.h>

#define MPRUN_BLAME_WAIT_MS 3000

struct mprun_blame_rank {
    signed char state; /* enum in blame.c */
    int peer;          /* a reactor: the rank it saw fail first */
    int code;          /* a failure: mprun's exit code */
    char *line;        /* a failure: what mprun says */
};

struct mprun_blame {
    int nranks;
    struct mprun_blame_rank *ranks;
    int first;       /* the first failure reported, -1 */
    int first_cause; /* the first rank that failed on its own, -1 */
    bool decided;
    int64_t deadline; /* INT64_MAX while nothing waits */
};

/* mprun_blame_init - for nranks ranks. Returns 0, or -1 (out of memory). */
int mprun_blame_init(struct mprun_blame *b, int nranks);
void mprun_blame_free(struct mprun_blame *b);

/* mprun_blame_failed - rank failed (its first report only counts):
 * failed_peer is the rank it saw fail first, or -1; code and line are what
 * mprun exits with and says if it is named (line is copied). Returns the
 * rank to name now, or -1 (nothing yet, or decided already, or out of
 * memory: then this failure is named, see mprun_blame_*). */
int mprun_blame_failed(struct mprun_blame *b, int rank, int failed_peer, int code,
                       const char *line, int64_t now);

/* mprun_blame_ended_cleanly - rank ended without failing. Returns the rank
 * to name now, or -1. */
int mprun_blame_ended_cleanly(struct mprun_blame *b, int rank);

/* mprun_blame_expire - the wait is over (now past the deadline, or
 * nothing more will be heard: force). Returns the rank to name, or -1. */
int mprun_blame_expire(struct mprun_blame *b, int64_t now, bool force);

/* mprun_blame_deadline - when mprun_blame_expire must be called, or
 * INT64_MAX. */
int64_t mprun_blame_deadline(const struct mprun_blame *b);

/* What mprun says and exits with for a named rank. */
const char *mprun_blame_line(const struct mprun_blame *b, int rank);
int mprun_blame_code(const struct mprun_blame *b, int rank);

#endif
