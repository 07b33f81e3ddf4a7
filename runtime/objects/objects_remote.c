/*
 * objects_remote.c - a rank's side of objects whose home is on another
 * host: one connection per home rank's service, shared by the objects it
 * serves to us, carrying one request at a time (objects_wire.h).
 *
 * While it waits for an answer, the rank keeps its own messages moving:
 * it polls the socket a little (as the local waits spin), then sleeps in
 * poll() in slices of 1 ms growing to 20 ms, calling mpr__progress between
 * them. A blocking call waits for its answer however long the home takes
 * to honour the timeout (the home never waits past it), so the answer,
 * and with it the item put or got, is never lost; only when the home is
 * silent REPLY_GRACE_S past the deadline, or the connection breaks, or the
 * home rank is known dead, does the call fail with MPR_ERR_PROC_FAILED and
 * the connection close (a late answer can then not be mistaken for
 * another's).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "objects/objects.h"
#include "core/cpu_relax.h"
#include "core/net.h"

#define CONNECT_TIMEOUT_S 10.0
#define REPLY_GRACE_S 10.0
#define SLICE_MAX_MS 20

struct mpr__obj_link {
    struct mpr__obj_link *next;
    int home; /* world rank */
    char endpoint[MPR__ENDPOINT_MAX];
    int fd;
    int refs; /* objects using it */
    uint64_t seq;
    bool broken;
};

static struct mpr__obj_link *links;

static void link_break(struct mpr__obj_link *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->broken = true;
}

/* Wait for fd to have `events` a while, moving this rank's messages.
 * *spins counts down the busy polls before sleeping; *slice_ms grows. */
static void wait_a_while(struct mpr__obj_link *l, short events, unsigned *spins, int *slice_ms)
{
    if (*spins > 0) {
        (*spins)--;
        mpr__cpu_relax();
        mpr__progress();
        return;
    }
    struct pollfd p = { .fd = l->fd, .events = events };
    if (poll(&p, 1, *slice_ms) > 0)
        *slice_ms = 1;
    else
        *slice_ms = *slice_ms * 2 > SLICE_MAX_MS ? SLICE_MAX_MS : *slice_ms * 2;
    if (mpr__progress() > 0)
        *slice_ms = 1;
}

static bool home_gone(const struct mpr__obj_link *l, double give_up_at)
{
    return mpr__g.peers[l->home].dead || mpr_wtime() >= give_up_at;
}

