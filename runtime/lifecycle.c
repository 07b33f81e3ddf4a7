/*
 * lifecycle.c - mpr_init and mpr_finalize: the one place that knows every
 * layer, and starts and ends them in order (core with its transports, then
 * the collectives; at the end objects, collectives, core).
 */
#include "coll/coll.h"
#include "coll/coll_check.h"
#include "core/mpr_internal.h"
#include "objects/objects.h"
#include "objects/pipe.h"

int mpr_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (mpr__g.finalized)
        return MPR_ERR_FINALIZED;
    if (mpr__g.initialized)
        return MPR_ERR_ALREADY_INIT;
    int rc = mpr__coll_env_check();
    if (rc == MPR_SUCCESS)
        rc = mpr__coll_tune_load();
    if (rc == MPR_SUCCESS)
        rc = mpr__core_start();
    if (rc != MPR_SUCCESS) {
        mpr__coll_tune_release();
        return rc;
    }
    mpr__coll_check_configure();
    mpr__coll_tune_announce();
    mpr__g.initialized = true;
    return MPR_SUCCESS;
}

int mpr_finalize(void)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    /* Open pipes are closed first, so their peers read EOF, not a failure,
     * even while they wait for it before their own finalize (which the
     * MPR_CHECK=1 comparison below would wait for). */
    mpr__pipe_close_all();
    if ((rc = mpr__coll_check_finalize()) == MPR_ERR_COLL_MISMATCH)
        return rc; /* MPR_CHECK=1: a rank is in a collective instead; still initialized */
    /* Peers learn that nothing more comes from this rank (so a peer still
     * waiting for it in a collective or a receive fails instead of
     * hanging); the barrier, on a context of its own that no user call
     * matches, drains this rank's queued sends (they precede its messages). */
    mpr__finalize_announce();
    mpr__pipe_drain_leftovers();
    rc = mpr__barrier_ctx(MPR_COMM_WORLD, MPR__CTX_FINALIZE);
    mpr__finalize_notices_wait();
    mpr__obj_remote_close_all();
    mpr__obj_service_shutdown();
    mpr__coll_comm_free(MPR_COMM_WORLD);
    mpr__coll_tune_release();
    mpr__core_release();
    mpr__g.initialized = false;
    mpr__g.finalized = true;
    return rc;
}
