/*
 * objects_service.c - the home rank's service for objects shared across
 * hosts: ranks of other hosts send it requests over TCP and it performs
 * them on the object's shared memory, with the functions the local ranks
 * use (each kind's serve function), so it answers while the home rank
 * computes without calling mpr.
 *
 * Threads: an acceptor sleeps in poll() on the listening socket, a stop
 * eventfd and the connections that have not proven themselves yet (below);
 * each connection that has gets its own thread, which sleeps in
 * poll() until a request comes, performs it (sleeping on the object's futex
 * if it must wait) and answers. A client has at most one request in flight,
 * so one thread per client serves it in order and a blocking call (a get
 * on an empty queue) holds up nobody else. No thread spins; none touches
 * libmpr's single-threaded state (message queues, transports, peer table):
 * what they need is copied into `svc` when the service starts. Their
 * messages go through mpr__log, which reads only mpr__g's rank, size and
 * initialized flag: set before the service starts, unchanged until its
 * threads are joined.
 *
 * Strangers. Anyone who reaches the port can connect, so a connection costs
 * no thread and no buffer until its hello proves it knows the service's
 * secret: the acceptor reads the hello itself, into a fixed slot, with
 * UNPROVEN_TIMEOUT_MS to send it, drops the connection at the first byte
 * before the secret that is not our hello's (the secret is compared whole,
 * in constant time), and keeps at most UNPROVEN_MAX such connections: one
 * more closes the oldest, so idle ones cannot lock the job's ranks out.
 *
 * The registry (object id -> handle) is guarded by svc.mu. An entry in use
 * by a call has users > 0; unregistering marks it closing and waits for
 * them (a waiting call checks `closing` every sleep slice).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "objects/objects.h"
#include "core/net.h"

#define HELLO_TIMEOUT_MS 5000      /* a request's payload must come within this */
#define UNPROVEN_TIMEOUT_MS 2000   /* an accepted connection must say hello within this */
#define UNPROVEN_MAX 64            /* connections without a hello; one more closes the oldest */
#define REFUSALS_LOGGED_MAX 20     /* then one line saying the rest are not logged */
#define THREAD_STACK_BYTES (256u * 1024)

_Static_assert(MPR__OBJW_SECRET_BYTES == MPR__SECRET_BYTES, "endpoint strings carry the secret");

struct svc_entry {
    struct svc_entry *next;
    uint32_t id;
    struct mpr__obj *obj;     /* the home's handle: header, max_item, capacity */
    mpr__obj_serve_fn serve;  /* NULL until the creation is done everywhere */
    void *handle;
    int users;                /* calls in progress */
    _Atomic bool closing;
};

struct svc_conn {
    struct svc_conn *next;
    int fd;
    pthread_t thread;
    _Atomic bool finished; /* its thread returned: join it */
    uint32_t client;       /* world rank, after the hello */
    unsigned char *buf;    /* payload in (put) or out (get) */
    size_t buf_cap;
};

static struct {
    bool running;
    int listen_fd;
    int stop_fd; /* eventfd, readable once the service stops */
    _Atomic bool stopping;
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct svc_entry *entries;
    uint32_t next_id;
    struct svc_conn *conns; /* touched by the acceptor only, until it is joined */
    uint8_t secret[MPR__OBJW_SECRET_BYTES];
    char endpoint[MPR__ENDPOINT_MAX];
    uint32_t nranks; /* job size, for the hello check */
} svc = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .listen_fd = -1,
          .stop_fd = -1 };

double mpr__objw_timeout_seconds(int64_t timeout_ns)
{
    return timeout_ns < 0 ? -1.0 : (double)timeout_ns * 1e-9;
}

/* ---- I/O that gives up when the service stops --------------------------- */