static bool send_all(struct mpr__obj_link *l, const void *buf, size_t len, double give_up_at)
{
    const unsigned char *p = buf;
    unsigned spins = 0;
    int slice_ms = 1;
    while (len > 0) {
        ssize_t n = send(l->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (home_gone(l, give_up_at))
            return false;
        wait_a_while(l, POLLOUT, &spins, &slice_ms);
    }
    return true;
}

static bool recv_all(struct mpr__obj_link *l, void *buf, size_t len, double give_up_at)
{
    unsigned char *p = buf;
    unsigned spins = mpr__g.spin_polls / 100;
    int slice_ms = 1;
    while (len > 0) {
        ssize_t n = recv(l->fd, p, len, MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            return false;
        if (home_gone(l, give_up_at))
            return false;
        wait_a_while(l, POLLIN, &spins, &slice_ms);
    }
    return true;
}

static int64_t timeout_ns(double timeout)
{
    if (timeout < 0 || isinf(timeout))
        return -1;
    if (timeout == 0)
        return 0;
    double ns = timeout * 1e9;
    return ns < 1 ? 1 : ns > 4e18 ? (int64_t)4e18 : (int64_t)ns;
}

/* One request and its answer; its payload is item, then tail (tail_len of
 * req->length bytes). */
static int call_parts(struct mpr__obj_link *l, struct mpr__objw_req *req, const void *item,
                      const void *tail, size_t tail_len, double timeout, void *buf,
                      struct mpr__objw_rep *rep)
{
    if (l->broken)
        return MPR_ERR_PROC_FAILED;
    req->seq = ++l->seq;
    /* A condition's wait takes the lock again after its timeout, however
     * long that takes: only the home's death ends it. */
    bool unbounded = req->timeout_ns < 0 || req->op == MPR__OBJW_COND_WAIT;
    double give_up_at = unbounded ? INFINITY : mpr_wtime() + timeout + REPLY_GRACE_S;
    unsigned char head[MPR__OBJW_REQ_BYTES > MPR__OBJW_REP_BYTES ? MPR__OBJW_REQ_BYTES
                                                                 : MPR__OBJW_REP_BYTES];
    mpr__objw_req_encode(req, head);
    char why[128] = "the connection broke";
    bool ok = send_all(l, head, MPR__OBJW_REQ_BYTES, give_up_at) &&
              (req->length == tail_len || send_all(l, item, req->length - tail_len, give_up_at)) &&
              (tail_len == 0 || send_all(l, tail, tail_len, give_up_at)) &&
              recv_all(l, head, MPR__OBJW_REP_BYTES, give_up_at);
    if (ok) {
        mpr__objw_rep_decode(head, rep);
        ok = mpr__objw_rep_check(rep, req, why, sizeof(why)) &&
             (rep->length == 0 || recv_all(l, buf, rep->length, give_up_at));
    }
    if (!ok) {
        mpr__log("the object service of rank %d cannot be used: %s", l->home,
                 mpr_wtime() >= give_up_at ? "it does not answer" : why);
        mpr__failure_note(l->home);
        link_break(l);
        return MPR_ERR_PROC_FAILED;
    }
    return rep->rc;
}

static int call(struct mpr__obj_link *l, struct mpr__objw_req *req, const void *item,
                double timeout, void *buf, struct mpr__objw_rep *rep)
{
    return call_parts(l, req, item, NULL, 0, timeout, buf, rep);
}

int mpr__obj_remote_call(struct mpr__obj *obj, enum mpr__objw_op op, double timeout,
                         const void *item, size_t len, void *buf, size_t buflen, int64_t *value)
{
    struct mpr__objw_req req = {
        .op = (uint8_t)op,
        .object = obj->remote_id,
        .timeout_ns = timeout_ns(timeout),
        .rank = (uint32_t)obj->comm->rank,
        .length = (uint32_t)len, /* at most max_item: checked by the caller */
        .arg = op == MPR__OBJW_QUEUE_GET ? (buflen < obj->max_item ? buflen : obj->max_item) : 0,
    };
    struct mpr__objw_rep rep;
    int rc = call(obj->remote, &req, item, timeout, buf, &rep);
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && value)
        *value = rep.value;
    return rc;
}

int mpr__obj_remote_call_arg(struct mpr__obj *obj, enum mpr__objw_op op, double timeout,
                             uint64_t arg, int64_t *value, uint64_t *extra)
{
    struct mpr__objw_req req = {
        .op = (uint8_t)op,
        .object = obj->remote_id,
        .timeout_ns = timeout_ns(timeout),
        .rank = (uint32_t)obj->comm->rank,
        .arg = arg,
    };
    struct mpr__objw_rep rep;
    int rc = call(obj->remote, &req, NULL, timeout, NULL, &rep);
    if (rc == MPR_SUCCESS) {
        if (value)
            *value = rep.value;
        if (extra)
            *extra = rep.extra;
    }
    return rc;
}

int mpr__obj_remote_call_data(struct mpr__obj *obj, enum mpr__objw_op op, uint64_t arg,
                              const void *payload, size_t len, void *buf, int64_t *value)
{
    struct mpr__objw_req req = {
        .op = (uint8_t)op,
        .object = obj->remote_id,
        .timeout_ns = 0,
        .rank = (uint32_t)obj->comm->rank,
        .length = (uint32_t)len,
        .arg = arg,
    };
    struct mpr__objw_rep rep;
    int rc = call(obj->remote, &req, payload, 0, buf, &rep);
    if (rc == MPR_SUCCESS && value)
        *value = rep.value;
    return rc;
}

int mpr__obj_remote_call_parts(struct mpr__obj *obj, enum mpr__objw_op op, uint64_t arg,
                               const void *head, size_t head_len, const void *tail,
                               size_t tail_len, void *buf, int64_t *value)
{
    struct mpr__objw_req req = {
        .op = (uint8_t)op,
        .object = obj->remote_id,
        .timeout_ns = 0,
        .rank = (uint32_t)obj->comm->rank,
        .length = (uint32_t)(head_len + tail_len), /* checked by the caller */
        .arg = arg,
    };
    struct mpr__objw_rep rep;
    int rc = call_parts(obj->remote, &req, head, tail, tail_len, 0, buf, &rep);
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && value)
        *value = rep.value;
    return rc;
}

