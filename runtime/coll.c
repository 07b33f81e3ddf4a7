/*
 * coll.c - bcast and barrier over point-to-point, on the communicator's
 * collective context so they never match user messages.
 * bcast: binomial tree rooted at `root`, children served with isends in
 * parallel. barrier: dissemination, ceil(log2 N) rounds of 0-byte messages.
 */
#include "coll.h"



int mpr__barrier_ctx(mpr_comm comm)
{
    int size = comm->size, rank = comm->rank;
    for (int dist = 1; dist < size; dist <<= 1) {
        struct mpr_request *rreq, *sreq;
        int rc = mpr__recv_start(NULL, 0, (rank - dist + size) % size, MPR__TAG_BARRIER,
                                 comm, comm->ctx_coll, &rreq);
        if (rc != MPR_SUCCESS)
            return rc;
        rc = mpr__send_start(NULL, 0, (rank + dist) % size, MPR__TAG_BARRIER, comm, comm->ctx_coll, &sreq);
        int send_rc = rc == MPR_SUCCESS ? mpr__wait_request(sreq, NULL) : rc;
        int recv_rc = mpr__wait_request(rreq, NULL);
        if (send_rc != MPR_SUCCESS)
            return send_rc;
        if (recv_rc != MPR_SUCCESS)
            return recv_rc;
    }
    return MPR_SUCCESS;
}

int mpr_barrier(mpr_comm comm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    return mpr__barrier_ctx(comm);
}

int mpr_bcast(void *buf, size_t len, int root, mpr_comm comm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (root < 0 || root >= comm->size || (!buf && len > 0))
        return MPR_ERR_ARG;

    int size = comm->size;
    int vrank = (comm->rank - root + size) % size;
    int result = MPR_SUCCESS;
    int mask = 1;
    while (mask < size) {
        if (vrank & mask) {
            struct mpr_request *req;
            int parent = (vrank - mask + root) % size;
            rc = mpr__recv_start(buf, len, parent, MPR__TAG_BCAST, comm, comm->ctx_coll, &req);
            if (rc == MPR_SUCCESS)
                rc = mpr__wait_request(req, NULL);
            if (rc == MPR_ERR_TRUNCATE)
                result = rc; /* still pass on what we have */
            else if (rc != MPR_SUCCESS)
                return rc;
            break;
        }
        mask <<= 1;
    }

    struct mpr_request *children[32];
    int nchildren = 0;
    for (mask >>= 1; mask > 0; mask >>= 1) {
        if (vrank + mask < size) {
            int child = (vrank + mask + root) % size;
            rc = mpr__send_start(buf, len, child, MPR__TAG_BCAST, comm, comm->ctx_coll, &children[nchildren]);
            if (rc != MPR_SUCCESS) {
                result = rc;
                break;
            }
            nchildren++;
        }
    }
    for (int i = 0; i < nchildren; i++) {
        rc = mpr__wait_request(children[i], NULL);
        if (rc != MPR_SUCCESS && result == MPR_SUCCESS)
            result = rc;
    }
    return result;
}
