/*
 * tcp_conn.c - the life of a TCP connection: accept, connect, the hello
 * handshake, the race of two ranks connecting to each other, failure, close.
 *
 * Handshake. The connector sends HELLO {magic, version, target rank, the
 * target's secret}; the acceptor reads exactly that many bytes and checks
 * every field before it trusts anything, then answers ACCEPT (this
 * connection now carries the pair's frames) or DUPLICATE (see below). The
 * connector writes no frame before ACCEPT, so nothing is lost on a
 * connection that is turned down. Anything else is refused: one line on
 * stderr, the socket closed, the job untouched.
 *
 * Strangers. Anyone who reaches the port can connect, so an accepted
 * connection costs nothing until it proves itself: no buffer (the hello is
 * read into the connection's fixed 64 bytes, never more), at most
 * TCP_HELLO_TIMEOUT_S to say it, dropped at the first byte that is not the
 * job's hello (the secret excepted: it is compared whole, in constant
 * time), and at most TCP_HELLO_WAITING_MAX such connections: one more
 * closes the oldest, so a crowd of idle connections cannot lock the real
 * peers out. A connector the acceptor dropped (reset, or closed before
 * ACCEPT) tries again with backoff until TCP_WIREUP_TIMEOUT_S after its
 * first try (MPR_TCP_WIREUP_TIMEOUT); a refused connect (nothing listens:
 * the peer is gone) is tried again for TCP_REFUSED_GRACE_S, then the peer has failed. A pair
 * that cannot wire up in time ends the job with a message
 * (mpr__wireup_fail_job): one rank cannot tell the others, and their
 * collectives would wait forever.
 *
 * Simultaneous connects: the connection opened by the lower rank wins. The
 * lower rank answers DUPLICATE to a hello from the higher rank whenever it
 * has a connection of its own to it (being set up or open); the higher
 * rank accepts the lower rank's hello in any case and turns its own
 * outgoing connection into a "loser", which finishes writing its hello and
 * closes, so the lower rank never sees a connection close without a hello.
 * A higher rank told DUPLICATE waits for the lower rank's connection.
 * Frames to a peer queue on the peer, not on a connection, so a lost race
 * loses nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/tcp/tcp.h"

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        snprintf(out, cap, "%s:%u", ip, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        snprintf(out, cap, "[%s]:%u", ip, ntohs(in6->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void mpr__tcp_set_events(struct tcp_conn *c, bool in, bool out)
{
    if (c->epollin == in && c->epollout == out)
        return;
    c->epollin = in;
    c->epollout = out;
    if (c->direct && !mpr__tcp.armed)
        return; /* not in the epoll set now; the direct poll reads the flags */
    struct epoll_event ev = { .events = (in ? EPOLLIN : 0) | (out ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static struct tcp_conn *conn_new(int fd, enum tcp_conn_state state, int peer,
                                 const struct sockaddr *sa, bool want_out)
{
    struct tcp_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    c->state = state;
    c->peer = peer;
    c->epollin = true;
    c->epollout = want_out;
    format_addr(sa, c->addr, sizeof(c->addr));
    struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(c);
        return NULL;
    }
    mpr__queue_push(&mpr__tcp.conns, &c->link);
    return c;
}

void mpr__tcp_conn_close(struct tcp_conn *c)
{
    if (c->state == TCP_CONN_CLOSED)
        return;
    if (c->state == TCP_CONN_HELLO_WAIT && c->peer < 0)
        mpr__tcp.hello_waiting--;
    if (c->state == TCP_CONN_CONNECTING)
        mpr__tcp.connecting--;
    if (c->stalled)
        mpr__tcp.stalled--;
    c->stalled = false;
    if (!c->direct || mpr__tcp.armed)
        epoll_ctl(mpr__tcp.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->direct)
        mpr__tcp_conn_forget_direct(c);
    close(c->fd);
    c->fd = -1;
    if (c->peer >= 0 && mpr__tcp.peers[c->peer].conn == c)
        mpr__tcp.peers[c->peer].conn = NULL;
    c->state = TCP_CONN_CLOSED;
    mpr__queue_remove(&mpr__tcp.conns, &c->link);
    mpr__queue_push(&mpr__tcp.closed, &c->link); /* events of this pass may still name it */
}

void mpr__tcp_free_closed(void)
{
    struct mpr__qlink *l;
    while ((l = mpr__queue_pop(&mpr__tcp.closed)) != NULL) {
        struct tcp_conn *c = mpr__container_of(l, struct tcp_conn, link);
        free(c->rbuf);
        free(c);
    }
}

static void log_refusal(const char *addr, const char *fmt, va_list ap)
{
    if (mpr__tcp.refusals_logged > TCP_REFUSALS_LOGGED_MAX)
        return;
    if (mpr__tcp.refusals_logged++ == TCP_REFUSALS_LOGGED_MAX) {
        mpr__log("more connections refused; no longer logged");
        return;
    }
    char why[256];
    vsnprintf(why, sizeof(why), fmt, ap);
    mpr__log("refused connection from %s: %s", addr, why);
}

/* An accepted connection did not prove it belongs to the job. */
static void __attribute__((format(printf, 2, 3))) refuse(struct tcp_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_refusal(c->addr, fmt, ap);
    va_end(ap);
    mpr__tcp_conn_close(c);
}

void mpr__tcp_peer_down(int rank, const char *fmt, ...)
{
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (p->down)
        return;
    p->down = true;
    if (fmt && !mpr__tcp.finalizing) {
        char why[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        mpr__log("%s", why);
    }
    struct tcp_conn *c = p->conn;
    p->conn = NULL;
    mpr__tcp_fail_requests(p, c);
    if (c)
        mpr__tcp_conn_close(c);
    if (fmt)
        mpr__peer_failed(rank);
}

int mpr__tcp_write_ctl(struct tcp_conn *c)
{
    while (c->ctl_off < c->ctl_len) {
        ssize_t n = send(c->fd, c->ctl + c->ctl_off, c->ctl_len - c->ctl_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->ctl_off += (size_t)n;
    }
    return 1;
}

static void set_ctl_frame(struct tcp_conn *c, uint8_t type)
{
    struct tcp_frame f = { .type = type, .src = (uint32_t)mpr__g.rank };
    mpr__tcp_frame_encode(&f, c->ctl);
    c->ctl_len = TCP_FRAME_BYTES;
    c->ctl_off = 0;
}

/* ---- connecting ------------------------------------------------------- */

/* The attempt to reach `rank` failed before its ACCEPT (err: errno, or 0
 * for a close). The connection, if any, is closed by the caller. Try again
 * later, or give up: a refusal that lasts means the peer is gone; anything
 * else that lasts past the wire-up deadline ends the job. */
static void attempt_failed(int rank, const char *where, int err, const char *what)
{
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    double now = mpr_wtime();
    const char *reason = err ? strerror(err) : "closed before answering";
    if (err == ECONNREFUSED) {
        if (p->refused_since == 0)
            p->refused_since = now;
        if (now - p->refused_since >= TCP_REFUSED_GRACE_S || mpr__peer_gone(rank)) {
            mpr__tcp_peer_down(rank, "cannot connect to rank %d at %s: %s", rank, where, reason);
            return;
        }
    } else {
        p->refused_since = 0;
    }
    if (mpr__peer_gone(rank)) {
        mpr__tcp_peer_down(rank, "rank %d at %s is gone (%s: %s)", rank, where, what, reason);
        return;
    }
    if (now >= p->wireup_deadline)
        mpr__wireup_fail_job("cannot wire up with rank %d at %s within %g s (%s: %s)", rank,
                             where, mpr__tcp.wireup_timeout, what, reason);
    p->retry_wait = p->retry_wait == 0 ? TCP_RETRY_FIRST_S : p->retry_wait * 2;
    if (p->retry_wait > TCP_RETRY_MAX_S)
        p->retry_wait = TCP_RETRY_MAX_S;
    p->retry_at = now + p->retry_wait;
    mpr__tcp.retrying++;
}

/* Our connection to its peer failed before ACCEPT: close it and try again
 * (or give up, see attempt_failed). */
static void connection_failed(struct tcp_conn *c, int err, const char *what)
{
    int rank = c->peer;
    char where[sizeof(c->addr)];
    memcpy(where, c->addr, sizeof(where));
    mpr__tcp_conn_close(c);
    attempt_failed(rank, where, err, what);
}

static void finish_connect(struct tcp_conn *c);

int mpr__tcp_connect(int rank)
{
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    char endpoint[TCP_ENDPOINT_MAX];
    int rc = mpr__wireup_get_endpoint("tcp", rank, endpoint, sizeof(endpoint));
    if (rc != MPR_SUCCESS)
        return rc;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    uint8_t secret[TCP_SECRET_BYTES];
    if (!mpr__endpoint_parse(endpoint, &addr, &addr_len, secret)) {
        mpr__log("rank %d published a TCP endpoint mpr cannot read: \"%.64s\"", rank, endpoint);
        return MPR_ERR_PMIX;
    }
    if (p->wireup_deadline == 0)
        p->wireup_deadline = mpr_wtime() + mpr__tcp.wireup_timeout;
    char where[INET6_ADDRSTRLEN + 8];
    format_addr((struct sockaddr *)&addr, where, sizeof(where));
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        mpr__log("cannot create a TCP socket: %s", strerror(errno));
        return MPR_ERR_INTERNAL;
    }
    set_nodelay(fd);
    if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0 && errno != EINPROGRESS) {
        int err = errno;
        close(fd);
        attempt_failed(rank, where, err, "connect");
        return p->down ? MPR_ERR_PROC_FAILED : MPR_SUCCESS;
    }
    struct tcp_conn *c = conn_new(fd, TCP_CONN_CONNECTING, rank, (struct sockaddr *)&addr, true);
    if (!c) {
        close(fd);
        return MPR_ERR_NO_MEM;
    }
    mpr__tcp.connecting++;
    struct tcp_frame f = { .type = TCP_FRAME_HELLO, .src = (uint32_t)mpr__g.rank,
                           .length = TCP_HELLO_BYTES };
    struct tcp_hello h = { .magic = TCP_HELLO_MAGIC, .version = TCP_WIRE_VERSION,
                           .target = (uint32_t)rank };
    memcpy(h.secret, secret, sizeof(h.secret));
    mpr__tcp_frame_encode(&f, c->ctl);
    mpr__tcp_hello_encode(&h, c->ctl + TCP_FRAME_BYTES);
    c->ctl_len = TCP_FRAME_BYTES + TCP_HELLO_BYTES;
    p->conn = c;
    /* Often (always on one host) the connect is done already: say the hello
     * now, so that a rank which sends and then computes for a while without
     * calling mpr is not dropped by its peer as a stranger who never spoke. */
    struct pollfd ready = { .fd = fd, .events = POLLOUT };
    if (poll(&ready, 1, 0) == 1)
        finish_connect(c);
    return p->down ? MPR_ERR_PROC_FAILED : MPR_SUCCESS;
}

void mpr__tcp_retry_connects(void)
{
    if (mpr__tcp.retrying == 0 && mpr__tcp.connecting == 0)
        return;
    double now = mpr_wtime();
    for (int r = 0; r < mpr__g.size; r++) {
        struct tcp_peer *p = &mpr__tcp.peers[r];
        struct tcp_conn *c = p->conn;
        /* a connect the network never answers (SYNs dropped) would take the
         * kernel minutes to give up; a busy peer's kernel answers anyway */
        if (c && c->state == TCP_CONN_CONNECTING && !c->loser && now >= p->wireup_deadline)
            mpr__wireup_fail_job("cannot wire up with rank %d at %s within %g s (connect: no "
                                 "answer)", r, c->addr, mpr__tcp.wireup_timeout);
        if (p->retry_at == 0 || now < p->retry_at)
            continue;
        p->retry_at = 0;
        mpr__tcp.retrying--;
        if (!p->down && !p->conn && !p->await_their_connect)
            mpr__tcp_connect(r);
    }
}

/* A loser has done its duty once its hello is out. */
static void loser_step(struct tcp_conn *c)
{
    int w = c->state == TCP_CONN_REPLY_WAIT ? mpr__tcp_write_ctl(c) : -1;
    if (w != 0)
        mpr__tcp_conn_close(c);
}

static void finish_connect(struct tcp_conn *c)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err == EINPROGRESS || err == EALREADY)
        return;
    mpr__tcp.connecting--;
    c->state = TCP_CONN_REPLY_WAIT; /* connected; or, on an error, closed below */
    if (err != 0) {
        if (c->loser)
            mpr__tcp_conn_close(c);
        else
            connection_failed(c, err, "connect");
        return;
    }
    if (c->loser) {
        loser_step(c);
        return;
    }
    int w = mpr__tcp_write_ctl(c);
    if (w < 0)
        connection_failed(c, errno, "sending the hello");
    else
        mpr__tcp_set_events(c, true, w == 0);
}

