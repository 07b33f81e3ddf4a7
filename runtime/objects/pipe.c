/*
 * pipe.c - mpr_pipe_*: a connection between two ranks of a communicator,
 * opened by those two alone (Python's Pipe).
 *
 * A pipe is point-to-point messaging under another name, so it has p2p's
 * latency, works over every transport and fails as p2p does. Its messages
 * travel on the communicator's collective context (ctx_coll) with tags
 * from MPR__TAG_PIPE_BASE up, which no collective uses and no user call
 * can match: pipe `id` sends its data with tag BASE + 2 id and its
 * end-of-stream mark (a 0-byte message sent by close) with BASE + 2 id + 1.
 *
 * A receive takes the first message of the pipe (data or mark, in arrival
 * order) from the unexpected queue if one is there, after a look at its
 * size: a message too large for the caller's buffer stays where it is
 * (MPR_ERR_TRUNCATE with its size). If none is there, mpr_pipe_recv posts
 * a receive into the caller's buffer, as mpr_recv does (so the latency is
 * p2p's), one that declines a longer message rather than truncate it
 * (mpr__recv_start_declining); it withdraws it when the mark arrives
 * first. The mark is seen exactly after the data sent before it, since a
 * pair's channel is consumed in order. poll and recv_alloc, which have no
 * buffer to post, wait for the unexpected message.
 *
 * A closed end may still get messages its peer sent before it learned of
 * the close. Until the peer's own mark arrives the end stays on a list of
 * closed ends ("leftovers") that every pipe call and every progress pass
 * (through mpr__g.after_progress, set only while there are leftovers)
 * sweep, dropping those messages up to the mark; so a peer blocked sending
 * a large message to a closed end is released whatever this rank waits
 * for. Reopening the same pipe id inherits the leftover: the new end drops
 * what came before the old peer's mark, so messages of two incarnations
 * never mix. mpr_finalize waits until every leftover is done: every peer's
 * mark or finalize notice comes before its finalize barrier anyway.
 */
#include <math.h>
#include <stdlib.h>

#include "coll/coll.h"
#include "objects/objects.h"
#include "objects/pipe.h"

#define PIPE_MAGIC 0x70697065u /* "pipe" */

struct mpr_pipe {
    uint32_t magic;
    uint32_t ctx;    /* the communicator's ctx_coll (not the communicator:
                      * it may be freed while the pipe is open) */
    int world_peer;  /* messages name ranks of MPR_COMM_WORLD, with ctx */
    int id;
    int mode;        /* MPR_PIPE_DUPLEX, _READ or _WRITE */
    bool peer_closed; /* the peer's mark was taken: nothing more comes */
    int stale;       /* marks of earlier incarnations still to discard up to */
    struct mpr_request *discarding; /* the stale message being dropped */
    bool leftover;   /* closed: only the sweep still looks at it */
    struct mpr_pipe *prev, *next;
};

/* Open ends and leftovers of closed ones, in one list. */
static struct mpr_pipe *pipes;
static int nleftovers;

static int data_tag(int id)
{
    return MPR__TAG_PIPE_BASE + 2 * id;
}

static int mark_tag(int id)
{
    return MPR__TAG_PIPE_BASE + 2 * id + 1;
}

static void list_add(struct mpr_pipe *p)
{
    p->prev = NULL;
    p->next = pipes;
    if (pipes)
        pipes->prev = p;
    pipes = p;
}

