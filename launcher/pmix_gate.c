/*
 * pmix_gate.c - libpmix's listener admits only connections that have sent
 * their whole first message.
 *
 * OpenPMIx 4.2's server listens on a TCP port of 127.0.0.1 (no Unix socket
 * since 4.0). Its listener thread accepts a connection and hands it to the
 * progress thread, which makes the socket blocking and reads the client's
 * header and handshake with recv(MSG_WAITALL), no timeout
 * (ptl_base_connection_hdlr.c). One idle connection from anyone on the host
 * therefore stalls the whole server, every rank's PMIx_Init and fence with
 * it, for as long as it is held; and nothing ever closes such connections.
 * No attribute or MCA parameter of 4.2.2 bounds that read
 * (handshake_wait_time is the client's wait for the server).
 *
 * So mprun defines accept() itself. The listener thread is libpmix's only
 * caller of accept() in mprun (mprun's own sockets use accept4), and a
 * definition in the executable comes before libc's for the libraries'
 * calls. This accept() takes every waiting connection into a set of at
 * most GATE_PENDING_MAX (one more closes the oldest that has not proven
 * itself; when all have, the rest wait in the listen queue), each
 * with GATE_DEADLINE_MS to send its first message: a header {pindex -1,
 * tag UINT32_MAX, nbytes, padding} and nbytes of handshake, at most
 * GATE_MESSAGE_MAX. A connection is handed to libpmix only once all of it
 * is in the socket (seen with MSG_PEEK), so the progress thread's reads
 * return at once; a wrong first byte, an end or the deadline closes it.
 * accept() returns only with such a connection, or with ECONNABORTED
 * (libpmix then simply selects again) once no connection is pending or
 * mprun_pmix_gate_close was called (before PMIx_server_finalize joins the
 * listener thread).
 *
 * libpmix calls accept() only when its select() finds the listening socket
 * readable. A connection this accept() took in but did not return would
 * then wait for the next stranger or client to arrive; so when it returns
 * one while others are still pending, it connects to the listening socket
 * itself (the "poke"), which makes libpmix call again at once; the next
 * call recognizes the poke by its address and closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pmix_server.h"

#define GATE_PENDING_MAX 32
#define GATE_DEADLINE_MS 2000
#define GATE_MESSAGE_MAX 16384 /* a client's handshake is a few hundred bytes */
#define GATE_SLICE_MS 100      /* how often a waiting accept looks at the closing flag */
#define GATE_HEADER_BYTES 16

