/*
 * tcp.c - the TCP transport: ranks on other hosts (or every other rank with
 * MPR_TRANSPORT=tcp). Non-blocking sockets on one epoll set, driven by the
 * progress engine; no threads. One connection per pair of ranks that talk,
 * opened at the first send (tcp_conn.c tells how, and how a connection
 * proves it belongs to the job).
 *
 * Protocols (frames in tcp_wire.h):
 * - eager, up to MPR_TCP_EAGER_LIMIT (64 KiB by default): EAGER header and
 *   payload in one sendmsg straight from the user's buffer. The receiver
 *   reads the payload into the posted buffer if a receive matches, else
 *   into an unexpected message of exactly that size (never more than
 *   TCP_EAGER_MAX, whatever the peer claims).
 * - rendezvous, larger: RTS {size, id}. The receiver matches it like any
 *   message; an unmatched RTS is only an entry in the unexpected queue, so
 *   a large unexpected message never holds up the frames behind it. When a
 *   receive takes it, the receiver answers CTS {id, bytes wanted}, the
 *   sender writes DATA with sendmsg from the user's buffer and the receiver
 *   reads it with recvmsg straight into the posted buffer (only the bytes
 *   that fit are asked for, so truncation moves nothing extra).
 * Frames to a peer are written in the order of the sends, which keeps
 * MPI's non-overtaking order; what the socket does not take waits in the
 * peer's queue and goes out on EPOLLOUT, so a write never blocks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/env.h"
#include "transport/tcp/tcp.h"

#define TCP_IOV_MAX 64        /* iovecs per sendmsg */
/* Bytes asked of one sendmsg or recvmsg: about what a socket buffer holds,
 * so a retry on a full socket does not copy a long iovec array for nothing
 * (and far below the ~2 GiB the kernel takes per call). */
#define TCP_WRITE_MAX ((size_t)4 << 20)
#define TCP_READS_PER_EVENT 16 /* then other connections get their turn */
#define TCP_EVENTS_MAX 32
#define TCP_EPOLL_EVERY 16     /* polls of direct connections per epoll_wait */

struct tcp_state mpr__tcp = { .epfd = -1, .listen_fd = -1 };

static uint64_t cookie_of(const struct mpr_request *req)
{
    return (uint64_t)(uintptr_t)req;
}

static struct tcp_out *out_get(void)
{
    struct tcp_out *o = mpr__tcp.free_outs;
    if (o)
        mpr__tcp.free_outs = o->next_free;
    else if (!(o = malloc(sizeof(*o))))
        return NULL;
    o->payload = NULL;
    o->payload_len = 0;
    o->written = 0;
    o->req = NULL;
    return o;
}

static void out_put(struct tcp_out *o)
{
    o->next_free = mpr__tcp.free_outs;
    mpr__tcp.free_outs = o;
}

static void frame_header(unsigned char *hdr, uint8_t type, int tag, uint32_t ctx,
                         uint64_t length, uint64_t cookie)
{
    struct tcp_frame f = { .type = type, .src = (uint32_t)mpr__g.rank, .tag = tag, .ctx = ctx,
                           .length = length, .cookie = cookie };
    mpr__tcp_frame_encode(&f, hdr);
}

static bool conn_open(const struct tcp_conn *c)
{
    return c && c->state == TCP_CONN_OPEN;
}

/* The connection failed, or ended after the peer's goodbye. */
static void conn_broke(struct tcp_conn *c, int err)
{
    if (c->bye_received)
        mpr__tcp_peer_down(c->peer, NULL);
    else
        mpr__tcp_peer_down(c->peer, "lost the connection to rank %d (%s): %s", c->peer, c->addr,
                           err ? strerror(err) : "closed by the peer");
}

/* ---- output ----------------------------------------------------------- */

/* Drop `sent` written bytes off the head of the queue, completing sends. */
static void consume_written(struct tcp_peer *p, size_t sent)
{
    while (!mpr__queue_empty(&p->outq)) {
        struct tcp_out *o = mpr__container_of(p->outq.head.next, struct tcp_out, link);
        size_t left = TCP_FRAME_BYTES + o->payload_len - o->written;
        if (sent < left) {
            o->written += sent;
            return;
        }
        sent -= left;
        mpr__queue_remove(&p->outq, &o->link);
        if (o->req)
            mpr__request_complete(o->req, MPR_SUCCESS);
        out_put(o);
    }
}