static void list_remove(struct mpr_pipe *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        pipes = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

static struct mpr_pipe *list_find(uint32_t ctx, int world_peer, int id)
{
    for (struct mpr_pipe *p = pipes; p; p = p->next)
        if (p->ctx == ctx && p->world_peer == world_peer && p->id == id)
            return p;
    return NULL;
}

/* The first message of p's pipe that has arrived (data or mark), or NULL. */
static struct mpr__msg *first_arrived(const struct mpr_pipe *p)
{
    uint32_t ctx = p->ctx;
    int dtag = data_tag(p->id), mtag = mark_tag(p->id);
    for (struct mpr__qlink *l = mpr__g.unexpected.head.next; l != &mpr__g.unexpected.head;
         l = l->next) {
        struct mpr__msg *m = mpr__container_of(l, struct mpr__msg, match.link);
        if (m->match.source == p->world_peer && m->match.ctx == ctx &&
            (m->match.tag == dtag || m->match.tag == mtag))
            return m;
    }
    return NULL;
}

/* Take the first message with `tag` into buf (cap bytes). Returns the
 * receive's result. */
static int take(const struct mpr_pipe *p, int tag, void *buf, size_t cap)
{
    struct mpr_request *req;
    int rc = mpr__recv_start(buf, cap, p->world_peer, tag, MPR_COMM_WORLD, p->ctx, &req);
    if (rc != MPR_SUCCESS)
        return rc;
    return mpr__wait_request(req, NULL);
}

/*
 * Drop what earlier incarnations of p's pipe left (data up to their
 * marks), as far as it has arrived. Never waits: a message still arriving
 * (a rendezvous pulled with room for nothing, fragments) is left to finish
 * in p->discarding. Returns how many messages it started to drop.
 */
static int discard_stale(struct mpr_pipe *p)
{
    int dropped = 0;
    for (;;) {
        if (p->discarding) {
            if (!p->discarding->done)
                return dropped;
            mpr__request_free(p->discarding); /* MPR_ERR_TRUNCATE, as meant */
            p->discarding = NULL;
        }
        struct mpr__msg *m = p->stale > 0 ? first_arrived(p) : NULL;
        if (!m)
            return dropped;
        if (m->match.tag == mark_tag(p->id))
            p->stale--;
        if (mpr__recv_start(NULL, 0, p->world_peer, m->match.tag, MPR_COMM_WORLD, p->ctx,
                            &p->discarding) != MPR_SUCCESS)
            return dropped;
        dropped++;
    }
}

/* The first live message of the pipe, or NULL when none has arrived (or
 * stale ones are still being dropped). */
static struct mpr__msg *first_message(struct mpr_pipe *p)
{
    discard_stale(p);
    return p->stale == 0 && !p->discarding ? first_arrived(p) : NULL;
}

/* A leftover is done once its peer's mark is taken or the peer ended. */
static bool leftover_done(struct mpr_pipe *p)
{
    discard_stale(p);
    return !p->discarding &&
           (p->stale == 0 || mpr__recv_cannot_match(p->world_peer, p->ctx, MPR_COMM_WORLD));
}

static int sweep_leftovers(void);

static void add_leftover(struct mpr_pipe *p)
{
    p->leftover = true;
    if (nleftovers++ == 0)
        mpr__g.after_progress = sweep_leftovers; /* on every progress pass */
}

static void drop_leftover(struct mpr_pipe *p)
{
    list_remove(p);
    if (--nleftovers == 0)
        mpr__g.after_progress = NULL;
    free(p);
}

/* Drop what has arrived for closed ends, and the ends that are done.
 * Runs at every pipe call and, while there are leftovers, at the end of
 * every mpr__progress pass, so a peer blocked sending a large message to
 * a closed end is released whatever this rank waits for. Never waits. */
static int sweep_leftovers(void)
{
    static bool sweeping; /* a pull may drive progress: no second sweep */
    if (sweeping)
        return 0;
    sweeping = true;
    int dropped = 0;
    struct mpr_pipe *p = pipes;
    while (p) {
        struct mpr_pipe *next = p->next;
        if (p->leftover) {
            dropped += discard_stale(p);
            if (leftover_done(p))
                drop_leftover(p);
        }
        p = next;
    }
    sweeping = false;
    return dropped;
}

static int check_pipe(mpr_pipe p)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if (!p || p->magic != PIPE_MAGIC || p->leftover)
        return MPR_ERR_ARG;
    if (nleftovers > 0)
        sweep_leftovers();
    return MPR_SUCCESS;
}

