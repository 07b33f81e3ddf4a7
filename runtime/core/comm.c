/*
 * comm.c - the world communicator and the check every call makes of a
 * communicator argument. Creating communicators takes an allgather:
 * coll/comm_create.c.
 */
#include "core/mpr_internal.h"

struct mpr_comm mpr__comm_world = { .magic = MPR__COMM_MAGIC, .ctx_p2p = 0, .ctx_coll = 1 };

int mpr__check_comm(mpr_comm comm)
{
    return comm && comm->magic == MPR__COMM_MAGIC ? MPR_SUCCESS : MPR_ERR_ARG;
}

void mpr__comm_world_setup(void)
{
    mpr__comm_world.rank = mpr__g.rank;
    mpr__comm_world.size = mpr__g.size;
    mpr__comm_world.coll = NULL;
}
