/*
 * p2p.c - point-to-point calls and the arrival side of matching.
 *
 * A receive first looks in the unexpected queue, then waits in the posted
 * queue. Transports hand every arriving message to mpr__deliver_*, which
 * matches it against the posted queue or files it as unexpected. Both
 * queues are FIFO, so the matching order is the arrival order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mpr_internal.h"

static int check_peer_args(const void *buf, size_t len, int rank, bool wildcard_ok,
                           int tag, bool any_tag_ok, mpr_comm comm)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (!buf && len > 0)
        return MPR_ERR_ARG;
    if (!(rank == MPR_PROC_NULL || (rank >= 0 && rank < comm->size) ||
          (wildcard_ok && rank == MPR_ANY_SOURCE)))
        return MPR_ERR_ARG;
    if (!((tag >= 0 && tag <= MPR_TAG_UB) || (any_tag_ok && tag == MPR_ANY_TAG)))
        return MPR_ERR_ARG;
    return MPR_SUCCESS;
}

static void status_empty(mpr_status *status)
{
    if (status) {
        status->source = MPR_ANY_SOURCE;
        status->tag = MPR_ANY_TAG;
        status->count = 0;
        status->error = MPR_SUCCESS;
    }
}

/* The status as the user sees it: ranks of the request's communicator. */
static void status_out(const struct mpr_request *req, mpr_status *status)
{
    if (!status)
        return;
    *status = req->status;
    if (req->comm && status->source >= 0)
        status->source = mpr__comm_rank(req->comm, status->source);
}

/* A request for MPR_PROC_NULL: done at once, moving nothing. */
static int proc_null_request(enum mpr__req_kind kind, struct mpr_request **out)
{
    struct mpr_request *req = mpr__request_alloc(kind);
    if (!req)
        return MPR_ERR_NO_MEM;
    req->status.source = MPR_PROC_NULL;
    req->status.tag = MPR_ANY_TAG;
    mpr__request_complete(req, MPR_SUCCESS);
    *out = req;
    return MPR_SUCCESS;
}

void mpr__recv_finish(struct mpr_request *req, int src, int tag, const void *data, size_t len)
{
    size_t n = len < req->len ? len : req->len;
    if (n)
        memcpy(req->buf, data, n);
    req->status.source = src;
    req->status.tag = tag;
    req->status.count = len;
    mpr__request_complete(req, len > req->len ? MPR_ERR_TRUNCATE : MPR_SUCCESS);
}

/* A declining receive turns down a message longer than its buffer. */
static bool declined(struct mpr_request *req, int src, int tag, size_t len)
{
    if (!req->declines_longer || len <= req->len)
        return false;
    req->status.source = src;
    req->status.tag = tag;
    req->status.count = len;
    mpr__request_complete(req, MPR_ERR_TRUNCATE);
    return true;
}

static struct mpr_request *take_posted(int src, int tag, uint32_t ctx, size_t len)
{
    struct mpr__match_item env = { .source = src, .tag = tag, .ctx = ctx };
    struct mpr__match_item *m = mpr__match_take_posted(&mpr__g.posted, &env);
    struct mpr_request *req = m ? mpr__container_of(m, struct mpr_request, match) : NULL;
    return req && declined(req, src, tag, len) ? NULL : req;
}

static struct mpr__msg *new_msg(int src, int tag, uint32_t ctx, size_t len, bool with_data)
{
    struct mpr__msg *msg = calloc(1, sizeof(*msg));
    if (!msg)
        return NULL;
    if (with_data && len > 0 && !(msg->data = mpr__msgbuf_alloc(len))) {
        free(msg);
        return NULL;
    }
    msg->match.source = src;
    msg->match.tag = tag;
    msg->match.ctx = ctx;
    msg->len = len;
    return msg;
}

/* Every unexpected message ends here: an eager one gives its credit back. */
static void free_msg(struct mpr__msg *msg)
{
    if (!msg->rendezvous)
        mpr__flow_taken(msg->match.source, msg->len);
    mpr__msgbuf_free(msg->data, msg->len);
    free(msg);
}

int mpr__deliver_eager(int src, int tag, uint32_t ctx, const void *data, size_t len)
{
    if (ctx == MPR__CTX_NOTICE) {
        mpr__peer_finalizing(src);
        return MPR_SUCCESS;
    }
    struct mpr_request *req = take_posted(src, tag, ctx, len);
    if (req) {
        mpr__recv_finish(req, src, tag, data, len);
        mpr__flow_taken(src, len);
        return MPR_SUCCESS;
    }
    struct mpr__msg *msg = new_msg(src, tag, ctx, len, true);
    if (!msg)
        return MPR_ERR_NO_MEM;
    if (len)
        memcpy(msg->data, data, len);
    msg->arrived = len;
    msg->complete = true;
    mpr__queue_push(&mpr__g.unexpected, &msg->match.link);
    return MPR_SUCCESS;
}

