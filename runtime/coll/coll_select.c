/* coll_select.c - algorithms forced through the environment, and the check
 * of every collective setting at mpr_init (core/env.h says how). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"
#include "core/env.h"

/* What MPR_COLL_<NAME> may be: "auto" and the names in the collective's
 * own table (coll.c, coll_gather.c, coll_reduce.c; tests/integration/
 * env_values.sh tries every name listed here). */
static const char *const barrier_algs[] = { "auto", "shm", "shm_leader", "dissemination", "hier", NULL };
static const char *const bcast_algs[] = { "auto", "shm", "binomial", "chain", "hier", NULL };
static const char *const gather_algs[] = { "auto", "binomial", "linear", NULL };
static const char *const allgather_algs[] = { "auto", "bruck", "ring", NULL };
static const char *const alltoall_algs[] = { "auto", "linear", "pairwise", NULL };
static const char *const reduce_algs[] = { "auto", "shm", "binomial", "rabenseifner", "linear", NULL };
static const char *const allreduce_algs[] = { "auto", "shm", "recursive_doubling", "rabenseifner",
                                              "ring", "reduce_bcast", NULL };
static const struct {
    const char *var;
    const char *const *algs;
} forcible[] = {
    { "MPR_COLL_BARRIER", barrier_algs },     { "MPR_COLL_BCAST", bcast_algs },
    { "MPR_COLL_GATHER", gather_algs },       { "MPR_COLL_SCATTER", gather_algs },
    { "MPR_COLL_ALLGATHER", allgather_algs }, { "MPR_COLL_ALLTOALL", alltoall_algs },
    { "MPR_COLL_REDUCE", reduce_algs },       { "MPR_COLL_ALLREDUCE", allreduce_algs },
};

int mpr__coll_env_check(void)
{
    int rc = MPR_SUCCESS, choice;
    long long v;
    for (size_t i = 0; rc == MPR_SUCCESS && i < sizeof(forcible) / sizeof(forcible[0]); i++)
        rc = mpr__env_name(forcible[i].var, forcible[i].algs, 0, &choice);
    /* the ranges of coll_shm.c's layout and coll_check.c */
    if (rc == MPR_SUCCESS)
        rc = mpr__env_ll("MPR_COLL_SHM_SLOTS", 2, 64, 8, false, &v);
    if (rc == MPR_SUCCESS)
        rc = mpr__env_ll("MPR_COLL_SHM_SLOT", 1024, 4 << 20, 65536, true, &v);
    static const char *const flag[] = { "0", "1", NULL };
    if (rc == MPR_SUCCESS)
        rc = mpr__env_name("MPR_CHECK", flag, 0, &choice);
    return rc;
}

const char *mpr__coll_forced(const char *name)
{
    char var[64];
    snprintf(var, sizeof(var), "MPR_COLL_%s", name);
    const char *value = getenv(var); /* checked at mpr_init (mpr__coll_env_check) */
    return value && *value && strcmp(value, "auto") != 0 ? value : NULL;
}