/* Wait until fd has `events` or the service stops; timeout_ms < 0 forever.
 * Returns 1 ready, 0 timed out, -1 stopping or error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = svc.stop_fd, .events = POLLIN } };
    for (;;) {
        int n = poll(p, 2, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || p[1].revents)
            return -1;
        if (n == 0)
            return 0;
        return 1;
    }
}

/* Read exactly len bytes. timeout_ms bounds the wait for each piece. */
static bool read_full(int fd, void *buf, size_t len, int timeout_ms)
{
    unsigned char *p = buf;
    while (len > 0) {
        if (wait_fd(fd, POLLIN, timeout_ms) != 1)
            return false;
        ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
        if (n == 0)
            return false;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool write_full(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN && wait_fd(fd, POLLOUT, -1) == 1)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* ---- the registry --------------------------------------------------------- */

static struct svc_entry *find_entry(uint32_t id)
{
    for (struct svc_entry *e = svc.entries; e; e = e->next) {
        if (e->id == id)
            return e;
    }
    return NULL;
}

/* Take the entry for a call: NULL if unknown or closing. */
static struct svc_entry *entry_use(uint32_t id)
{
    pthread_mutex_lock(&svc.mu);
    struct svc_entry *e = find_entry(id);
    if (e && !atomic_load(&e->closing))
        e->users++;
    else
        e = NULL;
    pthread_mutex_unlock(&svc.mu);
    return e;
}

static void entry_release(struct svc_entry *e)
{
    pthread_mutex_lock(&svc.mu);
    e->users--;
    pthread_cond_broadcast(&svc.cv);
    pthread_mutex_unlock(&svc.mu);
}

/* The serve function, once creation has finished on every rank (a client
 * may be quicker than the home rank's last steps); NULL if it closes. */
static mpr__obj_serve_fn entry_wait_enabled(struct svc_entry *e, void **handle)
{
    pthread_mutex_lock(&svc.mu);
    while (!e->serve && !atomic_load(&e->closing))
        pthread_cond_wait(&svc.cv, &svc.mu);
    mpr__obj_serve_fn serve = atomic_load(&e->closing) ? NULL : e->serve;
    *handle = e->handle;
    pthread_mutex_unlock(&svc.mu);
    return serve;
}

/* ---- a connection --------------------------------------------------------- */

struct call_ctx {
    struct svc_conn *conn;
    struct svc_entry *entry;
};

/* Between sleeps of a waiting call: give up if the service or the object
 * closes, or the client hung up (it sends nothing while it waits, so any
 * input means that, or a broken protocol). */
static bool call_cancelled(void *arg)
{
    struct call_ctx *ctx = arg;
    if (atomic_load(&svc.stopping) || atomic_load(&ctx->entry->closing))
        return true;
    struct pollfd p = { .fd = ctx->conn->fd, .events = POLLIN | POLLRDHUP };
    return poll(&p, 1, 0) != 0;
}

static bool ensure_buf(struct svc_conn *c, size_t len)
{
    if (len <= c->buf_cap)
        return true;
    unsigned char *b = realloc(c->buf, len);
    if (!b)
        return false;
    c->buf = b;
    c->buf_cap = len;
    return true;
}

static int attach(struct svc_entry *e, const struct mpr__objw_req *req, struct mpr__objw_rep *rep)
{
    struct mpr__obj_header *hdr = e->obj->hdr;
    if (req->arg != hdr->kind)
        return MPR_ERR_SHM; /* objects created in a different order on that rank */
    atomic_fetch_add(&hdr->attached, 1);
    rep->value = (int64_t)e->obj->max_item;
    rep->extra = e->obj->capacity;
    return MPR_SUCCESS;
}

/* Serve one request whose header is in req. False: close the connection. */
static bool serve_request(struct svc_conn *c, const struct mpr__objw_req *req)
{
    struct svc_entry *e = entry_use(req->object);
    if (!e) {
        mpr__log("object service: rank %u asks for object %u, which is not served; closing its "
                 "connection", c->client, req->object);
        return false;
    }
    struct mpr__obj_header *hdr = e->obj->hdr;
    int kind = mpr__objw_op_kind(req->op);
    const char *bad = NULL;
    if (kind != 0 && (uint32_t)kind != hdr->kind)
        bad = "an op of another kind of object";
    else if (req->length > e->obj->max_item && req->op == MPR__OBJW_QUEUE_PUT)
        bad = "an item larger than the queue's largest";
    else if (req->rank >= hdr->nranks)
        bad = "a rank outside the object's communicator";
    size_t out_cap = (size_t)mpr__objw_reply_room(req, e->obj->max_item);
    size_t need = req->length > out_cap ? req->length : out_cap;
    if (!bad && !ensure_buf(c, need ? need : 1))
        bad = "a request it has no memory for";
    if (bad || !read_full(c->fd, c->buf, req->length, HELLO_TIMEOUT_MS)) {
        if (bad)
            mpr__log("object service: rank %u sent %s; closing its connection", c->client, bad);
        entry_release(e);
        return false;
    }

    struct mpr__objw_rep rep = { .op = req->op, .seq = req->seq };
    if (req->op == MPR__OBJW_ATTACH) {
        rep.rc = attach(e, req, &rep);
    } else {
        void *handle;
        mpr__obj_serve_fn serve = entry_wait_enabled(e, &handle);
        struct call_ctx ctx = { c, e };
        struct mpr__obj_waiter w = { call_cancelled, &ctx };
        rep.rc = serve ? serve(handle, req, c->buf, c->buf, out_cap, &rep, &w) : MPR_ERR_PROC_FAILED;
    }
    entry_release(e);

    unsigned char head[MPR__OBJW_REP_BYTES];
    mpr__objw_rep_encode(&rep, head);
    return write_full(c->fd, head, sizeof(head)) &&
           (rep.length == 0 || write_full(c->fd, c->buf, rep.length));
}

/* A client that proved itself (the acceptor checked its hello): serve its
 * requests, one at a time, until it closes or the service stops. */
static void *conn_main(void *arg)
{
    struct svc_conn *c = arg;
    unsigned char in[MPR__OBJW_REQ_BYTES];
    for (;;) {
        if (!read_full(c->fd, in, MPR__OBJW_REQ_BYTES, -1))
            break; /* the client closed, or the service stops */
        struct mpr__objw_req req;
        char why[96];
        mpr__objw_req_decode(in, &req);
        if (!mpr__objw_req_check(&req, MPR_QUEUE_ITEM_MAX, why, sizeof(why))) {
            mpr__log("object service: bad request from rank %u (%s); closing its connection",
                     c->client, why);
            break;
        }
        if (!serve_request(c, &req))
            break;
    }
    shutdown(c->fd, SHUT_RDWR);
    atomic_store(&c->finished, true);
    return NULL;
}

static void conn_join(struct svc_conn *c)
{
    pthread_join(c->thread, NULL);
    close(c->fd);
    free(c->buf);
    free(c);
}

/* Join the connections whose thread has returned (all of them when all). */
static void reap_conns(bool all)
{
    struct svc_conn **pp = &svc.conns;
    while (*pp) {
        struct svc_conn *c = *pp;
        if (all || atomic_load(&c->finished)) {
            *pp = c->next;
            conn_join(c);
        } else {
            pp = &c->next;
        }
    }
}

/* Service threads take no signals: they stay with the rank's main thread.
 * They may run on any core of the host, not only on the rank's own: a rank
 * spinning on its core must not keep a remote rank's request waiting for
 * the end of its time slice (the kernel keeps them within the cpuset). */
static int spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES);
    cpu_set_t anywhere;
    CPU_ZERO(&anywhere);
    long cores = sysconf(_SC_NPROCESSORS_CONF);
    for (long c = 0; c < cores && c < CPU_SETSIZE; c++)
        CPU_SET((int)c, &anywhere);
    pthread_attr_setaffinity_np(&attr, sizeof(anywhere), &anywhere);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, &attr, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

/* ---- the acceptor: connections until they prove themselves ---------------- */

struct unproven {
    int fd; /* -1: a free slot */
    int64_t deadline_ms;
    uint64_t order; /* of acceptance: the smallest is the oldest */
    size_t got;
    unsigned char hello[MPR__OBJW_HELLO_BYTES];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_refusal(const char *why)
{
    static unsigned logged;
    if (logged > REFUSALS_LOGGED_MAX)
        return;
    if (logged++ == REFUSALS_LOGGED_MAX)
        mpr__log("object service: more connections refused; no longer logged");
    else
        mpr__log("object service: refused a connection: %s", why);
}

static void drop(struct unproven *u, const char *why)
{
    if (why)
        log_refusal(why);
    close(u->fd);
    u->fd = -1;
}

/* A proven client gets its thread; the slot is free again either way. */
static void promote(struct unproven *u, uint32_t client)
{
    int one = 1;
    setsockopt(u->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct svc_conn *c = calloc(1, sizeof(*c));
    if (!c || (c->fd = u->fd, c->client = client, spawn(&c->thread, conn_main, c)) != 0) {
        mpr__log("object service: no thread for the connection of rank %u", client);
        free(c);
        drop(u, NULL);
        return;
    }
    c->next = svc.conns;
    svc.conns = c;
    u->fd = -1;
}

/* Read what has come of u's hello (never more than a hello), judge it. */
static void read_hello(struct unproven *u)
{
    ssize_t n;
    do {
        n = recv(u->fd, u->hello + u->got, sizeof(u->hello) - u->got, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        drop(u, u->got ? "closed before a whole hello" : "closed without a hello");
        return;
    }
    u->got += (size_t)n;
    /* magic and version, byte by byte; the client rank and the secret whole */
    unsigned char want[MPR__OBJW_HELLO_BYTES];
    struct mpr__objw_hello mine = { .magic = MPR__OBJW_MAGIC, .version = MPR__OBJW_VERSION };
    mpr__objw_hello_encode(&mine, want);
    for (size_t i = 0; i < u->got && i < 12; i++) {
        if (u->hello[i] != want[i]) {
            drop(u, "not an object service hello");
            return;
        }
    }
    if (u->got < sizeof(u->hello))
        return;
    struct mpr__objw_hello h;
    mpr__objw_hello_decode(u->hello, &h);
    if (!mpr__objw_hello_check(&h, svc.nranks, svc.secret)) {
        drop(u, "a hello without the service's secret");
        return;
    }
    promote(u, h.client);
}

static void accept_all(struct unproven *slots, uint64_t *order)
{
    for (;;) {
        int fd = accept4(svc.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                static bool said;
                mpr__log_once(&said, "object service: accept: %s", strerror(errno));
            }
            return;
        }
        struct unproven *u = NULL, *oldest = &slots[0];
        for (int i = 0; i < UNPROVEN_MAX && !u; i++) {
            if (slots[i].fd < 0)
                u = &slots[i];
            else if (slots[i].order < oldest->order)
                oldest = &slots[i];
        }
        if (!u) {
            drop(oldest, "newer connections wait for a hello");
            u = oldest;
        }
        *u = (struct unproven){ .fd = fd, .deadline_ms = now_ms() + UNPROVEN_TIMEOUT_MS,
                                .order = ++*order };
        read_hello(u); /* a client sends it at once: often it is there already */
    }
}

static void *acceptor_main(void *arg)
{
    (void)arg;
    struct unproven slots[UNPROVEN_MAX];
    for (int i = 0; i < UNPROVEN_MAX; i++)
        slots[i].fd = -1;
    uint64_t order = 0;
    for (;;) {
        struct pollfd p[2 + UNPROVEN_MAX];
        struct unproven *of[2 + UNPROVEN_MAX];
        p[0] = (struct pollfd){ .fd = svc.stop_fd, .events = POLLIN };
        p[1] = (struct pollfd){ .fd = svc.listen_fd, .events = POLLIN };
        int n = 2;
        int64_t now = now_ms(), first = -1;
        for (int i = 0; i < UNPROVEN_MAX; i++) {
            if (slots[i].fd < 0)
                continue;
            if (now >= slots[i].deadline_ms) {
                drop(&slots[i], "no hello within the time allowed");
                continue;
            }
            if (first < 0 || slots[i].deadline_ms < first)
                first = slots[i].deadline_ms;
            of[n] = &slots[i];
            p[n++] = (struct pollfd){ .fd = slots[i].fd, .events = POLLIN };
        }
        int ready = poll(p, (nfds_t)n, first < 0 ? -1 : (int)(first - now));
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0 && p[0].revents)
            break;
        for (int i = 2; ready > 0 && i < n; i++) {
            if (p[i].revents)
                read_hello(of[i]);
        }
        if (ready > 0 && p[1].revents)
            accept_all(slots, &order);
        reap_conns(false);
    }
    for (int i = 0; i < UNPROVEN_MAX; i++) {
        if (slots[i].fd >= 0)
            drop(&slots[i], NULL);
    }
    reap_conns(true); /* they saw the stop too */
    return NULL;
}

/* ---- starting and stopping ----------------------------------------------- */

static int service_start(void)
{
    struct sockaddr_storage addr;
    int rc = mpr__net_listen(&svc.listen_fd, &addr);
    if (rc != MPR_SUCCESS)
        return rc;
    if (getrandom(svc.secret, sizeof(svc.secret), 0) != (ssize_t)sizeof(svc.secret) ||
        !mpr__endpoint_format((struct sockaddr *)&addr, svc.secret, svc.endpoint,
                                  sizeof(svc.endpoint)) ||
        (svc.stop_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
        mpr__log("cannot set up the object service: %s", strerror(errno));
        goto fail;
    }
    svc.nranks = (uint32_t)mpr__g.size;
    atomic_store(&svc.stopping, false);
    if (spawn(&svc.acceptor, acceptor_main, NULL) != 0) {
        mpr__log("cannot start the object service's thread");
        goto fail;
    }
    svc.running = true;
    return MPR_SUCCESS;
fail:
    close(svc.listen_fd);
    if (svc.stop_fd >= 0)
        close(svc.stop_fd);
    svc.listen_fd = svc.stop_fd = -1;
    return MPR_ERR_INTERNAL;
}

static void service_stop(void)
{
    if (!svc.running)
        return;
    atomic_store(&svc.stopping, true);
    uint64_t one = 1;
    if (write(svc.stop_fd, &one, sizeof(one)) != sizeof(one))
        abort(); /* an eventfd write of 1 cannot fail */
    pthread_join(svc.acceptor, NULL);
    close(svc.listen_fd);
    close(svc.stop_fd);
    svc.listen_fd = svc.stop_fd = -1;
    svc.running = false;
}

int mpr__obj_service_register(struct mpr__obj *obj, char *endpoint, size_t cap, uint32_t *id)
{
    if (!svc.running) {
        int rc = service_start();
        if (rc != MPR_SUCCESS)
            return rc;
    }
    struct svc_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return MPR_ERR_NO_MEM;
    e->obj = obj;
    pthread_mutex_lock(&svc.mu);
    do {
        e->id = ++svc.next_id;
    } while (e->id == 0 || find_entry(e->id));
    e->next = svc.entries;
    svc.entries = e;
    pthread_mutex_unlock(&svc.mu);
    snprintf(endpoint, cap, "%s", svc.endpoint);
    *id = e->id;
    return MPR_SUCCESS;
}

void mpr__obj_service_enable(uint32_t id, mpr__obj_serve_fn serve, void *handle)
{
    pthread_mutex_lock(&svc.mu);
    struct svc_entry *e = find_entry(id);
    if (e) {
        e->handle = handle;
        e->serve = serve;
        pthread_cond_broadcast(&svc.cv);
    }
    pthread_mutex_unlock(&svc.mu);
}

void mpr__obj_service_unregister(uint32_t id)
{
    pthread_mutex_lock(&svc.mu);
    struct svc_entry **pp = &svc.entries;
    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    struct svc_entry *e = *pp;
    if (e) {
        atomic_store(&e->closing, true);
        pthread_cond_broadcast(&svc.cv);
        while (e->users > 0)
            pthread_cond_wait(&svc.cv, &svc.mu);
        *pp = e->next;
        free(e);
    }
    bool empty = svc.entries == NULL;
    pthread_mutex_unlock(&svc.mu);
    if (empty)
        service_stop();
}

void mpr__obj_service_shutdown(void)
{
    pthread_mutex_lock(&svc.mu);
    for (struct svc_entry *e = svc.entries; e; e = e->next)
        atomic_store(&e->closing, true);
    pthread_cond_broadcast(&svc.cv);
    pthread_mutex_unlock(&svc.mu);
    service_stop(); /* joins every thread: nobody uses an entry after this */
    while (svc.entries) {
        struct svc_entry *e = svc.entries;
        svc.entries = e->next;
        free(e);
    }
}
