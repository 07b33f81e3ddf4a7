/* self.c - the transport of a rank sending to itself: a copy into matching. */
#include "core/mpr_internal.h"

static int self_send(struct mpr_request *req)
{
    int rc = mpr__deliver_eager(mpr__g.rank, req->match.tag, req->match.ctx, req->buf, req->len);
    if (rc == MPR_SUCCESS)
        mpr__request_complete(req, MPR_SUCCESS);
    return rc;
}

static int self_pull(struct mpr_request *req, struct mpr__msg *msg)
{
    (void)req;
    (void)msg;
    return MPR_ERR_INTERNAL; /* self messages are always eager */
}

const struct mpr__transport mpr__self_transport = {
    .name = "self",
    .send = self_send,
    .pull = self_pull,
};