int mpr_pipe_open(mpr_comm comm, int peer, int id, int mode, mpr_pipe *pipe)
{
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (!pipe || peer < 0 || peer >= comm->size || peer == comm->rank || id < 0 ||
        id > MPR_PIPE_ID_MAX ||
        (mode != MPR_PIPE_DUPLEX && mode != MPR_PIPE_READ && mode != MPR_PIPE_WRITE))
        return MPR_ERR_ARG;
    sweep_leftovers();
    int world_peer = mpr__world_rank(comm, peer);
    struct mpr_pipe *old = list_find(comm->ctx_coll, world_peer, id);
    if (old && !old->leftover)
        return MPR_ERR_VALUE;
    struct mpr_pipe *p = calloc(1, sizeof(*p));
    if (!p)
        return MPR_ERR_NO_MEM;
    p->magic = PIPE_MAGIC;
    p->ctx = comm->ctx_coll;
    p->world_peer = world_peer;
    p->id = id;
    p->mode = mode;
    if (old) { /* what the old incarnation's peer sent is not ours */
        p->stale = old->stale;
        p->discarding = old->discarding;
        drop_leftover(old);
    }
    list_add(p);
    *pipe = p;
    return MPR_SUCCESS;
}

/* Has the peer closed its end? Takes its mark when nothing precedes it. */
static bool peer_has_closed(struct mpr_pipe *p)
{
    if (p->peer_closed)
        return true;
    struct mpr__msg *m = first_message(p);
    if (m && m->match.tag == mark_tag(p->id)) {
        take(p, m->match.tag, NULL, 0); /* 0 bytes: done at once */
        p->peer_closed = true;
        return true;
    }
    if (!m)
        return false;
    /* Data still to read comes first; is a mark behind it? */
    for (struct mpr__qlink *l = m->match.link.next; l != &mpr__g.unexpected.head; l = l->next) {
        const struct mpr__msg *n = mpr__container_of(l, struct mpr__msg, match.link);
        if (n->match.source == p->world_peer && n->match.ctx == p->ctx &&
            n->match.tag == mark_tag(p->id))
            return true;
    }
    return false;
}

int mpr_pipe_send(mpr_pipe p, const void *buf, size_t len)
{
    int rc = check_pipe(p);
    if (rc != MPR_SUCCESS)
        return rc;
    if ((!buf && len > 0) || p->mode == MPR_PIPE_READ)
        return MPR_ERR_ARG;
    if (peer_has_closed(p))
        return MPR_ERR_EOF;
    struct mpr_request *req;
    rc = mpr__send_start(buf, len, p->world_peer, data_tag(p->id), MPR_COMM_WORLD, p->ctx,
                         &req);
    if (rc != MPR_SUCCESS)
        return rc;
    return mpr__wait_request(req, NULL);
}

struct arrival {
    struct mpr_pipe *p;
    struct mpr__msg *msg;
};

static int arrival_poll(void *arg)
{
    struct arrival *a = arg;
    if ((a->msg = first_message(a->p)))
        return MPR_SUCCESS;
    if (mpr__recv_cannot_match(a->p->world_peer, a->p->ctx, MPR_COMM_WORLD))
        return MPR_ERR_PROC_FAILED;
    return MPR__PENDING;
}

/*
 * Wait up to timeout (< 0 forever, 0 one look) for the pipe's next message.
 * MPR_SUCCESS with *msg set; MPR_ERR_EOF (the mark is taken);
 * MPR_ERR_EMPTY (timeout 0) or MPR_ERR_TIMEOUT; MPR_ERR_PROC_FAILED.
 */
