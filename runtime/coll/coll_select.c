/* coll_select.c - algorithms forced through the environment, the names of
 * the collectives and their algorithms (also the tuning file's), and the
 * check of every collective setting at mpr_init (core/env.h says how). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coll/coll.h"
#include "coll/coll_shm.h"
#include "core/env.h"

/* What MPR_COLL_<NAME> may be: "auto" and the names in the collective's
 * own table (coll.c, coll_gather.c, coll_reduce.c; tests/integration/
 * env_values.sh tries every name listed here). */
static const char *const barrier_algs[] = { "auto", "shm", "shm_leader", "dissemination", "hier", NULL };
static const char *const bcast_algs[] = { "auto", "shm", "binomial", "chain", "hier", NULL };
static const char *const gather_algs[] = { "auto", "binomial", "linear", NULL };
static const char *const allgather_algs[] = { "auto", "bruck", "ring", "linear", "shm", NULL };
static const char *const alltoall_algs[] = { "auto", "linear", "pairwise", "shm", NULL };
static const char *const reduce_algs[] = { "auto", "shm", "binomial", "rabenseifner", "linear", NULL };
static const char *const allreduce_algs[] = { "auto", "shm", "recursive_doubling", "rabenseifner",
                                              "ring", "reduce_bcast", NULL };
/* In the order of enum mpr__coll_id (coll.h); a tuning file's collective
 * names are `name` in lower case (coll_tune.c). */
static const struct {
    const char *var;
    const char *name;
    const char *const *algs;
} forcible[MPR__COLL_COUNT] = {
    { "MPR_COLL_BARRIER", "barrier", barrier_algs },
    { "MPR_COLL_BCAST", "bcast", bcast_algs },
    { "MPR_COLL_GATHER", "gather", gather_algs },
    { "MPR_COLL_SCATTER", "scatter", gather_algs },
    { "MPR_COLL_ALLGATHER", "allgather", allgather_algs },
    { "MPR_COLL_ALLTOALL", "alltoall", alltoall_algs },
    { "MPR_COLL_REDUCE", "reduce", reduce_algs },
    { "MPR_COLL_ALLREDUCE", "allreduce", allreduce_algs },
};

int mpr__coll_id(const char *name)
{
    for (int i = 0; i < MPR__COLL_COUNT; i++)
        if (strcasecmp(name, forcible[i].name) == 0)
            return i;
    return -1;
}

const char *mpr__coll_name(int id)
{
    return forcible[id].name;
}

const char *const *mpr__coll_alg_names(int id)
{
    return forcible[id].algs;
}

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
    if (rc == MPR_SUCCESS)
        rc = mpr__env_ll("MPR_COLL_SHM_BIG_SLOTS", 0, MPR__COLL_BIG_SLOTS_MAX, 0, false, &v);
    static const char *const flag[] = { "0", "1", NULL };
    if (rc == MPR_SUCCESS)
        rc = mpr__env_name("MPR_CHECK", flag, 0, &choice);
    if (rc == MPR_SUCCESS)
        rc = mpr__env_name("MPR_TUNING_DEBUG", flag, 0, &choice);
    return rc;
}

const char *mpr__coll_forced(const char *name)
{
    char var[64];
    snprintf(var, sizeof(var), "MPR_COLL_%s", name);
    const char *value = getenv(var); /* checked at mpr_init (mpr__coll_env_check) */
    return value && *value && strcmp(value, "auto") != 0 ? value : NULL;
}