bool mpr__tcp_conn_flush(struct tcp_conn *c)
{
    struct tcp_peer *p = &mpr__tcp.peers[c->peer];
    bool wrote = c->ctl_off < c->ctl_len;
    int ctl = mpr__tcp_write_ctl(c);
    if (ctl < 0) {
        conn_broke(c, errno);
        return true;
    }
    while (ctl > 0 && !mpr__queue_empty(&p->outq)) {
        struct iovec iov[TCP_IOV_MAX];
        int n = 0;
        size_t asked = 0;
        for (struct mpr__qlink *l = p->outq.head.next;
             l != &p->outq.head && n + 2 <= TCP_IOV_MAX && asked < TCP_WRITE_MAX; l = l->next) {
            struct tcp_out *o = mpr__container_of(l, struct tcp_out, link);
            if (o->written < TCP_FRAME_BYTES) {
                iov[n++] = (struct iovec){ o->hdr + o->written, TCP_FRAME_BYTES - o->written };
                asked += iov[n - 1].iov_len;
            }
            size_t done = o->written > TCP_FRAME_BYTES ? o->written - TCP_FRAME_BYTES : 0;
            if (o->payload_len > done) {
                size_t len = o->payload_len - done;
                if (len > TCP_WRITE_MAX - asked)
                    len = TCP_WRITE_MAX - asked;
                iov[n++] = (struct iovec){ (void *)(o->payload + done), len };
                asked += len;
            }
        }
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
        ssize_t sent = sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            conn_broke(c, errno);
            return true;
        }
        wrote = true;
        consume_written(p, (size_t)sent);
        if ((size_t)sent < asked)
            break;
    }
    bool more = ctl == 0 || !mpr__queue_empty(&p->outq);
    if (!more && c->bye_sent && !c->shut_wr) {
        shutdown(c->fd, SHUT_WR);
        c->shut_wr = true;
        if (c->eof) {
            mpr__tcp_peer_down(c->peer, NULL);
            return true;
        }
    }
    mpr__tcp_set_events(c, !c->eof, more);
    return wrote;
}

void mpr__tcp_queue_bye(struct tcp_conn *c)
{
    struct tcp_out *o = out_get();
    if (!o)
        return; /* the peer will see the connection end without a goodbye */
    frame_header(o->hdr, TCP_FRAME_BYE, 0, 0, 0, 0);
    mpr__queue_push(&mpr__tcp.peers[c->peer].outq, &o->link);
    c->bye_sent = true;
}

/* Write one frame now; returns the bytes written (maybe fewer), -1 if the
 * connection broke (errno set). */
