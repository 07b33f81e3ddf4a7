/*
 * coll_shm.c - collectives through shared memory among the ranks of a
 * node (not written yet: state per communicator).
 */
#include "coll.h"

void mpr__coll_comm_free(mpr_comm comm)
{
    (void)comm;
}
