/*
 * coll.h - what the collective files share: tags on the collective
 * context, and the choice of algorithm.
 */
#ifndef MPR_COLL_H
#define MPR_COLL_H

#include "mpr_internal.h"

/* One tag per collective on comm->ctx_coll. Collectives are called in the
 * same order everywhere and messages between a pair never overtake, so
 * the tag only keeps a mismatched call from being silently misread. */
enum mpr__coll_tag {
    MPR__TAG_BCAST = 1,
    MPR__TAG_BARRIER,
    MPR__TAG_REDUCE,
    MPR__TAG_ALLREDUCE,
    MPR__TAG_GATHER,
    MPR__TAG_SCATTER,
    MPR__TAG_ALLGATHER,
    MPR__TAG_ALLTOALL,
    MPR__TAG_SCAN,
};

/* The algorithm forced by MPR_COLL_<NAME> (e.g. MPR_COLL_BCAST=binomial),
 * or NULL for "choose by size and shape". Read once per name. */
const char *mpr__coll_forced(const char *name);

#endif /* MPR_COLL_H */