void mpr__deliver_start(int src, int tag, uint32_t ctx, size_t len, bool rendezvous,
                        uint64_t rdv_addr, uint64_t rdv_id,
                        struct mpr_request **req_out, struct mpr__msg **msg_out)
{
    *req_out = take_posted(src, tag, ctx, len);
    *msg_out = NULL;
    if (*req_out) {
        if (!rendezvous)
            mpr__flow_taken(src, len); /* its bytes go straight to the receive */
        return;
    }
    struct mpr__msg *msg = new_msg(src, tag, ctx, len, !rendezvous);
    if (!msg)
        return;
    msg->rendezvous = rendezvous;
    msg->complete = rendezvous;
    msg->rdv_addr = rdv_addr;
    msg->rdv_id = rdv_id;
    mpr__queue_push(&mpr__g.unexpected, &msg->match.link);
    *msg_out = msg;
}

void mpr__msg_completed(struct mpr__msg *msg)
{
    struct mpr_request *req = msg->waiting_req;
    if (!req)
        return; /* stays in the unexpected queue until a receive takes it */
    mpr__recv_finish(req, msg->match.source, msg->match.tag, msg->data, msg->len);
    free_msg(msg);
}

void mpr__msg_abandoned(struct mpr__msg *msg)
{
    if (msg->waiting_req)
        mpr__request_complete(msg->waiting_req, MPR_ERR_PROC_FAILED);
    else
        mpr__queue_remove(&mpr__g.unexpected, &msg->match.link);
    free_msg(msg);
}

/* Start a send in req, which the caller allocated and zeroed. */
static int send_begin(struct mpr_request *req, const void *buf, size_t len, int dest, int tag,
                      const struct mpr_comm *comm, uint32_t ctx)
{
    dest = mpr__world_rank(comm, dest);
    struct mpr__peer *peer = &mpr__g.peers[dest];
    if (peer->dead)
        return MPR_ERR_PROC_FAILED;
    req->kind = MPR__REQ_SEND;
    req->match.source = mpr__g.rank;
    req->match.tag = tag;
    req->match.ctx = ctx;
    req->peer = dest;
    req->comm = comm;
    req->buf = (void *)buf;
    req->len = len;
    req->status.source = dest;
    req->status.tag = tag;
    req->status.count = len;
    return peer->tp->send(req);
}

int mpr__send_start_copied_by(const void *buf, size_t len, int dest, int tag,
                              const struct mpr_comm *comm, uint32_t ctx,
                              enum mpr__copier copier, struct mpr_request **out)
{
    if (dest == MPR_PROC_NULL)
        return proc_null_request(MPR__REQ_SEND, out);
    struct mpr_request *req = mpr__request_alloc(MPR__REQ_SEND);
    if (!req)
        return MPR_ERR_NO_MEM;
    req->copier = (uint8_t)copier;
    int rc = send_begin(req, buf, len, dest, tag, comm, ctx);
    if (rc != MPR_SUCCESS) {
        mpr__request_free(req);
        return rc;
    }
    *out = req;
    return MPR_SUCCESS;
}

int mpr__send_start(const void *buf, size_t len, int dest, int tag,
                    const struct mpr_comm *comm, uint32_t ctx, struct mpr_request **out)
{
    return mpr__send_start_copied_by(buf, len, dest, tag, comm, ctx, MPR__COPIER_ANY, out);
}

/* Post a receive in req, which the caller allocated and zeroed. */
static void recv_begin(struct mpr_request *req, void *buf, size_t len, int source, int tag,
                       const struct mpr_comm *comm, uint32_t ctx)
{
    req->kind = MPR__REQ_RECV;
    req->comm = comm;
    req->match.source = source;
    req->match.tag = tag;
    req->match.ctx = ctx;
    req->buf = buf;
    req->len = len;

    struct mpr__match_item *m =
        mpr__match_find_unexpected(&mpr__g.unexpected, &req->match, !req->declines_longer);
    if (!m) {
        mpr__queue_push(&mpr__g.posted, &req->match.link);
        return;
    }
    struct mpr__msg *msg = mpr__container_of(m, struct mpr__msg, match);
    if (req->declines_longer) {
        if (declined(req, msg->match.source, msg->match.tag, msg->len))
            return;
        mpr__queue_remove(&mpr__g.unexpected, &m->link);
    }
    if (msg->rendezvous) {
        mpr__g.peers[msg->match.source].tp->pull(req, msg);
        free_msg(msg);
    } else if (msg->complete) {
        mpr__recv_finish(req, msg->match.source, msg->match.tag, msg->data, msg->len);
        free_msg(msg);
    } else {
        msg->waiting_req = req; /* finished when its last fragment lands */
    }
}