static ssize_t write_frame(int fd, const unsigned char *hdr, const void *payload, size_t len)
{
    struct iovec iov[2] = { { (void *)hdr, TCP_FRAME_BYTES }, { (void *)payload, len } };
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
    for (;;) {
        ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

/* Has the peer failed or said goodbye (then it takes nothing more)? */
static bool peer_gone(const struct tcp_peer *p)
{
    return p->down || (p->conn && p->conn->bye_received);
}

static int tcp_send(struct mpr_request *req)
{
    int rank = req->peer;
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (peer_gone(p))
        return MPR_ERR_PROC_FAILED;
    if (!p->conn && !p->await_their_connect && p->retry_at == 0) {
        int rc = mpr__tcp_connect(rank);
        if (rc != MPR_SUCCESS)
            return rc;
    }
    struct tcp_out *o = out_get();
    if (!o)
        return MPR_ERR_NO_MEM;
    bool eager = req->len == 0 || (req->len <= mpr__tcp.eager_limit && mpr__flow_eager_allowed(req));
    frame_header(o->hdr, eager ? TCP_FRAME_EAGER : TCP_FRAME_RTS, req->match.tag, req->match.ctx,
                 req->len, eager ? 0 : cookie_of(req));
    if (eager) {
        o->payload = req->buf;
        o->payload_len = req->len;
        o->req = req;
    }
    struct tcp_conn *c = p->conn;
    if (conn_open(c) && mpr__queue_empty(&p->outq) && c->ctl_off == c->ctl_len) {
        ssize_t n = write_frame(c->fd, o->hdr, o->payload, o->payload_len);
        if (n < 0) {
            int err = errno;
            out_put(o);
            conn_broke(c, err);
            return MPR_ERR_PROC_FAILED;
        }
        o->written = (size_t)n;
    }
    if (!eager)
        mpr__queue_push(&p->rdv_send, &req->tp_link);
    if (o->written == TCP_FRAME_BYTES + o->payload_len) {
        out_put(o);
        if (eager)
            mpr__request_complete(req, MPR_SUCCESS);
        return MPR_SUCCESS;
    }
    mpr__queue_push(&p->outq, &o->link);
    if (conn_open(c))
        mpr__tcp_set_events(c, !c->eof, true);
    return MPR_SUCCESS;
}

/* Queue a CTS for RTS `cookie` that receive req has matched. */
static void ask_for_data(struct tcp_peer *p, struct mpr_request *req, int src, int tag,
                         uint64_t msg_len, uint64_t cookie, struct tcp_out *o,
                         struct tcp_rdv_recv *t)
{
    req->status.source = src;
    req->status.tag = tag;
    req->status.count = msg_len;
    t->req = req;
    t->cookie = cookie;
    t->want = msg_len < req->len ? msg_len : req->len;
    mpr__queue_push(&p->rdv_recv, &t->link);
    frame_header(o->hdr, TCP_FRAME_CTS, 0, 0, t->want, cookie);
    mpr__queue_push(&p->outq, &o->link);
}

static int tcp_pull(struct mpr_request *req, struct mpr__msg *msg)
{
    int rank = msg->match.source;
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (peer_gone(p)) {
        req->status.source = rank;
        req->status.tag = msg->match.tag;
        req->status.count = msg->len;
        mpr__request_complete(req, MPR_ERR_PROC_FAILED);
        return MPR_SUCCESS;
    }
    struct tcp_out *o = out_get();
    struct tcp_rdv_recv *t = malloc(sizeof(*t));
    if (!o || !t) {
        if (o)
            out_put(o);
        free(t);
        mpr__request_complete(req, MPR_ERR_NO_MEM);
        return MPR_ERR_NO_MEM;
    }
    ask_for_data(p, req, rank, msg->match.tag, msg->len, msg->rdv_id, o, t);
    if (conn_open(p->conn))
        mpr__tcp_conn_flush(p->conn);
    return MPR_SUCCESS;
}

static bool tcp_credit(int rank, size_t bytes)
{
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (peer_gone(p))
        return true; /* nothing more goes to it */
    struct tcp_out *o = out_get();
    if (!o)
        return false;
    frame_header(o->hdr, TCP_FRAME_CREDIT, 0, 0, bytes, 0);
    mpr__queue_push(&p->outq, &o->link);
    if (conn_open(p->conn))
        mpr__tcp_set_events(p->conn, !p->conn->eof, true);
    return true;
}

/* ---- input ------------------------------------------------------------ */

static void stall(struct tcp_conn *c)
{
    if (!c->stalled) {
        c->stalled = true;
        mpr__tcp.stalled++;
    }
}

static void protocol_error(struct tcp_conn *c, const char *why)
{
    mpr__tcp_peer_down(c->peer, "bad frame from rank %d (%s): %s; connection closed",
                       c->peer, c->addr, why);
}

static void payload_end(struct tcp_conn *c)
{
    struct mpr_request *req = c->in_req;
    struct mpr__msg *msg = c->in_msg;
    c->in_payload = false;
    c->in_req = NULL;
    c->in_msg = NULL;
    if (!req) {
        msg->arrived = msg->len;
        msg->complete = true;
        mpr__msg_completed(msg);
        return;
    }
    if (c->in.type == TCP_FRAME_EAGER) {
        req->status.source = c->peer;
        req->status.tag = c->in.tag;
        req->status.count = c->in.length;
    } /* DATA: the status was set when the CTS was queued */
    mpr__request_complete(req, req->status.count > req->len ? MPR_ERR_TRUNCATE : MPR_SUCCESS);
}

/* The payload of frame f goes to receive req or unexpected message msg. */
static void payload_begin(struct tcp_conn *c, const struct tcp_frame *f,
                          struct mpr_request *req, struct mpr__msg *msg)
{
    c->in = *f;
    c->in_payload = true;
    c->in_left = f->length;
    c->in_req = req;
    c->in_msg = msg;
    if (req) {
        c->in_dest = req->buf;
        c->in_room = req->len < f->length ? req->len : (size_t)f->length;
    } else {
        c->in_dest = msg->data;
        c->in_room = (size_t)f->length;
    }
    if (c->in_left == 0)
        payload_end(c);
}

/* n payload bytes (n <= in_left): copied from src, or already at in_dest
 * when src is NULL (read there directly). Bytes beyond the room are dropped. */
static void payload_add(struct tcp_conn *c, const unsigned char *src, size_t n)
{
    size_t fit = n < c->in_room ? n : c->in_room;
    if (src && fit)
        memcpy(c->in_dest, src, fit);
    c->in_dest += fit;
    c->in_room -= fit;
    c->in_left -= n;
    if (c->in_left == 0)
        payload_end(c);
}

static bool on_eager(struct tcp_conn *c, const struct tcp_frame *f, size_t avail)
{
    int src = c->peer;
    if (avail - TCP_FRAME_BYTES >= f->length) {
        const unsigned char *data = c->rbuf + c->rstart + TCP_FRAME_BYTES;
        if (mpr__deliver_eager(src, f->tag, f->ctx, data, (size_t)f->length) != MPR_SUCCESS) {
            stall(c);
            return false;
        }
        c->rstart += (size_t)f->length;
        return true;
    }
    struct mpr_request *req;
    struct mpr__msg *msg;
    mpr__deliver_start(src, f->tag, f->ctx, (size_t)f->length, false, 0, 0, &req, &msg);
    if (!req && !msg) {
        stall(c);
        return false;
    }
    payload_begin(c, f, req, msg);
    return true;
}

static bool on_rts(struct tcp_conn *c, const struct tcp_frame *f)
{
    struct tcp_out *o = out_get();
    struct tcp_rdv_recv *t = malloc(sizeof(*t));
    struct mpr_request *req = NULL;
    struct mpr__msg *msg = NULL;
    if (o && t)
        mpr__deliver_start(c->peer, f->tag, f->ctx, (size_t)f->length, true, 0, f->cookie, &req, &msg);
    if (!req) {
        if (o)
            out_put(o);
        free(t);
        if (!msg)
            stall(c);
        return msg != NULL;
    }
    ask_for_data(&mpr__tcp.peers[c->peer], req, c->peer, f->tag, f->length, f->cookie, o, t);
    return true;
}

static bool on_cts(struct tcp_conn *c, const struct tcp_frame *f)
{
    struct tcp_peer *p = &mpr__tcp.peers[c->peer];
    struct mpr_request *req = NULL;
    for (struct mpr__qlink *l = p->rdv_send.head.next; l != &p->rdv_send.head; l = l->next) {
        struct mpr_request *r = mpr__container_of(l, struct mpr_request, tp_link);
        if (cookie_of(r) == f->cookie) {
            req = r;
            break;
        }
    }
    char why[128];
    if (!req) {
        protocol_error(c, "CTS for a transfer that is not waiting for one");
        return false;
    }
    if (f->length > req->len) {
        snprintf(why, sizeof(why), "CTS asks for %llu bytes of a %zu-byte message",
                 (unsigned long long)f->length, req->len);
        protocol_error(c, why);
        return false;
    }
    struct tcp_out *o = out_get();
    if (!o) {
        stall(c);
        return false;
    }
    mpr__queue_remove(&p->rdv_send, &req->tp_link);
    frame_header(o->hdr, TCP_FRAME_DATA, 0, 0, f->length, f->cookie);
    o->payload = req->buf;
    o->payload_len = (size_t)f->length;
    o->req = req;
    mpr__queue_push(&p->outq, &o->link);
    return true;
}

static bool on_data(struct tcp_conn *c, const struct tcp_frame *f)
{
    struct tcp_peer *p = &mpr__tcp.peers[c->peer];
    struct tcp_rdv_recv *t = NULL;
    for (struct mpr__qlink *l = p->rdv_recv.head.next; l != &p->rdv_recv.head; l = l->next) {
        struct tcp_rdv_recv *x = mpr__container_of(l, struct tcp_rdv_recv, link);
        if (x->cookie == f->cookie) {
            t = x;
            break;
        }
    }
    char why[128];
    if (!t) {
        protocol_error(c, "DATA for a transfer this rank did not ask for");
        return false;
    }
    if (f->length != t->want) {
        snprintf(why, sizeof(why), "DATA of %llu bytes where %llu were asked for",
                 (unsigned long long)f->length, (unsigned long long)t->want);
        protocol_error(c, why);
        return false;
    }
    struct mpr_request *req = t->req;
    mpr__queue_remove(&p->rdv_recv, &t->link);
    free(t);
    payload_begin(c, f, req, NULL);
    return true;
}

/* The peer has finished its finalize: it sends and takes nothing more
 * (liveness.c: gone after finalizing, no failure for wildcards). */
static void on_bye(struct tcp_conn *c)
{
    int src = c->peer;
    c->bye_received = true;
    if (!c->bye_sent)
        mpr__tcp_queue_bye(c);
    mpr__peer_finalizing(src);
    mpr__peer_failed(src);
}

/* Handle every whole frame in rbuf (and the payload bytes there). Returns
 * false when the connection closed or must wait for memory. */
static bool parse_buffered(struct tcp_conn *c)
{
    struct tcp_frame_rules rules = { .phase = TCP_PHASE_OPEN, .nranks = (uint32_t)mpr__g.size,
                                     .self = (uint32_t)mpr__g.rank, .peer = (uint32_t)c->peer,
                                     .eager_max = TCP_EAGER_MAX };
    for (;;) {
        size_t avail = c->rend - c->rstart;
        if (c->in_payload) {
            if (avail == 0)
                return true;
            size_t n = avail < c->in_left ? avail : (size_t)c->in_left;
            c->rstart += n;
            payload_add(c, c->rbuf + c->rstart - n, n);
            continue;
        }
        if (avail < TCP_FRAME_BYTES)
            return true;
        struct tcp_frame f;
        char why[160];
        mpr__tcp_frame_decode(c->rbuf + c->rstart, &f);
        if (!mpr__tcp_frame_check(&f, &rules, why, sizeof(why))) {
            protocol_error(c, why);
            return false;
        }
        if (c->bye_received) {
            protocol_error(c, "a frame after BYE");
            return false;
        }
        bool ok = true;
        switch (f.type) {
        case TCP_FRAME_EAGER:
            ok = on_eager(c, &f, avail);
            break;
        case TCP_FRAME_RTS:
            ok = on_rts(c, &f);
            break;
        case TCP_FRAME_CTS:
            ok = on_cts(c, &f);
            break;
        case TCP_FRAME_DATA:
            ok = on_data(c, &f);
            break;
        case TCP_FRAME_BYE:
            on_bye(c);
            break;
        case TCP_FRAME_CREDIT:
            mpr__flow_credit_arrived(c->peer, f.length);
            break;
        }
        if (!ok)
            return false;
        c->rstart += TCP_FRAME_BYTES;
    }
}

static void conn_eof(struct tcp_conn *c)
{
    if (!c->bye_received) {
        conn_broke(c, 0);
        return;
    }
    c->eof = true;
    if (c->shut_wr)
        mpr__tcp_peer_down(c->peer, NULL);
    else
        mpr__tcp_conn_flush(c);
}

bool mpr__tcp_conn_read(struct tcp_conn *c)
{
    bool got_any = false;
    if (c->stalled) {
        c->stalled = false;
        mpr__tcp.stalled--;
    }
    for (int reads = 0;; reads++) {
        if (!parse_buffered(c))
            return true;
        if (reads == TCP_READS_PER_EVENT || c->eof)
            break;
        /* Left in rbuf now: nothing, or part of a header. */
        memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
        c->rend -= c->rstart;
        c->rstart = 0;
        struct iovec iov[2];
        int n = 0;
        size_t direct = 0;
        if (c->in_payload && c->in_room > 0) {
            direct = c->in_left < c->in_room ? (size_t)c->in_left : c->in_room;
            if (direct > TCP_WRITE_MAX)
                direct = TCP_WRITE_MAX;
            iov[n++] = (struct iovec){ c->in_dest, direct };
        }
        iov[n++] = (struct iovec){ c->rbuf + c->rend, TCP_RBUF_BYTES - c->rend };
        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
        ssize_t got = recvmsg(c->fd, &m, MSG_DONTWAIT);
        if (got == 0) {
            conn_eof(c);
            return true;
        }
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            conn_broke(c, errno);
            return true;
        }
        got_any = true;
        size_t landed = (size_t)got < direct ? (size_t)got : direct;
        bool drained = (size_t)got < direct + iov[n - 1].iov_len;
        c->rend += (size_t)got - landed;
        if (landed)
            payload_add(c, NULL, landed);
        if (drained) { /* a short read emptied the socket: spare the EAGAIN */
            if (!parse_buffered(c))
                return true;
            break;
        }
    }
    if (!mpr__queue_empty(&mpr__tcp.peers[c->peer].outq))
        mpr__tcp_conn_flush(c);
    return got_any;
}

/* ---- direct polling ----------------------------------------------------
 * While the rank is awake, up to TCP_DIRECT_MAX open connections stay out
 * of the epoll set and are polled with recvmsg. A socket in an epoll set
 * makes each packet that reaches it run epoll's wake-up callback on the
 * sending side, and an epoll_wait before each read is one more system call:
 * together about 1 us of a 5 us one-way trip on loopback. They join the set
 * only while the rank sleeps. With more open connections, one read attempt
 * each per poll would cost more than epoll: all go back to it for good. */

static void epoll_add(struct tcp_conn *c)
{
    struct epoll_event ev = { .events = (c->epollin ? EPOLLIN : 0) | (c->epollout ? EPOLLOUT : 0),
                              .data.ptr = c };
    epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void direct_polling_off(void)
{
    mpr__tcp.direct_off = true;
    for (int i = 0; i < mpr__tcp.ndirect; i++) {
        struct tcp_conn *c = mpr__tcp.direct[i];
        if (!mpr__tcp.armed)
            epoll_add(c);
        c->direct = false;
    }
    mpr__tcp.ndirect = 0;
}

static void poll_directly(struct tcp_conn *c)
{
    if (mpr__tcp.direct_off)
        return;
    if (mpr__tcp.ndirect == TCP_DIRECT_MAX) {
        direct_polling_off();
        return;
    }
    if (!mpr__tcp.armed)
        epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    c->direct = true;
    mpr__tcp.direct[mpr__tcp.ndirect++] = c;
}

void mpr__tcp_conn_forget_direct(struct tcp_conn *c)
{
    for (int i = 0; i < mpr__tcp.ndirect; i++) {
        if (mpr__tcp.direct[i] == c) {
            mpr__tcp.direct[i] = mpr__tcp.direct[--mpr__tcp.ndirect];
            break;
        }
    }
    c->direct = false;
}

/* Put the direct connections in the epoll set to sleep, or take them out. */
static void arm_direct(bool on)
{
    if (mpr__tcp.armed == on)
        return;
    for (int i = 0; i < mpr__tcp.ndirect; i++) {
        if (on)
            epoll_add(mpr__tcp.direct[i]);
        else
            epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_DEL, mpr__tcp.direct[i]->fd, NULL);
    }
    mpr__tcp.armed = on;
}

static int poll_direct_connections(void)
{
    int events = 0;
    /* downwards: a connection that closes is replaced by the last one */
    for (int i = mpr__tcp.ndirect - 1; i >= 0; i--) {
        struct tcp_conn *c = mpr__tcp.direct[i];
        if (c->epollin && mpr__tcp_conn_read(c))
            events++;
        if (c->state == TCP_CONN_OPEN && c->epollout && mpr__tcp_conn_flush(c))
            events++;
    }
    return events;
}

void mpr__tcp_conn_opened(struct tcp_conn *c)
{
    c->rbuf = malloc(TCP_RBUF_BYTES);
    if (!c->rbuf) {
        mpr__tcp_peer_down(c->peer, "out of memory for the connection to rank %d", c->peer);
        return;
    }
    poll_directly(c);
    mpr__tcp_conn_flush(c);
    mpr__peer_linked(c->peer);
}

void mpr__tcp_fail_requests(struct tcp_peer *p, struct tcp_conn *c)
{
    struct mpr__qlink *l;
    while ((l = mpr__queue_pop(&p->outq)) != NULL) {
        struct tcp_out *o = mpr__container_of(l, struct tcp_out, link);
        if (o->req)
            mpr__request_complete(o->req, MPR_ERR_PROC_FAILED);
        out_put(o);
    }
    while ((l = mpr__queue_pop(&p->rdv_send)) != NULL)
        mpr__request_complete(mpr__container_of(l, struct mpr_request, tp_link), MPR_ERR_PROC_FAILED);
    while ((l = mpr__queue_pop(&p->rdv_recv)) != NULL) {
        struct tcp_rdv_recv *t = mpr__container_of(l, struct tcp_rdv_recv, link);
        mpr__request_complete(t->req, MPR_ERR_PROC_FAILED);
        free(t);
    }
    if (c && c->in_payload) {
        if (c->in_req)
            mpr__request_complete(c->in_req, MPR_ERR_PROC_FAILED);
        else
            mpr__msg_abandoned(c->in_msg);
        c->in_payload = false;
        c->in_req = NULL;
        c->in_msg = NULL;
    }
}

/* ---- progress, sleep, start, end -------------------------------------- */

static int retry_stalled(void)
{
    int events = 0;
    struct mpr__qlink *l = mpr__tcp.conns.head.next;
    while (l != &mpr__tcp.conns.head) {
        struct mpr__qlink *next = l->next;
        struct tcp_conn *c = mpr__container_of(l, struct tcp_conn, link);
        if (c->stalled) {
            mpr__tcp_conn_read(c);
            events++;
        }
        l = next;
    }
    return events;
}

/* One pass: the direct connections, then (every TCP_EPOLL_EVERY passes
 * while they are polled directly, else every time) the epoll set, waiting
 * up to timeout_ms for it. Returns the events handled. */
static int handle_events(int timeout_ms)
{
    static bool running;
    if (running)
        return 0; /* not re-entrant; no caller should try */
    running = true;
    int events = 0;
    if (timeout_ms == 0 && mpr__tcp.ndirect > 0)
        events += poll_direct_connections();
    if (timeout_ms != 0 || mpr__tcp.ndirect == 0 || ++mpr__tcp.polls % TCP_EPOLL_EVERY == 0) {
        if (timeout_ms != 0)
            arm_direct(true);
        struct epoll_event ev[TCP_EVENTS_MAX];
        int n = epoll_wait(mpr__tcp.epfd, ev, TCP_EVENTS_MAX, timeout_ms);
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr)
                mpr__tcp_conn_event(ev[i].data.ptr, ev[i].events);
            else
                mpr__tcp_accept_all();
        }
        arm_direct(false);
        events += n > 0 ? n : 0;
    }
    if (mpr__tcp.stalled)
        events += retry_stalled();
    mpr__tcp_check_hello_deadlines();
    mpr__tcp_retry_connects();
    if (!mpr__queue_empty(&mpr__tcp.closed))
        mpr__tcp_free_closed();
    running = false;
    return events;
}