/* Read into hs_in until it holds `need` bytes. Returns 1 when it does, 0 if
 * more must come, -1 at EOF (errno 0) or on an error (errno set). */
static int read_handshake(struct tcp_conn *c, size_t need)
{
    while (c->hs_in_len < need) {
        ssize_t n = recv(c->fd, c->hs_in + c->hs_in_len, need - c->hs_in_len, 0);
        if (n > 0) {
            c->hs_in_len += (size_t)n;
        } else if (n == 0) {
            errno = 0;
            return -1;
        } else if (errno != EINTR) {
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
    }
    return 1;
}

static void read_reply(struct tcp_conn *c)
{
    int rank = c->peer;
    int r = read_handshake(c, TCP_FRAME_BYTES);
    if (r == 0)
        return;
    if (r < 0) {
        connection_failed(c, errno, "waiting for its answer");
        return;
    }
    struct tcp_frame f;
    mpr__tcp_frame_decode(c->hs_in, &f);
    struct tcp_frame_rules rules = { .phase = TCP_PHASE_REPLY, .nranks = (uint32_t)mpr__g.size,
                                     .self = (uint32_t)mpr__g.rank, .peer = (uint32_t)rank };
    char why[160];
    if (!mpr__tcp_frame_check(&f, &rules, why, sizeof(why)))
        mpr__wireup_fail_job("bad reply from rank %d at %s: %s", rank, c->addr, why);
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    p->refused_since = 0;
    p->retry_wait = 0;
    if (f.type == TCP_FRAME_ACCEPT) {
        c->state = TCP_CONN_OPEN;
        mpr__tcp_conn_opened(c);
    } else if (mpr__g.rank > rank) {
        mpr__tcp_conn_close(c); /* its own connection is on the way */
        p->await_their_connect = true;
    } else {
        mpr__wireup_fail_job("rank %d answered DUPLICATE to the lower rank's connection", rank);
    }
}

/* ---- accepting -------------------------------------------------------- */

/* The oldest accepted connection still without a hello. */
static struct tcp_conn *oldest_unproven(void)
{
    for (struct mpr__qlink *l = mpr__tcp.conns.head.next; l != &mpr__tcp.conns.head; l = l->next) {
        struct tcp_conn *c = mpr__container_of(l, struct tcp_conn, link);
        if (c->state == TCP_CONN_HELLO_WAIT && c->peer < 0)
            return c;
    }
    return NULL;
}

static void read_hello(struct tcp_conn *c);

void mpr__tcp_accept_all(void)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof(sa);
        int fd = accept4(mpr__tcp.listen_fd, (struct sockaddr *)&sa, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
                static bool said;
                mpr__log_once(&said, "accept: %s", strerror(errno)); /* EMFILE: tried again next pass */
            }
            return;
        }
        if (mpr__tcp.hello_waiting >= TCP_HELLO_WAITING_MAX) {
            struct tcp_conn *old = oldest_unproven();
            if (old)
                refuse(old, "%d newer connections wait for a hello", TCP_HELLO_WAITING_MAX);
        }
        set_nodelay(fd);
        struct tcp_conn *c = conn_new(fd, TCP_CONN_HELLO_WAIT, -1, (struct sockaddr *)&sa, false);
        if (!c) {
            close(fd);
            continue;
        }
        c->deadline = mpr_wtime() + TCP_HELLO_TIMEOUT_S;
        mpr__tcp.hello_waiting++;
        read_hello(c); /* a peer sends it at once: often it is there already */
    }
}