int mpr__recv_start(void *buf, size_t len, int source, int tag,
                    const struct mpr_comm *comm, uint32_t ctx, struct mpr_request **out)
{
    if (source == MPR_PROC_NULL)
        return proc_null_request(MPR__REQ_RECV, out);
    if (source >= 0)
        source = mpr__world_rank(comm, source);
    if (mpr__recv_cannot_match(source, ctx, comm)) {
        /* What it sent before ending can still be received. */
        struct mpr__match_item pattern = { .source = source, .tag = tag, .ctx = ctx };
        if (!mpr__match_find_unexpected(&mpr__g.unexpected, &pattern, false))
            return MPR_ERR_PROC_FAILED;
    }
    struct mpr_request *req = mpr__request_alloc(MPR__REQ_RECV);
    if (!req)
        return MPR_ERR_NO_MEM;
    recv_begin(req, buf, len, source, tag, comm, ctx);
    *out = req;
    return MPR_SUCCESS;
}

int mpr__recv_start_declining(void *buf, size_t len, int source, int tag,
                              const struct mpr_comm *comm, uint32_t ctx, struct mpr_request **out)
{
    if (source < 0)
        return MPR_ERR_ARG;
    int world_source = mpr__world_rank(comm, source);
    struct mpr__match_item pattern = { .source = world_source, .tag = tag, .ctx = ctx };
    if (mpr__recv_cannot_match(world_source, ctx, comm) &&
        !mpr__match_find_unexpected(&mpr__g.unexpected, &pattern, false))
        return MPR_ERR_PROC_FAILED;
    struct mpr_request *req = mpr__request_alloc(MPR__REQ_RECV);
    if (!req)
        return MPR_ERR_NO_MEM;
    req->declines_longer = true;
    recv_begin(req, buf, len, world_source, tag, comm, ctx);
    *out = req;
    return MPR_SUCCESS;
}

static int request_done(void *arg)
{
    return ((struct mpr_request *)arg)->done ? MPR_SUCCESS : MPR__PENDING;
}

/* Wait until req is done (its result is in req->error). */
static void wait_done(struct mpr_request *req)
{
    struct mpr__wait w = {
        .poll = request_done, .arg = req, .by_messages = true, .deadline = INFINITY
    };
    mpr__wait(&w);
}

/* Wait for req, report it, free it; returns its result. */
int mpr__wait_request(struct mpr_request *req, mpr_status *status)
{
    wait_done(req);
    int rc = req->error;
    status_out(req, status);
    mpr__request_free(req);
    return rc;
}

/* Blocking calls keep their request on the stack: no allocation. */
static int wait_local(struct mpr_request *req, mpr_status *status)
{
    wait_done(req);
    status_out(req, status);
    return req->error;
}

int mpr_send(const void *buf, size_t len, int dest, int tag, mpr_comm comm)
{
    int rc = check_peer_args(buf, len, dest, false, tag, false, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (dest == MPR_PROC_NULL)
        return MPR_SUCCESS;
    struct mpr_request req;
    mpr__request_zero(&req);
    if ((rc = send_begin(&req, buf, len, dest, tag, comm, comm->ctx_p2p)) != MPR_SUCCESS)
        return rc;
    return wait_local(&req, NULL);
}

int mpr_recv(void *buf, size_t len, int source, int tag, mpr_comm comm, mpr_status *status)
{
    int rc = check_peer_args(buf, len, source, true, tag, true, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    int world_source = source >= 0 ? mpr__world_rank(comm, source) : source;
    if (source == MPR_PROC_NULL || mpr__recv_cannot_match(world_source, comm->ctx_p2p, comm)) {
        struct mpr_request *req;
        if ((rc = mpr__recv_start(buf, len, source, tag, comm, comm->ctx_p2p, &req)) != MPR_SUCCESS)
            return rc;
        return mpr__wait_request(req, status);
    }
    struct mpr_request req;
    mpr__request_zero(&req);
    recv_begin(&req, buf, len, world_source, tag, comm, comm->ctx_p2p);
    return wait_local(&req, status);
}

int mpr_isend(const void *buf, size_t len, int dest, int tag, mpr_comm comm, mpr_request *req)
{
    int rc = check_peer_args(buf, len, dest, false, tag, false, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!req)
        return MPR_ERR_ARG;
    return mpr__send_start(buf, len, dest, tag, comm, comm->ctx_p2p, req);
}

int mpr_irecv(void *buf, size_t len, int source, int tag, mpr_comm comm, mpr_request *req)
{
    int rc = check_peer_args(buf, len, source, true, tag, true, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!req)
        return MPR_ERR_ARG;
    return mpr__recv_start(buf, len, source, tag, comm, comm->ctx_p2p, req);
}

int mpr_wait(mpr_request *req, mpr_status *status)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!req)
        return MPR_ERR_ARG;
    if (*req == MPR_REQUEST_NULL) {
        status_empty(status);
        return MPR_SUCCESS;
    }
    rc = mpr__wait_request(*req, status);
    *req = MPR_REQUEST_NULL;
    return rc;
}

