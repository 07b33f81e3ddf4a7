/*
 * blame.c - which failed rank the first mprun names (see blame.h).
 */
#include "blame.h"

#include <stdlib.h>
#include <string.h>

enum { UNHEARD, CLEAN, CAUSE, REACTOR };

int mprun_blame_init(struct mprun_blame *b, int nranks)
{
    memset(b, 0, sizeof(*b));
    b->first = b->first_cause = -1;
    b->deadline = INT64_MAX;
    b->ranks = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof(*b->ranks));
    if (b->ranks == NULL)
        return -1;
    b->nranks = nranks;
    return 0;
}

void mprun_blame_free(struct mprun_blame *b)
{
    for (int r = 0; b->ranks != NULL && r < b->nranks; r++)
        free(b->ranks[r].line);
    free(b->ranks);
    b->ranks = NULL;
    b->nranks = 0;
}

static int decide(struct mprun_blame *b, int rank)
{
    b->decided = true;
    b->deadline = INT64_MAX;
    return rank;
}

/* Follow the reactors from the first failure. Returns the rank to name, or
 * -1 while the chain waits for a rank not heard of; *nearest is then the
 * last failed rank on the chain. */
static int follow(const struct mprun_blame *b, int *nearest)
{
    int t = b->first;

    *nearest = t;
    /* Each step moves to another failed rank: at most nranks steps. */
    for (int steps = 0; steps <= b->nranks; steps++) {
        const struct mprun_blame_rank *x = &b->ranks[t];

        *nearest = t;
        if (x->state == CAUSE)
            return t;
        switch (b->ranks[x->peer].state) {
        case UNHEARD:
            return -1;
        case CLEAN:
            return t; /* it reacted to a rank that ended well: its own failure */
        default:
            t = x->peer;
        }
    }
    /* A ring: each saw another fail first (a link broke, nobody died). */
    *nearest = b->first;
    return b->first;
}

static int settle(struct mprun_blame *b)
{
    int nearest;
    int t;

    if (b->first < 0)
        return -1;
    t = follow(b, &nearest);
    return t >= 0 ? decide(b, t) : -1;
}

int mprun_blame_failed(struct mprun_blame *b, int rank, int failed_peer, int code,
                       const char *line, int64_t now)
{
    struct mprun_blame_rank *x;

    if (b->decided || rank < 0 || rank >= b->nranks || b->ranks[rank].state == CAUSE ||
        b->ranks[rank].state == REACTOR)
        return -1;
    x = &b->ranks[rank];
    x->code = code;
    x->line = strdup(line);
    if (x->line == NULL)
        return decide(b, rank);
    if (failed_peer >= 0 && failed_peer < b->nranks && failed_peer != rank) {
        x->state = REACTOR;
        x->peer = failed_peer;
    } else {
        x->state = CAUSE;
        if (b->first_cause < 0)
            b->first_cause = rank;
    }
    if (b->first < 0) {
        b->first = rank;
        b->deadline = now + MPRUN_BLAME_WAIT_MS;
    }
    return settle(b);
}

int mprun_blame_ended_cleanly(struct mprun_blame *b, int rank)
{
    if (b->decided || rank < 0 || rank >= b->nranks || b->ranks[rank].state != UNHEARD)
        return -1;
    b->ranks[rank].state = CLEAN;
    return settle(b);
}

int mprun_blame_expire(struct mprun_blame *b, int64_t now, bool force)
{
    int nearest = -1;

    if (b->decided || b->first < 0 || (!force && now < b->deadline))
        return -1;
    if (follow(b, &nearest) < 0 && b->first_cause >= 0)
        return decide(b, b->first_cause);
    return decide(b, nearest);
}

int64_t mprun_blame_deadline(const struct mprun_blame *b)
{
    return b->decided ? INT64_MAX : b->deadline;
}

const char *mprun_blame_line(const struct mprun_blame *b, int rank)
{
    return rank >= 0 && rank < b->nranks ? b->ranks[rank].line : NULL;
}

int mprun_blame_code(const struct mprun_blame *b, int rank)
{
    return rank >= 0 && rank < b->nranks ? b->ranks[rank].code : 1;
}