/* Answer a checked hello from `rank`: ACCEPT, or DUPLICATE when our own
 * connection to it wins (we are the lower rank and have one). */
static void hello_from(struct tcp_conn *c, int rank)
{
    struct tcp_peer *p = &mpr__tcp.peers[rank];
    if (p->down) {
        refuse(c, "rank %d has failed or finalized", rank);
        return;
    }
    mpr__tcp.hello_waiting--;
    c->peer = rank;
    struct tcp_conn *mine = p->conn;
    if (mine && mine->state == TCP_CONN_OPEN && rank < mpr__g.rank) {
        refuse(c, "rank %d opened a second connection", rank);
        return;
    }
    if (mine && rank > mpr__g.rank) {
        set_ctl_frame(c, TCP_FRAME_DUPLICATE);
        c->close_after_ctl = true;
        int w = mpr__tcp_write_ctl(c);
        if (w != 0)
            mpr__tcp_conn_close(c);
        else
            mpr__tcp_set_events(c, false, true);
        return;
    }
    if (mine) { /* our outgoing connection loses to the lower rank's */
        mine->loser = true;
        p->conn = NULL;
        if (mine->state == TCP_CONN_REPLY_WAIT)
            loser_step(mine);
    }
    p->await_their_connect = false;
    p->conn = c;
    c->state = TCP_CONN_OPEN;
    set_ctl_frame(c, TCP_FRAME_ACCEPT);
    mpr__tcp_conn_opened(c);
}