int mpr_waitall(int count, mpr_request reqs[], mpr_status statuses[])
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (count < 0 || (count > 0 && !reqs))
        return MPR_ERR_ARG;
    int first_error = MPR_SUCCESS;
    for (int i = 0; i < count; i++) {
        mpr_status *st = statuses ? &statuses[i] : NULL;
        int one = mpr_wait(&reqs[i], st);
        if (st)
            st->error = one;
        if (one != MPR_SUCCESS && first_error == MPR_SUCCESS)
            first_error = one;
    }
    if (first_error != MPR_SUCCESS && statuses)
        return MPR_ERR_IN_STATUS;
    return first_error;
}

struct any_of {
    int count;
    mpr_request *reqs;
    int done; /* index of a completed request */
};

static int any_done(void *arg)
{
    struct any_of *a = arg;
    for (int i = 0; i < a->count; i++) {
        if (a->reqs[i] != MPR_REQUEST_NULL && a->reqs[i]->done) {
            a->done = i;
            return MPR_SUCCESS;
        }
    }
    return MPR__PENDING;
}

int mpr_waitany(int count, mpr_request reqs[], int *index, mpr_status *status)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (count < 0 || (count > 0 && !reqs) || !index)
        return MPR_ERR_ARG;
    bool any = false;
    for (int i = 0; i < count && !any; i++)
        any = reqs[i] != MPR_REQUEST_NULL;
    if (!any) {
        *index = MPR_UNDEFINED;
        status_empty(status);
        return MPR_SUCCESS;
    }
    struct any_of a = { .count = count, .reqs = reqs, .done = -1 };
    if (any_done(&a) != MPR_SUCCESS) {
        struct mpr__wait w = {
            .poll = any_done, .arg = &a, .by_messages = true, .deadline = INFINITY
        };
        mpr__wait(&w);
    }
    *index = a.done;
    return mpr_wait(&reqs[a.done], status);
}

int mpr_waitsome(int count, mpr_request reqs[], int *outcount, int indices[],
                 mpr_status statuses[], int results[])
{
    if (!outcount || (count > 0 && (!indices || !results)))
        return MPR_ERR_ARG;
    int index = MPR_UNDEFINED;
    int rc = mpr_waitany(count, reqs, &index, statuses ? &statuses[0] : NULL);
    if (index == MPR_UNDEFINED || index < 0) {
        if (rc == MPR_SUCCESS)
            *outcount = MPR_UNDEFINED;
        return rc;
    }
    int n = 0;
    indices[n] = index;
    results[n++] = rc;
    for (int i = 0; i < count; i++) {
        if (reqs[i] == MPR_REQUEST_NULL || !reqs[i]->done)
            continue;
        indices[n] = i;
        results[n] = mpr_wait(&reqs[i], statuses ? &statuses[n] : NULL);
        n++;
    }
    *outcount = n;
    return MPR_SUCCESS;
}

int mpr_test(mpr_request *req, int *flag, mpr_status *status)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!req || !flag)
        return MPR_ERR_ARG;
    if (*req == MPR_REQUEST_NULL) {
        status_empty(status);
        *flag = 1;
        return MPR_SUCCESS;
    }
    if (!(*req)->done)
        mpr__progress();
    if (!(*req)->done && mpr__liveness_due())
        mpr__liveness_check(); /* a loop of tests notices deaths too */
    if (!(*req)->done) {
        *flag = 0;
        return MPR_SUCCESS;
    }
    *flag = 1;
    return mpr_wait(req, status);
}