static int tcp_progress(void)
{
    return handle_events(0);
}

/* epoll hears the sockets only: a word to watch is beyond it. */
static int tcp_sleep(uint32_t token, _Atomic uint32_t *word, uint32_t seen, long timeout_ns)
{
    (void)token, (void)seen;
    if (word)
        return -1;
    int timeout_ms = (int)((timeout_ns + 999999) / 1000000);
    return handle_events(timeout_ms) > 0;
}

static int tcp_init(char *endpoint, size_t cap)
{
    mpr__queue_init(&mpr__tcp.conns);
    mpr__queue_init(&mpr__tcp.closed);
    mpr__tcp.initialized = true;
    /* both in the table's ranges (up to TCP_EAGER_MAX, TCP_WIREUP_TIMEOUT_MAX_S):
     * checked at the start (mpr__env_check_all) */
    long long eager;
    int rc = mpr__env_number("MPR_TCP_EAGER_LIMIT", TCP_EAGER_DEFAULT, &eager);
    if (rc == MPR_SUCCESS)
        rc = mpr__env_seconds("MPR_TCP_WIREUP_TIMEOUT", TCP_WIREUP_TIMEOUT_S,
                              &mpr__tcp.wireup_timeout);
    if (rc != MPR_SUCCESS)
        return rc;
    mpr__tcp.eager_limit = (size_t)eager;
    if (getrandom(mpr__tcp.secret, sizeof(mpr__tcp.secret), 0) != (ssize_t)sizeof(mpr__tcp.secret)) {
        mpr__log("getrandom: %s", strerror(errno));
        return MPR_ERR_INTERNAL;
    }
    mpr__tcp.peers = calloc((size_t)mpr__g.size, sizeof(*mpr__tcp.peers));
    if (!mpr__tcp.peers)
        return MPR_ERR_NO_MEM;
    for (int r = 0; r < mpr__g.size; r++) {
        mpr__queue_init(&mpr__tcp.peers[r].outq);
        mpr__queue_init(&mpr__tcp.peers[r].rdv_send);
        mpr__queue_init(&mpr__tcp.peers[r].rdv_recv);
    }
    mpr__tcp.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (mpr__tcp.epfd < 0) {
        mpr__log("epoll_create1: %s", strerror(errno));
        return MPR_ERR_INTERNAL;
    }
    struct sockaddr_storage addr;
    rc = mpr__net_listen(&mpr__tcp.listen_fd, &addr);
    if (rc != MPR_SUCCESS)
        return rc;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_ADD, mpr__tcp.listen_fd, &ev) != 0) {
        mpr__log("epoll_ctl: %s", strerror(errno));
        return MPR_ERR_INTERNAL;
    }
    if (!mpr__endpoint_format((struct sockaddr *)&addr, mpr__tcp.secret, endpoint, cap))
        return MPR_ERR_INTERNAL;
    /* Ranks that share cores sleep all the time: adding their sockets to
     * the epoll set and taking them out at each sleep costs more than the
     * epoll callbacks that direct polling saves (4-rank barrier on 2 cores:
     * ~85 us with it, ~58 us without). */
    mpr__tcp.direct_off = mpr__g.oversubscribed;
    mpr__tcp.up = true;
    return MPR_SUCCESS;
}