/* Read what has come of the hello (never more than a hello's bytes), drop
 * the connection at the first wrong byte, and answer a whole good hello. */
static void read_hello(struct tcp_conn *c)
{
    size_t had = c->hs_in_len;
    int r = read_handshake(c, TCP_HELLO_TOTAL);
    char why[160];
    struct tcp_frame f;
    struct tcp_frame_rules rules = { .phase = TCP_PHASE_HELLO, .nranks = (uint32_t)mpr__g.size,
                                     .self = (uint32_t)mpr__g.rank };
    if (c->hs_in_len > had &&
        !mpr__tcp_hello_prefix_check(c->hs_in, c->hs_in_len, (uint32_t)mpr__g.rank, why, sizeof(why))) {
        if (c->hs_in_len >= TCP_FRAME_BYTES) { /* the header's check says it better */
            mpr__tcp_frame_decode(c->hs_in, &f);
            mpr__tcp_frame_check(&f, &rules, why, sizeof(why));
        }
        refuse(c, "%s", why);
        return;
    }
    if (r == 0)
        return;
    if (r < 0) {
        if (errno)
            refuse(c, "%s before a complete hello", strerror(errno));
        else if (c->hs_in_len == 0)
            refuse(c, "closed without sending a hello");
        else
            refuse(c, "closed after %zu of the %u bytes of a hello", c->hs_in_len, TCP_HELLO_TOTAL);
        return;
    }
    mpr__tcp_frame_decode(c->hs_in, &f);
    if (!mpr__tcp_frame_check(&f, &rules, why, sizeof(why))) {
        refuse(c, "%s", why);
        return;
    }
    struct tcp_hello h;
    mpr__tcp_hello_decode(c->hs_in + TCP_FRAME_BYTES, &h);
    if (!mpr__tcp_hello_check(&h, (uint32_t)mpr__g.rank, mpr__tcp.secret, why, sizeof(why))) {
        refuse(c, "%s (claims rank %u)", why, f.src);
        return;
    }
    hello_from(c, (int)f.src);
}