struct probe_arg {
    struct mpr__match_item pattern;
    const struct mpr_comm *comm;
    struct mpr__msg *found;
};

static bool probe_found(void *arg)
{
    struct probe_arg *p = arg;
    struct mpr__match_item *m = mpr__match_find_unexpected(&mpr__g.unexpected, &p->pattern, false);
    p->found = m ? mpr__container_of(m, struct mpr__msg, match) : NULL;
    if (!p->found && mpr__recv_cannot_match(p->pattern.source, p->pattern.ctx, p->comm))
        return true; /* it can never come */
    return p->found != NULL;
}

static int probe_poll(void *arg)
{
    return probe_found(arg) ? MPR_SUCCESS : MPR__PENDING;
}

static void probe_status(const struct mpr__msg *msg, mpr_comm comm, mpr_status *status)
{
    if (status) {
        status->source = mpr__comm_rank(comm, msg->match.source);
        status->tag = msg->match.tag;
        status->count = msg->len;
        status->error = MPR_SUCCESS;
    }
}

int mpr_iprobe(int source, int tag, mpr_comm comm, int *flag, mpr_status *status)
{
    int rc = check_peer_args(NULL, 0, source, true, tag, true, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!flag)
        return MPR_ERR_ARG;
    if (source == MPR_PROC_NULL) {
        *flag = 1;
        status_empty(status);
        if (status)
            status->source = MPR_PROC_NULL;
        return MPR_SUCCESS;
    }
    mpr__progress();
    struct probe_arg p = { .pattern = { .source = source >= 0 ? mpr__world_rank(comm, source) : source,
                                        .tag = tag, .ctx = comm->ctx_p2p },
                           .comm = comm };
    bool settled = probe_found(&p);
    if (!settled && mpr__liveness_due()) { /* a loop of iprobes notices deaths too */
        mpr__g.probing = &p.pattern;
        mpr__g.probing_comm = comm;
        mpr__liveness_check();
        mpr__g.probing = NULL;
        settled = probe_found(&p);
    }
    if (settled && !p.found)
        return MPR_ERR_PROC_FAILED;
    *flag = p.found != NULL;
    if (p.found)
        probe_status(p.found, comm, status);
    return MPR_SUCCESS;
}

int mpr_probe(int source, int tag, mpr_comm comm, mpr_status *status)
{
    int rc = check_peer_args(NULL, 0, source, true, tag, true, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (source == MPR_PROC_NULL) {
        status_empty(status);
        if (status)
            status->source = MPR_PROC_NULL;
        return MPR_SUCCESS;
    }
    struct probe_arg p = { .pattern = { .source = source >= 0 ? mpr__world_rank(comm, source) : source,
                                        .tag = tag, .ctx = comm->ctx_p2p },
                           .comm = comm };
    mpr__g.probing = &p.pattern; /* its sources are watched like a posted receive's */
    mpr__g.probing_comm = comm;
    struct mpr__wait w = {
        .poll = probe_poll, .arg = &p, .by_messages = true, .deadline = INFINITY
    };
    mpr__wait(&w);
    mpr__g.probing = NULL;
    if (!p.found)
        return MPR_ERR_PROC_FAILED;
    probe_status(p.found, comm, status);
    return MPR_SUCCESS;
}

int mpr_sendrecv(const void *sendbuf, size_t sendlen, int dest, int sendtag,
                 void *recvbuf, size_t recvlen, int source, int recvtag,
                 mpr_comm comm, mpr_status *status)
{
    int rc = check_peer_args(sendbuf, sendlen, dest, false, sendtag, false, comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = check_peer_args(recvbuf, recvlen, source, true, recvtag, true, comm)) != MPR_SUCCESS)
        return rc;
    struct mpr_request *rreq, *sreq;
    if ((rc = mpr__recv_start(recvbuf, recvlen, source, recvtag, comm, comm->ctx_p2p, &rreq)) !=
        MPR_SUCCESS)
        return rc;
    rc = mpr__send_start(sendbuf, sendlen, dest, sendtag, comm, comm->ctx_p2p, &sreq);
    if (rc != MPR_SUCCESS && !rreq->done && rreq->match.link.next) {
        mpr__queue_remove(&mpr__g.posted, &rreq->match.link); /* withdraw the receive */
        mpr__request_free(rreq);
        return rc;
    }
    int send_rc = rc == MPR_SUCCESS ? mpr__wait_request(sreq, NULL) : rc;
    int recv_rc = mpr__wait_request(rreq, status);
    return send_rc != MPR_SUCCESS ? send_rc : recv_rc;
}
