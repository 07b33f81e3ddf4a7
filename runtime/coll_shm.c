/*
 * coll_shm.c - collectives through shared memory among the ranks of a
 * node (not written yet: state per communicator).
 */
#include "coll.h"

void mpr__coll_comm_free(mpr_comm comm)
{
    (void)comm;
}

int mpr__shm_allreduce(mpr_comm comm, const void *send, void *recv, size_t count,
                       mpr_datatype type, mpr_op op)
{
    (void)comm, (void)send, (void)recv, (void)count, (void)type, (void)op;
    return MPR_ERR_UNSUPPORTED;
}

int mpr__shm_reduce(mpr_comm comm, const void *send, void *recv, size_t count,
                    mpr_datatype type, mpr_op op, int root)
{
    (void)comm, (void)send, (void)recv, (void)count, (void)type, (void)op, (void)root;
    return MPR_ERR_UNSUPPORTED;
}