void mpr__tcp_check_hello_deadlines(void)
{
    if (mpr__tcp.hello_waiting == 0)
        return;
    double now = mpr_wtime();
    bool again = true;
    while (again) { /* from the start after each one: handling it may close others */
        again = false;
        for (struct mpr__qlink *l = mpr__tcp.conns.head.next; l != &mpr__tcp.conns.head; l = l->next) {
            struct tcp_conn *c = mpr__container_of(l, struct tcp_conn, link);
            if (c->state != TCP_CONN_HELLO_WAIT || c->peer >= 0 || now <= c->deadline)
                continue;
            read_hello(c); /* it may be there, unread: this rank was busy elsewhere */
            if (c->state == TCP_CONN_HELLO_WAIT && c->peer < 0)
                refuse(c, "no hello within %.0f s", TCP_HELLO_TIMEOUT_S);
            again = true;
            break;
        }
    }
}

/* ---- events ----------------------------------------------------------- */

void mpr__tcp_conn_event(struct tcp_conn *c, uint32_t events)
{
    bool in = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
    bool out = events & (EPOLLOUT | EPOLLERR | EPOLLHUP);
    switch (c->state) {
    case TCP_CONN_CONNECTING:
        if (out)
            finish_connect(c);
        break;
    case TCP_CONN_REPLY_WAIT:
        if (c->loser) {
            if (in) /* its DUPLICATE, or the end */
                mpr__tcp_conn_close(c);
            else if (out)
                loser_step(c);
            break;
        }
        if (events & EPOLLOUT) {
            int w = mpr__tcp_write_ctl(c);
            if (w < 0) {
                connection_failed(c, errno, "sending the hello");
                break;
            }
            mpr__tcp_set_events(c, true, w == 0);
        }
        if (in)
            read_reply(c);
        break;
    case TCP_CONN_HELLO_WAIT:
        if (c->close_after_ctl) { /* writing DUPLICATE */
            if (mpr__tcp_write_ctl(c) != 0)
                mpr__tcp_conn_close(c);
        } else if (in) {
            read_hello(c);
        }
        break;
    case TCP_CONN_OPEN:
        if (in)
            mpr__tcp_conn_read(c);
        if (c->state == TCP_CONN_OPEN && (events & EPOLLOUT))
            mpr__tcp_conn_flush(c);
        break;
    case TCP_CONN_CLOSED:
        break;
    }
}

void mpr__tcp_close_all(void)
{
    struct mpr__qlink *l;
    while ((l = mpr__tcp.conns.head.next) != &mpr__tcp.conns.head)
        mpr__tcp_conn_close(mpr__container_of(l, struct tcp_conn, link));
    mpr__tcp_free_closed();
}