static bool any_open_connection(void)
{
    for (struct mpr__qlink *l = mpr__tcp.conns.head.next; l != &mpr__tcp.conns.head; l = l->next) {
        if (mpr__container_of(l, struct tcp_conn, link)->state == TCP_CONN_OPEN)
            return true;
    }
    return false;
}

/* Say BYE on every open connection and wait (bounded) for the peers' BYE
 * and end of stream, so that no connection ends with unread bytes (which
 * would reset it) and no peer mistakes our exit for a failure. */
static void say_goodbye(void)
{
    for (int r = 0; r < mpr__g.size; r++) {
        struct tcp_conn *c = mpr__tcp.peers[r].conn;
        if (conn_open(c) && !c->bye_sent) {
            mpr__tcp_queue_bye(c);
            mpr__tcp_conn_flush(c);
        }
    }
    double deadline = mpr_wtime() + TCP_BYE_TIMEOUT_S;
    while (any_open_connection() && mpr_wtime() < deadline)
        handle_events(10);
}

static void tcp_fini(void)
{
    if (!mpr__tcp.initialized)
        return;
    mpr__tcp.finalizing = true;
    if (mpr__tcp.up)
        say_goodbye();
    mpr__tcp_close_all();
    for (int r = 0; mpr__tcp.peers && r < mpr__g.size; r++) {
        struct tcp_peer *p = &mpr__tcp.peers[r];
        struct mpr__qlink *l;
        while ((l = mpr__queue_pop(&p->outq)) != NULL)
            out_put(mpr__container_of(l, struct tcp_out, link));
        while ((l = mpr__queue_pop(&p->rdv_recv)) != NULL)
            free(mpr__container_of(l, struct tcp_rdv_recv, link));
    }
    struct tcp_out *o;
    while ((o = mpr__tcp.free_outs) != NULL) {
        mpr__tcp.free_outs = o->next_free;
        free(o);
    }
    if (mpr__tcp.listen_fd >= 0)
        close(mpr__tcp.listen_fd);
    if (mpr__tcp.epfd >= 0)
        close(mpr__tcp.epfd);
    free(mpr__tcp.peers);
    memset(&mpr__tcp, 0, sizeof(mpr__tcp));
    mpr__tcp.epfd = -1;
    mpr__tcp.listen_fd = -1;
}

/* A peer never connected can die unseen: connect, so a refusal or a
 * broken connection tells. */
static void tcp_watch(int rank)
{
    if (!mpr__tcp.up)
        return;
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (!p->down && !p->conn && !p->await_their_connect && p->retry_at == 0)
        mpr__tcp_connect(rank);
}

static bool tcp_linked(int rank)
{
    return mpr__tcp.peers[rank].conn != NULL;
}

const struct mpr__transport mpr__tcp_transport = {
    .name = "tcp",
    .init = tcp_init,
    .fini = tcp_fini,
    .send = tcp_send,
    .pull = tcp_pull,
    .credit = tcp_credit,
    .progress = tcp_progress,
    .progress_is_syscall = true,
    .sleep = tcp_sleep,
    .watch = tcp_watch,
    .linked = tcp_linked,
};