static int next_message(struct mpr_pipe *p, double timeout, struct mpr__msg **msg)
{
    if (p->peer_closed)
        return MPR_ERR_EOF;
    struct arrival a = { .p = p };
    int rc = arrival_poll(&a);
    if (rc == MPR__PENDING && timeout != 0) {
        struct mpr__match_item watched = { .source = p->world_peer, .tag = data_tag(p->id),
                                           .ctx = p->ctx };
        mpr__g.probing = &watched; /* liveness watches the peer, as for a probe */
        mpr__g.probing_comm = MPR_COMM_WORLD;
        struct mpr__wait w = {
            .poll = arrival_poll, .arg = &a, .by_messages = true,
            .deadline = timeout < 0 ? INFINITY : mpr_wtime() + timeout,
        };
        rc = mpr__wait(&w);
        mpr__g.probing = NULL;
    } else if (rc == MPR__PENDING) {
        mpr__progress();
        rc = arrival_poll(&a);
        if (rc == MPR__PENDING)
            return MPR_ERR_EMPTY;
    }
    if (rc != MPR_SUCCESS)
        return rc;
    if (a.msg->match.tag == mark_tag(p->id)) {
        take(p, a.msg->match.tag, NULL, 0);
        p->peer_closed = true;
        return MPR_ERR_EOF;
    }
    *msg = a.msg;
    return MPR_SUCCESS;
}

static int check_recv(mpr_pipe p, double timeout)
{
    int rc = check_pipe(p);
    if (rc != MPR_SUCCESS)
        return rc;
    if (p->mode == MPR_PIPE_WRITE || isnan(timeout))
        return MPR_ERR_ARG;
    return MPR_SUCCESS;
}

struct posted {
    struct mpr_pipe *p;
    struct mpr_request *req;
};

static bool still_posted(const struct mpr_request *req)
{
    return req->match.link.next != NULL;
}

static int posted_poll(void *arg)
{
    struct posted *w = arg;
    if (w->req->done)
        return MPR_SUCCESS;
    if (still_posted(w->req)) {
        struct mpr__msg *m = first_arrived(w->p);
        if (m && m->match.tag == mark_tag(w->p->id))
            return MPR_ERR_EOF; /* no data came before the mark */
    }
    return MPR__PENDING;
}

/*
 * The receive when nothing has arrived yet: posted into the caller's
 * buffer, so the message lands there as a mpr_recv's would (one copy, no
 * unexpected message). The receive declines a message longer than cap
 * (which then stays unexpected), and is withdrawn when the mark comes or
 * the time runs out before a message matched it.
 */
static int recv_posted(struct mpr_pipe *p, void *buf, size_t cap, size_t *len_out,
                       double timeout)
{
    struct posted w = { .p = p };
    int rc = mpr__recv_start_declining(buf, cap, p->world_peer, data_tag(p->id),
                                       MPR_COMM_WORLD, p->ctx, &w.req);
    if (rc != MPR_SUCCESS)
        return rc;
    struct mpr__wait wait = {
        .poll = posted_poll, .arg = &w, .by_messages = true,
        .deadline = timeout < 0 ? INFINITY : mpr_wtime() + timeout,
    };
    rc = mpr__wait(&wait);
    if (!w.req->done && still_posted(w.req)) { /* the mark, or the time is up */
        mpr__queue_remove(&mpr__g.posted, &w.req->match.link);
        mpr__request_free(w.req);
        if (rc == MPR_ERR_EOF) {
            take(p, mark_tag(p->id), NULL, 0);
            p->peer_closed = true;
        }
        return rc;
    }
    size_t len = w.req->status.count;
    rc = mpr__wait_request(w.req, NULL); /* a matched message still arriving: let it */
    if ((rc == MPR_SUCCESS || rc == MPR_ERR_TRUNCATE) && len_out)
        *len_out = len;
    return rc;
}

