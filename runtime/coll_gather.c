/*
 * coll_gather.c - gather, scatter, allgather and alltoall (and their
 * v-variants) over point-to-point on the collective context.
 */
#include <string.h>

#include "coll.h"

/* Ring: in step s every rank passes on the block it received in step s-1. */
int mpr__allgather(mpr_comm comm, const void *send, size_t len, void *recv)
{
    int size = comm->size, rank = comm->rank;
    char *out = recv;
    if (send != MPR_IN_PLACE && len)
        memmove(out + (size_t)rank * len, send, len);
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;
    for (int step = 0; step < size - 1; step++) {
        int send_block = (rank - step + size) % size;
        int recv_block = (rank - step - 1 + size) % size;
        struct mpr_request *rreq, *sreq;
        int rc = mpr__recv_start(out + (size_t)recv_block * len, len, left, MPR__TAG_ALLGATHER,
                                 comm, comm->ctx_coll, &rreq);
        if (rc != MPR_SUCCESS)
            return rc;
        rc = mpr__send_start(out + (size_t)send_block * len, len, right, MPR__TAG_ALLGATHER, comm,
                             comm->ctx_coll, &sreq);
        int send_rc = rc == MPR_SUCCESS ? mpr__wait_request(sreq, NULL) : rc;
        int recv_rc = mpr__wait_request(rreq, NULL);
        if (send_rc != MPR_SUCCESS)
            return send_rc;
        if (recv_rc != MPR_SUCCESS)
            return recv_rc;
    }
    return MPR_SUCCESS;
}
