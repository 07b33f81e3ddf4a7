/*
 * match.h - MPI matching: FIFO queues of envelopes and the search rule.
 * Posted receives and unexpected messages both embed a mpr__match_item;
 * the queue keeps arrival order, which is what makes messages between one
 * pair on one tag and communicator non-overtaking.
 */
#ifndef MPR_MATCH_H
#define MPR_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mpr__qlink {
    struct mpr__qlink *next;
    struct mpr__qlink *prev;
};

struct mpr__queue {
    struct mpr__qlink head; /* sentinel */
    size_t length;
};

struct mpr__match_item {
    struct mpr__qlink link;
    int source; /* a rank, or MPR_ANY_SOURCE in a receive pattern */
    int tag;    /* a tag, or MPR_ANY_TAG in a receive pattern */
    uint32_t ctx;
};

#define mpr__container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

void mpr__queue_init(struct mpr__queue *q);
bool mpr__queue_empty(const struct mpr__queue *q);
void mpr__queue_push(struct mpr__queue *q, struct mpr__qlink *link);
void mpr__queue_remove(struct mpr__queue *q, struct mpr__qlink *link);
struct mpr__qlink *mpr__queue_pop(struct mpr__queue *q);

/* Does a receive pattern (source/tag may be wildcards) accept an envelope? */
bool mpr__match_accepts(const struct mpr__match_item *pattern,
                        const struct mpr__match_item *envelope);

/* First posted receive in q accepting the envelope; removed from q. */
struct mpr__match_item *mpr__match_take_posted(struct mpr__queue *q,
                                               const struct mpr__match_item *envelope);

/* First message in q the pattern accepts; removed from q only if `take`. */
struct mpr__match_item *mpr__match_find_unexpected(struct mpr__queue *q,
                                                   const struct mpr__match_item *pattern,
                                                   bool take);

#endif /* MPR_MATCH_H */
