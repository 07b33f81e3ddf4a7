/* match.c - FIFO queues and the MPI matching rule. */
#include "core/match.h"

#include "mpr.h"

void mpr__queue_init(struct mpr__queue *q)
{
    q->head.next = &q->head;
    q->head.prev = &q->head;
    q->length = 0;
}

bool mpr__queue_empty(const struct mpr__queue *q)
{
    return q->head.next == &q->head;
}

void mpr__queue_push(struct mpr__queue *q, struct mpr__qlink *link)
{
    link->prev = q->head.prev;
    link->next = &q->head;
    q->head.prev->next = link;
    q->head.prev = link;
    q->length++;
}

void mpr__queue_remove(struct mpr__queue *q, struct mpr__qlink *link)
{
    link->prev->next = link->next;
    link->next->prev = link->prev;
    link->next = link->prev = NULL;
    q->length--;
}

struct mpr__qlink *mpr__queue_pop(struct mpr__queue *q)
{
    if (mpr__queue_empty(q))
        return NULL;
    struct mpr__qlink *first = q->head.next;
    mpr__queue_remove(q, first);
    return first;
}

bool mpr__match_accepts(const struct mpr__match_item *pattern,
                        const struct mpr__match_item *envelope)
{
    return pattern->ctx == envelope->ctx &&
           (pattern->source == MPR_ANY_SOURCE || pattern->source == envelope->source) &&
           (pattern->tag == MPR_ANY_TAG || pattern->tag == envelope->tag);
}

struct mpr__match_item *mpr__match_take_posted(struct mpr__queue *q,
                                               const struct mpr__match_item *envelope)
{
    for (struct mpr__qlink *l = q->head.next; l != &q->head; l = l->next) {
        struct mpr__match_item *posted = mpr__container_of(l, struct mpr__match_item, link);
        if (mpr__match_accepts(posted, envelope)) {
            mpr__queue_remove(q, l);
            return posted;
        }
    }
    return NULL;
}

struct mpr__match_item *mpr__match_find_unexpected(struct mpr__queue *q,
                                                   const struct mpr__match_item *pattern,
                                                   bool take)
{
    for (struct mpr__qlink *l = q->head.next; l != &q->head; l = l->next) {
        struct mpr__match_item *msg = mpr__container_of(l, struct mpr__match_item, link);
        if (mpr__match_accepts(pattern, msg)) {
            if (take)
                mpr__queue_remove(q, l);
            return msg;
        }
    }
    return NULL;
}
