/*
 * coll_util.c - what the point-to-point collective algorithms share:
 * blocking exchanges on the collective context, waiting for a set of
 * requests, and the choice of an algorithm forced through MPR_COLL_<NAME>
 * or named by the tuning file (coll_tune.c).
 */
#include <stdio.h>
#include <string.h>

#include "coll/coll.h"

int mpr__coll_send(const void *buf, size_t len, int dest, int tag, mpr_comm comm)
{
    return mpr__coll_send_by(buf, len, dest, tag, comm, MPR__COPIER_ANY);
}

int mpr__coll_send_by(const void *buf, size_t len, int dest, int tag, mpr_comm comm,
                      enum mpr__copier copier)
{
    struct mpr_request *req;
    int rc = mpr__send_start_copied_by(buf, len, dest, tag, comm, comm->ctx_coll, copier, &req);
    return rc == MPR_SUCCESS ? mpr__wait_request(req, NULL) : rc;
}

int mpr__coll_recv(void *buf, size_t len, int source, int tag, mpr_comm comm)
{
    struct mpr_request *req;
    int rc = mpr__recv_start(buf, len, source, tag, comm, comm->ctx_coll, &req);
    return rc == MPR_SUCCESS ? mpr__wait_request(req, NULL) : rc;
}

int mpr__coll_sendrecv(const void *sendbuf, size_t sendlen, int dest, void *recvbuf,
                       size_t recvlen, int source, int tag, mpr_comm comm)
{
    struct mpr_request *rreq, *sreq;
    int rc = mpr__recv_start(recvbuf, recvlen, source, tag, comm, comm->ctx_coll, &rreq);
    if (rc != MPR_SUCCESS)
        return rc;
    rc = mpr__send_start(sendbuf, sendlen, dest, tag, comm, comm->ctx_coll, &sreq);
    int send_rc = rc == MPR_SUCCESS ? mpr__wait_request(sreq, NULL) : rc;
    int recv_rc = mpr__wait_request(rreq, NULL);
    return send_rc != MPR_SUCCESS ? send_rc : recv_rc;
}

int mpr__coll_waitall(struct mpr_request **reqs, int n, int result)
{
    for (int i = 0; i < n; i++) {
        int rc = mpr__wait_request(reqs[i], NULL);
        if (rc != MPR_SUCCESS && result == MPR_SUCCESS)
            result = rc;
    }
    return result;
}

int mpr__coll_note(int rc, int *result)
{
    if (rc != MPR_ERR_TRUNCATE)
        return rc;
    if (*result == MPR_SUCCESS)
        *result = rc;
    return MPR_SUCCESS;
}

static int forced_choice(struct mpr__coll_choice *c)
{
    if (c->read)
        return c->forced;
    c->read = true;
    c->forced = -1;
    c->id = mpr__coll_id(c->name);
    const char *value = mpr__coll_forced(c->name);
    if (!value)
        return -1;
    for (int i = 0; c->algs[i]; i++) {
        if (strcmp(value, c->algs[i]) == 0)
            return c->forced = i;
    }
    char known[256] = "auto";
    size_t used = strlen(known);
    for (int i = 0; c->algs[i] && used < sizeof(known); i++) {
        int n = snprintf(known + used, sizeof(known) - used, ", %s", c->algs[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    mpr__log_rank0("MPR_COLL_%s=%s is not a known algorithm (known: %s); choosing automatically",
                   c->name, value, known);
    return -1;
}

int mpr__coll_choice(struct mpr__coll_choice *c, int comm_size, size_t bytes)
{
    int alg = forced_choice(c);
    if (alg >= 0 || bytes == MPR__COLL_ANY_BYTES || c->id < 0)
        return alg;
    const char *tuned = mpr__coll_tuned(c->id, comm_size, bytes);
    for (int i = 0; tuned && c->algs[i]; i++) {
        if (strcmp(tuned, c->algs[i]) == 0)
            return i;
    }
    return -1;
}

bool mpr__coll_is_forced(const struct mpr__coll_choice *c)
{
    return c->read && c->forced >= 0;
}