struct gate_conn {
    int fd; /* -1: a free slot */
    int64_t deadline;
    bool proven; /* its whole first message was seen: stays so until handed over */
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate_conn pending[GATE_PENDING_MAX]; /* fds set to -1 at the first call */
static bool pending_ready;
static atomic_bool closing;
static int poke_fd = -1; /* our own connection to the listener, not accepted yet */
static struct sockaddr_storage poke_addr;
static socklen_t poke_len;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mprun_pmix_gate_close(void)
{
    atomic_store(&closing, true);
}

static void drop(struct gate_conn *c)
{
    close(c->fd);
    c->fd = -1;
}

/* Is c's whole first message in its socket? 1 yes, 0 not yet, -1 never
 * (a wrong byte, too long, closed, an error). */
static int judge(const struct gate_conn *c)
{
    unsigned char head[GATE_HEADER_BYTES];
    ssize_t n = recv(c->fd, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    for (ssize_t i = 0; i < n && i < 8; i++) { /* pindex -1, tag UINT32_MAX */
        if (head[i] != 0xff)
            return -1;
    }
    if (n < GATE_HEADER_BYTES)
        return 0;
    uint32_t nbytes;
    memcpy(&nbytes, head + 8, sizeof(nbytes));
    if (nbytes > GATE_MESSAGE_MAX)
        return -1;
    static unsigned char whole[GATE_HEADER_BYTES + GATE_MESSAGE_MAX];
    size_t want = GATE_HEADER_BYTES + nbytes;
    n = recv(c->fd, whole, want, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    return (size_t)n == want;
}

/* judge(c), asked again only while c has not proven itself. */
static int verdict_on(struct gate_conn *c)
{
    if (c->proven)
        return 1;
    int verdict = judge(c);
    c->proven = verdict > 0;
    return verdict;
}

/* Make the listening socket readable for libpmix's next select(). */
static void poke(int lfd)
{
    struct sockaddr_storage at;
    socklen_t len = sizeof(at);
    if (poke_fd >= 0 || getsockname(lfd, (struct sockaddr *)&at, &len) != 0)
        return;
    poke_fd = socket(at.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (poke_fd < 0)
        return;
    poke_len = sizeof(poke_addr);
    if ((connect(poke_fd, (struct sockaddr *)&at, len) != 0 && errno != EINPROGRESS) ||
        getsockname(poke_fd, (struct sockaddr *)&poke_addr, &poke_len) != 0) {
        close(poke_fd);
        poke_fd = -1;
    }
}

/* Is the accepted fd the server side of our poke? Then both go. */
static bool is_poke(int fd)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof(peer);
    if (poke_fd < 0 || getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || len != poke_len ||
        memcmp(&peer, &poke_addr, len) != 0)
        return false;
    close(fd);
    close(poke_fd);
    poke_fd = -1;
    return true;
}

static bool any_pending(void)
{
    for (int i = 0; i < GATE_PENDING_MAX; i++) {
        if (pending[i].fd >= 0)
            return true;
    }
    return false;
}

/* A free slot; else the oldest connection that has not proven itself
 * (to be dropped for a newer one); NULL when every pending one has: those
 * go to libpmix first, newer ones wait in the listen queue meanwhile. A
 * proven connection is never given up for a stranger (a flood once pushed
 * a rank's out before take_proven could hand it over). Only the candidate
 * is judged again, so a flood costs about one peek per newcomer. */
static struct gate_conn *slot_for_newcomer(void)
{
    for (;;) {
        struct gate_conn *victim = NULL;
        for (int i = 0; i < GATE_PENDING_MAX; i++) {
            struct gate_conn *c = &pending[i];
            if (c->fd < 0)
                return c;
            if (!c->proven && (!victim || c->deadline < victim->deadline))
                victim = c;
        }
        if (!victim || verdict_on(victim) <= 0)
            return victim;
    }
}

/* Take the connections waiting at the listening socket, as far as there
 * is room for them. */
static void take_waiting(int lfd)
{
    for (;;) {
        struct gate_conn *slot = slot_for_newcomer();
        if (!slot)
            return;
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (is_poke(fd))
            continue;
        if (slot->fd >= 0)
            drop(slot);
        slot->fd = fd;
        slot->deadline = now_ms() + GATE_DEADLINE_MS;
        slot->proven = false;
    }
}

/* A proven connection, taken out of the set, or -1; drops the hopeless. */
static int take_proven(void)
{
    int64_t now = now_ms();
    for (int i = 0; i < GATE_PENDING_MAX; i++) {
        struct gate_conn *c = &pending[i];
        if (c->fd < 0)
            continue;
        int verdict = verdict_on(c);
        if (verdict > 0) {
            int fd = c->fd;
            c->fd = -1;
            return fd;
        }
        if (verdict < 0 || now >= c->deadline)
            drop(c);
    }
    return -1;
}

/* Wait for news on the listening socket or a pending connection, up to the
 * nearest deadline or GATE_SLICE_MS. False when nothing is pending. */
static bool wait_for_news(int lfd)
{
    struct pollfd p[1 + GATE_PENDING_MAX];
    int n = 0;
    int64_t now = now_ms(), timeout = GATE_SLICE_MS;
    p[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
    for (int i = 0; i < GATE_PENDING_MAX; i++) {
        if (pending[i].fd < 0)
            continue;
        p[n++] = (struct pollfd){.fd = pending[i].fd, .events = POLLIN};
        if (pending[i].deadline - now < timeout)
            timeout = pending[i].deadline - now > 0 ? pending[i].deadline - now : 0;
    }
    if (n == 1)
        return false;
    poll(p, (nfds_t)n, (int)timeout);
    return true;
}

/* glibc declares accept's address as a transparent union (__SOCKADDR_ARG)
 * under _GNU_SOURCE: the definition must match. */
int accept(int lfd, __SOCKADDR_ARG addr, socklen_t *restrict addrlen)
{
    pthread_mutex_lock(&gate_lock);
    if (!pending_ready) {
        for (int i = 0; i < GATE_PENDING_MAX; i++)
            pending[i].fd = -1;
        pending_ready = true;
    }
    int flags = fcntl(lfd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK))
        fcntl(lfd, F_SETFL, flags | O_NONBLOCK);
    int fd = -1;
    for (;;) {
        take_waiting(lfd);
        fd = take_proven();
        if (fd >= 0 || atomic_load(&closing) || !wait_for_news(lfd))
            break;
    }
    if (fd >= 0 && any_pending())
        poke(lfd); /* so that libpmix calls again for them */
    pthread_mutex_unlock(&gate_lock);
    if (fd < 0) {
        errno = ECONNABORTED; /* libpmix's listener selects again */
        return -1;
    }
    if (addrlen && getpeername(fd, addr, addrlen) != 0)
        *addrlen = 0;
    return fd;
}