int mpr_pipe_recv(mpr_pipe p, void *buf, size_t cap, size_t *len_out, double timeout)
{
    int rc = check_recv(p, timeout);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!buf && cap > 0)
        return MPR_ERR_ARG;
    if (!p->peer_closed && timeout != 0 && !first_message(p) && p->stale == 0 &&
        !p->discarding) {
        rc = recv_posted(p, buf, cap, len_out, timeout);
        /* A peer that ended fails the posted receive, even when its last
         * messages (its mark, say) came in the same pass: take those. */
        if (rc != MPR_ERR_PROC_FAILED || !first_message(p))
            return rc;
    }
    struct mpr__msg *msg;
    if ((rc = next_message(p, timeout, &msg)) != MPR_SUCCESS)
        return rc;
    size_t len = msg->len;
    if (len > cap) {
        if (len_out)
            *len_out = len;
        return MPR_ERR_TRUNCATE; /* left in place for a retry */
    }
    if ((rc = take(p, data_tag(p->id), buf, cap)) != MPR_SUCCESS)
        return rc;
    if (len_out)
        *len_out = len;
    return MPR_SUCCESS;
}

int mpr_pipe_recv_alloc(mpr_pipe p, void **buf, size_t *len, double timeout)
{
    int rc = check_recv(p, timeout);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!buf || !len)
        return MPR_ERR_ARG;
    struct mpr__msg *msg;
    if ((rc = next_message(p, timeout, &msg)) != MPR_SUCCESS)
        return rc;
    size_t n = msg->len;
    void *data = malloc(n ? n : 1);
    if (!data)
        return MPR_ERR_NO_MEM;
    if ((rc = take(p, data_tag(p->id), data, n)) != MPR_SUCCESS) {
        free(data);
        return rc;
    }
    *buf = data;
    *len = n;
    return MPR_SUCCESS;
}

int mpr_pipe_poll(mpr_pipe p, double timeout, int *ready)
{
    int rc = check_recv(p, timeout);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!ready)
        return MPR_ERR_ARG;
    if (p->peer_closed) {
        *ready = 1;
        return MPR_SUCCESS;
    }
    struct mpr__msg *msg;
    rc = next_message(p, timeout, &msg);
    if (rc == MPR_ERR_EMPTY || rc == MPR_ERR_TIMEOUT) {
        *ready = 0;
        return MPR_SUCCESS;
    }
    if (rc != MPR_SUCCESS && rc != MPR_ERR_EOF)
        return rc;
    *ready = 1;
    return MPR_SUCCESS;
}

/* Send the mark and keep the end as a leftover until the peer's arrives. */
static void close_end(struct mpr_pipe *p)
{
    struct mpr_request *req;
    if (!mpr__recv_cannot_match(p->world_peer, p->ctx, MPR_COMM_WORLD) &&
        mpr__send_start(NULL, 0, p->world_peer, mark_tag(p->id), MPR_COMM_WORLD, p->ctx, &req) ==
            MPR_SUCCESS)
        mpr__wait_request(req, NULL); /* a dead peer fails it: nothing to tell */
    if (!p->peer_closed)
        p->stale++;
    add_leftover(p);
    if (leftover_done(p))
        drop_leftover(p);
}

int mpr_pipe_close(mpr_pipe *pipe)
{
    if (!pipe)
        return MPR_ERR_ARG;
    int rc = check_pipe(*pipe);
    if (rc != MPR_SUCCESS)
        return rc;
    close_end(*pipe);
    *pipe = NULL;
    return MPR_SUCCESS;
}

void mpr__pipe_close_all(void)
{
    /* From the head each time: closing waits (for the mark's send), and
     * the sweep in progress may drop any leftover meanwhile. */
    for (;;) {
        struct mpr_pipe *p = pipes;
        while (p && p->leftover)
            p = p->next;
        if (!p)
            return;
        close_end(p);
    }
}

static int leftovers_done(void *arg)
{
    (void)arg;
    sweep_leftovers();
    return nleftovers == 0 ? MPR_SUCCESS : MPR__PENDING;
}


void mpr__pipe_drain_leftovers(void)
{
    struct mpr__wait w = {
        .poll = leftovers_done, .by_messages = true, .deadline = INFINITY,
    };
    mpr__wait(&w);
}