/* ---- connections ---------------------------------------------------------- */

static int link_connect(struct mpr__obj_link *l)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    uint8_t secret[MPR__SECRET_BYTES];
    if (!mpr__endpoint_parse(l->endpoint, &addr, &addr_len, secret)) {
        mpr__log("bad object service endpoint from rank %d", l->home);
        return MPR_ERR_INTERNAL;
    }
    l->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        goto fail;
    if (connect(l->fd, (struct sockaddr *)&addr, addr_len) != 0 && errno != EINPROGRESS)
        goto fail;
    double give_up_at = mpr_wtime() + CONNECT_TIMEOUT_S;
    unsigned spins = 0;
    int slice_ms = 1;
    for (;;) {
        struct pollfd p = { .fd = l->fd, .events = POLLOUT };
        if (poll(&p, 1, 0) > 0)
            break;
        if (home_gone(l, give_up_at)) {
            errno = ETIMEDOUT;
            goto fail;
        }
        wait_a_while(l, POLLOUT, &spins, &slice_ms);
    }
    int err = 0;
    socklen_t err_len = sizeof(err);
    if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
        errno = err ? err : errno;
        goto fail;
    }
    int one = 1;
    setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct mpr__objw_hello h = { .magic = MPR__OBJW_MAGIC, .version = MPR__OBJW_VERSION,
                                 .client = (uint32_t)mpr__g.rank };
    memcpy(h.secret, secret, sizeof(h.secret));
    unsigned char b[MPR__OBJW_HELLO_BYTES];
    mpr__objw_hello_encode(&h, b);
    if (!send_all(l, b, sizeof(b), give_up_at))
        goto fail;
    return MPR_SUCCESS;
fail:
    mpr__log("cannot connect to the object service of rank %d (%s): %s", l->home, l->endpoint,
             strerror(errno));
    mpr__failure_note(l->home);
    link_break(l);
    return MPR_ERR_PROC_FAILED;
}

static void link_unlist(struct mpr__obj_link *l)
{
    for (struct mpr__obj_link **pp = &links; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    link_break(l);
    free(l);
}

int mpr__obj_remote_attach(struct mpr__obj *obj, int home_world, const char *endpoint,
                           uint32_t id, enum mpr__obj_kind kind)
{
    struct mpr__obj_link *l = links;
    while (l && (l->home != home_world || l->broken || strcmp(l->endpoint, endpoint) != 0))
        l = l->next;
    if (!l) {
        l = calloc(1, sizeof(*l));
        if (!l)
            return MPR_ERR_NO_MEM;
        l->home = home_world;
        snprintf(l->endpoint, sizeof(l->endpoint), "%s", endpoint);
        l->next = links;
        links = l;
        int rc = link_connect(l);
        if (rc != MPR_SUCCESS) {
            link_unlist(l);
            return rc;
        }
    }
    l->refs++;
    obj->remote = l;
    obj->remote_id = id;
    struct mpr__objw_req req = { .op = MPR__OBJW_ATTACH, .object = id, .timeout_ns = 0,
                                 .rank = (uint32_t)obj->comm->rank, .arg = kind };
    struct mpr__objw_rep rep;
    int rc = call(l, &req, NULL, 0, NULL, &rep);
    if (rc != MPR_SUCCESS) {
        if (rc == MPR_ERR_SHM)
            mpr__log("the object rank 0 created is of another kind (were the objects created in "
                     "the same order on every rank?)");
        mpr__obj_remote_detach(obj);
        return rc;
    }
    obj->max_item = (uint64_t)rep.value;
    obj->capacity = rep.extra;
    return MPR_SUCCESS;
}

void mpr__obj_remote_detach(struct mpr__obj *obj)
{
    struct mpr__obj_link *l = obj->remote;
    obj->remote = NULL;
    if (l && --l->refs == 0)
        link_unlist(l);
}

void mpr__obj_remote_close_all(void)
{
    while (links)
        link_unlist(links);
}
