/*
 * objects_pipe.c - pipes between pairs of ranks (OBJ_PIPE), in scripts
 * whose outcome both ends can check.
 *
 * create   pipes between random pairs of the communicator: disjoint pairs,
 *          and some more, so that one rank may hold several pipes (with
 *          different peers, or the same peer and another id); duplex or
 *          one-way. Each end opens its own (refused input tried on the
 *          way: itself as peer, ids and modes out of range, a second open,
 *          the wrong direction, NULL buffers, NaN timeouts); a first small
 *          message may go out before the peer has opened.
 * use      a script, the same on every rank, of sends and receives over
 *          all the pipes, in a random interleaving with pauses. A message
 *          that may wait for its receiver (above a few KiB, or any but 0 B
 *          under a small MPR_UNEXPECTED_BYTES) is received right after it
 *          is sent in the script, so the script cannot deadlock whatever
 *          the ranks' speeds. Receives are of every
 *          kind: exact, into a larger buffer, first too small
 *          (MPR_ERR_TRUNCATE with the size, nothing taken, then a retry),
 *          recv_alloc, after a poll, with timeout 0. Sizes: 0 B, small,
 *          around the 64 KiB eager limit, rarely a few MiB. The last
 *          small messages may stay unread until a later call (with other
 *          calls on the communicator in between).
 * free     one end sends its last messages and closes; the other receives
 *          everything sent before the close, then MPR_ERR_EOF (by recv,
 *          recv_alloc or poll), again on a second look; its sends fail
 *          with MPR_ERR_EOF; what it sent before seeing the mark (read or
 *          not) is dropped. Or both ends close with messages unread. Then
 *          some pipes are opened again with the same id and run a short
 *          script: nothing of the old pipe shows up.
 * Every message's size and bytes are a function of the seed, the pipe,
 * its incarnation, the direction and the sequence number: checked byte by
 * byte.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"

#define SMALL_MAX 4096 /* below every eager limit: such a send never waits for the receiver */
/* ...as long as the sender's eager credit at the receiver lasts: the small
 * messages one script leaves unread between two ranks (16 pipes x 8 x 4 KiB
 * at most) plus credit not yet given back must stay below
 * MPR_UNEXPECTED_BYTES. Under a smaller bound every message but 0 B ones
 * may wait (go by rendezvous), so each is received right after its send. */
#define SMALL_CREDIT_MIN (2u << 20)
#define MAX_PIPES 16
#define MAX_NEW 6      /* new messages per direction per use */
#define MAX_LEFT 2     /* small messages left unread at the end of a use */

struct pipe_state {
    int end[2];    /* the ranks of its ends: end 0 sends direction 0 */
    int id;
    int inc;       /* incarnation: bumped at each reopen */
    bool can[2];   /* direction d (end d to end 1 - d) allowed */
    int sent[2], recvd[2];
    mpr_pipe h;    /* this rank's end, or NULL */
};

enum step_kind { ST_SEND, ST_RECV, ST_CLOSE, ST_EOF, ST_DISCARD_SEND };

/* One step of a script: ST_SEND/ST_DISCARD_SEND by the sender of
 * direction d, ST_RECV by its receiver, ST_CLOSE/ST_EOF by end d. */
struct step {
    enum step_kind kind;
    int pipe, d, seq;
};

static double obj_timeout(void)
{
    return opt.hang_seconds > 0 ? 0.75 * opt.hang_seconds : MPR_WAIT_FOREVER;
}

static uint64_t phash(const struct call *c, uint64_t a, uint64_t b)
{
    return key4(cur_seed, (uint64_t)c->index, a, b ^ 0x919e);
}

static void pause_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* ---- messages ---- */

static uint64_t msg_key(const struct objects *o, int p, int inc, int d, int seq)
{
    return key4(cur_seed, (uint64_t)o->pipe_call << 16 | (uint64_t)p, (uint64_t)inc << 1 | (uint64_t)d,
                (uint64_t)seq ^ 0x919e0000);
}

static size_t msg_len(const struct objects *o, int p, int d, int seq)
{
    static const int deltas[] = { -64, -8, -1, 0, 0, 1, 8, 64 };
    uint64_t h = mix64(msg_key(o, p, o->pipes[p].inc, d, seq));
    uint64_t cls = h % 1000, x = h / 1000;
    size_t len;
    if (cls < 60)
        len = 0;
    else if (cls < 420)
        len = 1 + x % 64;
    else if (cls < 650)
        len = 65 + x % 4032;
    else if (cls < 800)
        len = 4097 + x % 60000;
    else if (cls < 900)
        len = (size_t)(65536 + deltas[x % 8]);
    else if (cls < 985)
        len = 65537 + x % (600 << 10);
    else
        len = (1 << 20) + x % (3u << 20);
    return len < opt.max_size ? len : opt.max_size;
}

/* MPR_UNEXPECTED_BYTES as libmpr reads it (K, M, G suffixes), or its default */
static unsigned long long unexpected_bound(void)
{
    static unsigned long long bound;
    if (bound)
        return bound;
    bound = 4ull << 20;
    const char *v = getenv("MPR_UNEXPECTED_BYTES");
    char *end;
    unsigned long long n = v ? strtoull(v, &end, 10) : 0;
    if (v && end != v) {
        int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20
                  : *end == 'G' || *end == 'g' ? 30 : 0;
        bound = n << shift;
    }
    return bound;
}

/* A send that never waits for its receiver (see SMALL_CREDIT_MIN). */
static bool is_small(size_t len)
{
    return len == 0 || (len <= SMALL_MAX && unexpected_bound() >= SMALL_CREDIT_MIN);
}

static int owner_of(const struct pipe_state *ps, const struct step *st)
{
    switch (st->kind) {
    case ST_RECV:
        return ps->end[1 - st->d];
    default:
        return ps->end[st->d];
    }
}

/* ---- scripts ---- */

struct script {
    struct step *steps;
    int n, cap;
};

static void emit(struct script *sc, enum step_kind kind, int p, int d, int seq)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 64;
        sc->steps = realloc(sc->steps, sizeof(struct step) * (size_t)sc->cap);
        if (!sc->steps)
            abort();
    }
    sc->steps[sc->n++] = (struct step){ kind, p, d, seq };
}

/*
 * Sends up to target[p][d] and receives up to want[p][d], in a random
 * order (the same on every rank). A message that is not small is received
 * right after it is sent, after the ones before it: with each rank taking
 * its steps in script order, the earliest step not done can always be
 * done, so the script runs to its end at any speeds. Updates sent/recvd.
 */
static void gen_script(struct rng *r, struct objects *o, int target[][2], int want[][2],
                       struct script *sc)
{
    int np = o->npipes;
    for (;;) {
        int choices = 0;
        for (int p = 0; p < np; p++)
            for (int d = 0; d < 2; d++) {
                const struct pipe_state *ps = &o->pipes[p];
                choices += ps->sent[d] < target[p][d];
                choices += ps->recvd[d] < ps->sent[d] && ps->recvd[d] < want[p][d];
            }
        if (choices == 0)
            return;
        int x = (int)rng_below(r, (uint64_t)choices);
        for (int p = 0; p < np && x >= 0; p++)
            for (int d = 0; d < 2 && x >= 0; d++) {
                struct pipe_state *ps = &o->pipes[p];
                if (ps->sent[d] < target[p][d] && x-- == 0) {
                    int k = ps->sent[d]++;
                    emit(sc, ST_SEND, p, d, k);
                    if (!is_small(msg_len(o, p, d, k))) {
                        while (ps->recvd[d] <= k)
                            emit(sc, ST_RECV, p, d, ps->recvd[d]++);
                    }
                } else if (ps->recvd[d] < ps->sent[d] && ps->recvd[d] < want[p][d] && x-- == 0) {
                    emit(sc, ST_RECV, p, d, ps->recvd[d]++);
                }
            }
    }
}

/* ---- running a script ---- */

static void expect_rc(const struct call *c, int rc, int want, const char *what)
{
    if (rc != want)
        fail(c, "%s returned %s, expected %s", what, mpr_error_name(rc), mpr_error_name(want));
}

static void do_send(const struct call *c, struct objects *o, const struct step *st, bool discard)
{
    struct pipe_state *ps = &o->pipes[st->pipe];
    size_t len = msg_len(o, st->pipe, st->d, st->seq);
    unsigned char *buf = xmalloc(len);
    fill_bytes(buf, len, msg_key(o, st->pipe, ps->inc, st->d, st->seq));
    int rc = mpr_pipe_send(ps->h, len ? buf : NULL, len);
    if (rc != MPR_SUCCESS && !(discard && rc == MPR_ERR_EOF))
        fail(c, "pipe %d (id %d, ranks %d->%d): mpr_pipe_send of message %d (%zu bytes)%s returned %s",
             st->pipe, ps->id, ps->end[st->d], ps->end[1 - st->d], st->seq, len,
             discard ? " to a closed end" : "", mpr_error_name(rc));
    free(buf);
}

static void check_message(const struct call *c, struct objects *o, const struct step *st,
                          const void *got, size_t len, const char *how)
{
    struct pipe_state *ps = &o->pipes[st->pipe];
    size_t want = msg_len(o, st->pipe, st->d, st->seq);
    if (len != want) {
        fail(c, "pipe %d (id %d, from rank %d): message %d by %s is %zu bytes, expected %zu "
             "(another message, or one of an earlier pipe?)", st->pipe, ps->id, ps->end[st->d],
             st->seq, how, len, want);
        return;
    }
    char what[128];
    snprintf(what, sizeof(what), "pipe %d (id %d, from rank %d) message %d by %s", st->pipe, ps->id,
             ps->end[st->d], st->seq, how);
    check_bytes(c, got, len, msg_key(o, st->pipe, ps->inc, st->d, st->seq), what);
}

static void do_recv(const struct call *c, struct objects *o, const struct step *st, uint64_t h)
{
    struct pipe_state *ps = &o->pipes[st->pipe];
    size_t want = msg_len(o, st->pipe, st->d, st->seq), len = (size_t)-1;
    unsigned char *buf = xmalloc(want + 64);
    double T = obj_timeout();
    int rc, ready = -1;
    const char *how = "mpr_pipe_recv";
    switch (h % 7) {
    case 0: /* into a larger buffer */
        rc = mpr_pipe_recv(ps->h, buf, want + 1 + h / 8 % 63, &len, T);
        break;
    case 1: /* too small first: refused with the size, taken by the retry */
        if (want > 0) {
            size_t cap = (size_t)(h / 8 % want);
            rc = mpr_pipe_recv(ps->h, cap ? buf : NULL, cap, &len, T);
            if (rc != MPR_ERR_TRUNCATE || len != want)
                fail(c, "pipe %d: a receive of message %d (%zu bytes) into %zu bytes returned %s "
                     "with size %zu, expected MPR_ERR_TRUNCATE with %zu", st->pipe, st->seq, want,
                     cap, mpr_error_name(rc), len, want);
            len = (size_t)-1;
            how = "a retry after MPR_ERR_TRUNCATE";
        }
        rc = mpr_pipe_recv(ps->h, want ? buf : NULL, want, &len, T);
        break;
    case 2: {
        void *mem = NULL;
        how = "mpr_pipe_recv_alloc";
        rc = mpr_pipe_recv_alloc(ps->h, &mem, &len, T);
        if (rc == MPR_SUCCESS) {
            if (!mem)
                fail(c, "mpr_pipe_recv_alloc gave NULL for %zu bytes", len);
            else
                check_message(c, o, st, mem, len, how);
            free(mem);
            free(buf);
            return;
        }
        break;
    }
    case 3: /* a poll that waits, then a receive that must not */
        rc = mpr_pipe_poll(ps->h, T, &ready);
        if (rc != MPR_SUCCESS || ready != 1)
            fail(c, "pipe %d: mpr_pipe_poll for message %d returned %s, ready %d", st->pipe,
                 st->seq, mpr_error_name(rc), ready);
        how = "mpr_pipe_recv(timeout 0) after a poll";
        rc = mpr_pipe_recv(ps->h, buf, want, &len, MPR_NO_WAIT);
        break;
    case 4: /* a look, then a receive that must not wait when it said ready */
        rc = mpr_pipe_poll(ps->h, MPR_NO_WAIT, &ready);
        if (rc != MPR_SUCCESS || (ready != 0 && ready != 1))
            fail(c, "pipe %d: mpr_pipe_poll(0) returned %s, ready %d", st->pipe,
                 mpr_error_name(rc), ready);
        how = ready == 1 ? "mpr_pipe_recv(timeout 0) after poll(0) said ready" : "mpr_pipe_recv";
        rc = mpr_pipe_recv(ps->h, buf, want, &len, ready == 1 ? MPR_NO_WAIT : T);
        break;
    case 5: /* timeout 0 first: the message or MPR_ERR_EMPTY */
        rc = mpr_pipe_recv(ps->h, buf, want, &len, MPR_NO_WAIT);
        if (rc == MPR_ERR_EMPTY) {
            if (len != (size_t)-1)
                fail(c, "mpr_pipe_recv(timeout 0) set the size to %zu with MPR_ERR_EMPTY", len);
            rc = mpr_pipe_recv(ps->h, buf, want, &len, T);
        }
        break;
    default:
        rc = mpr_pipe_recv(ps->h, want ? buf : NULL, want, &len, T);
    }
    if (rc != MPR_SUCCESS)
        fail(c, "pipe %d (id %d, from rank %d): %s of message %d (%zu bytes) returned %s%s",
             st->pipe, ps->id, ps->end[st->d], how, st->seq, want, mpr_error_name(rc),
             rc == MPR_ERR_TIMEOUT ? " (it never came: a hang)" : "");
    else
        check_message(c, o, st, buf, len, how);
    free(buf);
}

/* Everything the peer sent has been received: now the end of the stream */
static void do_eof(const struct call *c, struct objects *o, const struct step *st, uint64_t h)
{
    struct pipe_state *ps = &o->pipes[st->pipe];
    unsigned char buf[8];
    size_t len = 0;
    void *mem = NULL;
    int rc, ready = -1;
    double T = obj_timeout();
    if (!ps->can[1 - st->d]) {
        /* a write end cannot look for the mark: its sends succeed (dropped) until it is there */
        rc = mpr_pipe_send(ps->h, buf, 1);
        if (rc != MPR_SUCCESS && rc != MPR_ERR_EOF)
            fail(c, "pipe %d: a send to the closed read end returned %s", st->pipe, mpr_error_name(rc));
        return;
    }
    switch (h % 3) {
    case 0:
        rc = mpr_pipe_recv(ps->h, buf, sizeof(buf), &len, T);
        expect_rc(c, rc, MPR_ERR_EOF, "a receive after the peer closed and all was read");
        break;
    case 1:
        rc = mpr_pipe_recv_alloc(ps->h, &mem, &len, T);
        expect_rc(c, rc, MPR_ERR_EOF, "a recv_alloc after the peer closed and all was read");
        if (rc == MPR_SUCCESS)
            free(mem);
        break;
    default:
        rc = mpr_pipe_poll(ps->h, T, &ready);
        if (rc != MPR_SUCCESS || ready != 1)
            fail(c, "pipe %d: a poll after the peer closed returned %s, ready %d", st->pipe,
                 mpr_error_name(rc), ready);
    }
    if (rc == MPR_SUCCESS && h % 3 != 2)
        fail(c, "pipe %d (id %d): a message (%zu bytes) after everything rank %d sent before "
             "its close", st->pipe, ps->id, len, ps->end[1 - st->d]);
    rc = mpr_pipe_recv(ps->h, buf, sizeof(buf), &len, MPR_NO_WAIT);
    expect_rc(c, rc, MPR_ERR_EOF, "a second look at the end of the stream");
    rc = mpr_pipe_poll(ps->h, MPR_NO_WAIT, &ready);
    if (rc != MPR_SUCCESS || ready != 1)
        fail(c, "pipe %d: poll(0) at the end of the stream returned %s, ready %d", st->pipe,
             mpr_error_name(rc), ready);
    if (ps->can[st->d]) {
        rc = mpr_pipe_send(ps->h, buf, 1);
        expect_rc(c, rc, MPR_ERR_EOF, "a send after seeing the end of the stream");
    }
}

static void do_close(const struct call *c, struct pipe_state *ps)
{
    check_rc(c, mpr_pipe_close(&ps->h), "mpr_pipe_close");
    if (ps->h)
        fail(c, "mpr_pipe_close left the handle set");
    expect_rc(c, mpr_pipe_close(&ps->h), MPR_ERR_ARG, "closing a closed (NULL) pipe");
}

static void run_script(const struct call *c, struct slot *s, const struct script *sc, uint64_t salt)
{
    struct objects *o = &s->obj;
    for (int i = 0; i < sc->n; i++) {
        const struct step *st = &sc->steps[i];
        struct pipe_state *ps = &o->pipes[st->pipe];
        if (owner_of(ps, st) != s->rank)
            continue;
        uint64_t h = phash(c, salt, (uint64_t)i);
        if (h % 16 == 0)
            pause_us((long)(h / 16 % 1500));
        switch (st->kind) {
        case ST_SEND:
            do_send(c, o, st, false);
            break;
        case ST_DISCARD_SEND:
            do_send(c, o, st, true);
            break;
        case ST_RECV:
            do_recv(c, o, st, h / 16 / 1500);
            break;
        case ST_EOF:
            do_eof(c, o, st, h / 16 / 1500);
            break;
        case ST_CLOSE:
            do_close(c, ps);
            break;
        }
    }
}

/* ---- opening ---- */

static int end_mode(const struct pipe_state *ps, int e)
{
    if (ps->can[0] && ps->can[1])
        return MPR_PIPE_DUPLEX;
    return ps->can[e] ? MPR_PIPE_WRITE : MPR_PIPE_READ;
}

static void draw_mode(struct pipe_state *ps, uint64_t h)
{
    ps->can[0] = h % 3 != 2;
    ps->can[1] = h % 3 != 1;
}

static int my_end(const struct pipe_state *ps, int me)
{
    return ps->end[0] == me ? 0 : ps->end[1] == me ? 1 : -1;
}

static void open_end(const struct call *c, struct slot *s, struct pipe_state *ps)
{
    int e = my_end(ps, s->rank);
    if (e < 0)
        return;
    int rc = mpr_pipe_open(s->comm, ps->end[1 - e], ps->id, end_mode(ps, e), &ps->h);
    check_rc(c, rc, "mpr_pipe_open");
    if (rc != MPR_SUCCESS)
        ps->h = NULL;
}

/* Refused input on this rank's end of ps (open already) */
static void bad_input(const struct call *c, struct slot *s, struct pipe_state *ps)
{
    int e = my_end(ps, s->rank), peer = ps->end[1 - e], mode = end_mode(ps, e);
    mpr_pipe extra = NULL;
    unsigned char buf[4] = { 0 };
    size_t len = 0;
    void *mem = NULL;
    int ready = 0;
    expect_rc(c, mpr_pipe_open(s->comm, peer, ps->id, mode, &extra), MPR_ERR_VALUE,
              "opening an open pipe again");
    expect_rc(c, mpr_pipe_open(s->comm, s->rank, ps->id, mode, &extra), MPR_ERR_ARG,
              "a pipe to this rank itself");
    expect_rc(c, mpr_pipe_open(s->comm, s->size, ps->id, mode, &extra), MPR_ERR_ARG,
              "a pipe to a rank beyond the communicator");
    expect_rc(c, mpr_pipe_open(s->comm, -1, ps->id, mode, &extra), MPR_ERR_ARG, "a pipe to rank -1");
    expect_rc(c, mpr_pipe_open(s->comm, peer, -1, mode, &extra), MPR_ERR_ARG, "pipe id -1");
    expect_rc(c, mpr_pipe_open(s->comm, peer, MPR_PIPE_ID_MAX + 1, mode, &extra), MPR_ERR_ARG,
              "pipe id MPR_PIPE_ID_MAX + 1");
    expect_rc(c, mpr_pipe_open(s->comm, peer, ps->id, 3, &extra), MPR_ERR_ARG, "pipe mode 3");
    expect_rc(c, mpr_pipe_open(s->comm, peer, ps->id, mode, NULL), MPR_ERR_ARG, "a NULL pipe pointer");
    if (extra)
        fail(c, "a refused mpr_pipe_open set the handle");
    expect_rc(c, mpr_pipe_send(NULL, buf, 1), MPR_ERR_ARG, "a send on a NULL pipe");
    if (mode == MPR_PIPE_READ)
        expect_rc(c, mpr_pipe_send(ps->h, buf, 1), MPR_ERR_ARG, "a send on a read end");
    else
        expect_rc(c, mpr_pipe_send(ps->h, NULL, 1), MPR_ERR_ARG, "a send of 1 byte from NULL");
    if (mode == MPR_PIPE_WRITE) {
        expect_rc(c, mpr_pipe_recv(ps->h, buf, sizeof(buf), &len, MPR_NO_WAIT), MPR_ERR_ARG,
                  "a receive on a write end");
        expect_rc(c, mpr_pipe_recv_alloc(ps->h, &mem, &len, MPR_NO_WAIT), MPR_ERR_ARG,
                  "a recv_alloc on a write end");
        expect_rc(c, mpr_pipe_poll(ps->h, MPR_NO_WAIT, &ready), MPR_ERR_ARG, "a poll on a write end");
    } else {
        expect_rc(c, mpr_pipe_recv(ps->h, NULL, 4, &len, MPR_NO_WAIT), MPR_ERR_ARG,
                  "a receive into NULL with room 4");
        expect_rc(c, mpr_pipe_recv(ps->h, buf, sizeof(buf), &len, NAN), MPR_ERR_ARG,
                  "a receive with a NaN timeout");
        expect_rc(c, mpr_pipe_poll(ps->h, NAN, &ready), MPR_ERR_ARG, "a poll with a NaN timeout");
        expect_rc(c, mpr_pipe_poll(ps->h, MPR_NO_WAIT, NULL), MPR_ERR_ARG, "a poll into NULL");
        expect_rc(c, mpr_pipe_recv_alloc(ps->h, NULL, &len, MPR_NO_WAIT), MPR_ERR_ARG,
                  "a recv_alloc into NULL");
    }
}

int pipe_obj_create(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    int n = s->size;
    o->pipe_call = c->index;
    o->npipes = 0;
    o->pipes = calloc(MAX_PIPES, sizeof(struct pipe_state));
    if (!o->pipes)
        abort();
    if (n == 1) { /* no pipe to make: only a refused one */
        mpr_pipe p = NULL;
        expect_rc(c, mpr_pipe_open(s->comm, 0, 1, MPR_PIPE_DUPLEX, &p), MPR_ERR_ARG,
                  "a pipe to this rank itself");
        return MPR_SUCCESS;
    }
    /* disjoint pairs of a permutation, most of them, then a few more */
    int *perm = xmalloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(phash(c, 0x9e0, (uint64_t)i) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i + 1 < n && o->npipes < MAX_PIPES - 3; i += 2)
        if (o->npipes == 0 || phash(c, 0x9e1, (uint64_t)i) % 4 != 0) {
            o->pipes[o->npipes].end[0] = perm[i];
            o->pipes[o->npipes++].end[1] = perm[i + 1];
        }
    int more = (int)(c->raw[1] % 4);
    for (int i = 0; i < more; i++) {
        int a = (int)(phash(c, 0x9e2, (uint64_t)i) % (uint64_t)n);
        int b = (a + 1 + (int)(phash(c, 0x9e3, (uint64_t)i) % (uint64_t)(n - 1))) % n;
        o->pipes[o->npipes].end[0] = a;
        o->pipes[o->npipes++].end[1] = b;
    }
    free(perm);
    /* distinct ids, sometimes wrapping from MPR_PIPE_ID_MAX to 0 */
    uint64_t base = c->raw[2] % 4 == 0 ? MPR_PIPE_ID_MAX - 1 : c->raw[2] / 4;
    for (int p = 0; p < o->npipes; p++) {
        struct pipe_state *ps = &o->pipes[p];
        ps->id = (int)((base + (uint64_t)p) % ((uint64_t)MPR_PIPE_ID_MAX + 1));
        draw_mode(ps, phash(c, 0x9e4, (uint64_t)p));
        open_end(c, s, ps);
        uint64_t h = phash(c, 0x9e5, (uint64_t)(p * 256 + s->rank));
        if (ps->h && h % 4 == 0)
            bad_input(c, s, ps);
    }
    /* a first small message, maybe before the peer has opened */
    for (int p = 0; p < o->npipes; p++) {
        struct pipe_state *ps = &o->pipes[p];
        uint64_t h = phash(c, 0x9e6, (uint64_t)p);
        int d = (int)(h % 2);
        if (!ps->can[d])
            d = 1 - d;
        if (h / 2 % 3 != 0 || !is_small(msg_len(o, p, d, 0)))
            continue;
        struct step st = { ST_SEND, p, d, ps->sent[d]++ };
        if (ps->end[d] == s->rank)
            do_send(c, o, &st, false);
    }
    return MPR_SUCCESS;
}

void pipe_obj_use(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    int (*target)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES), (*want)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES);
    struct rng r = { phash(c, 0x9f0, 0) };
    for (int p = 0; p < o->npipes; p++)
        for (int d = 0; d < 2; d++) {
            struct pipe_state *ps = &o->pipes[p];
            target[p][d] = ps->sent[d] + (ps->can[d] ? (int)rng_below(&r, MAX_NEW + 1) : 0);
            /* the last small ones may stay unread */
            int left = (int)rng_below(&r, MAX_LEFT + 1), k = target[p][d];
            while (left-- > 0 && k > ps->recvd[d] && is_small(msg_len(o, p, d, k - 1)))
                k--;
            want[p][d] = k;
        }
    struct script sc = { 0 };
    gen_script(&r, o, target, want, &sc);
    run_script(c, s, &sc, 0x9f1);
    free(sc.steps);
    free(target);
    free(want);
}

/* Close the pipes in `which` (one end first, or both at once) */
static void close_pipes(const struct call *c, struct slot *s, struct rng *r, uint64_t salt,
                        int max_last, const bool *which)
{
    struct objects *o = &s->obj;
    int np = o->npipes;
    int (*target)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES), (*want)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES);
    int closer[MAX_PIPES]; /* end 0 or 1, or 2: both at once */
    for (int p = 0; p < np; p++) {
        struct pipe_state *ps = &o->pipes[p];
        closer[p] = which[p] ? (int)rng_below(r, 5) % 3 : -1;
        for (int d = 0; d < 2; d++) {
            /* the closer's last messages, all received; nothing more the other way */
            bool last = closer[p] == d && ps->can[d];
            target[p][d] = ps->sent[d] + (last ? (int)rng_below(r, (uint64_t)max_last + 1) : 0);
            want[p][d] = closer[p] == d ? target[p][d] : ps->recvd[d];
        }
    }
    /* every send of the scripts before is done: none of them may meet a close */
    group_sync(c, s);
    struct script sc = { 0 };
    gen_script(r, o, target, want, &sc);
    for (int p = 0; p < np; p++) {
        struct pipe_state *ps = &o->pipes[p];
        int e = closer[p];
        if (e < 0)
            continue;
        if (e == 2) {
            emit(&sc, ST_CLOSE, p, 0, 0);
            emit(&sc, ST_CLOSE, p, 1, 0);
            continue;
        }
        emit(&sc, ST_CLOSE, p, e, 0);
        /* the survivor's sends to the closed end: dropped (or refused) */
        int drops = ps->can[1 - e] ? (int)rng_below(r, 3) : 0;
        for (int k = 0; k < drops; k++)
            emit(&sc, ST_DISCARD_SEND, p, 1 - e, ps->sent[1 - e]++);
        emit(&sc, ST_EOF, p, 1 - e, 0);
        emit(&sc, ST_CLOSE, p, 1 - e, 0);
    }
    run_script(c, s, &sc, salt);
    free(sc.steps);
    free(target);
    free(want);
}

void pipe_obj_free(const struct call *c, struct slot *s)
{
    struct objects *o = &s->obj;
    struct rng r = { phash(c, 0x9f2, 0) };
    bool every[MAX_PIPES], again[MAX_PIPES], any = false;
    for (int p = 0; p < o->npipes; p++)
        every[p] = true;
    close_pipes(c, s, &r, 0x9f3, 3, every);
    group_sync(c, s); /* both ends closed: the ids may be opened again */
    int (*target)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES), (*want)[2] = xmalloc(sizeof(int[2]) * MAX_PIPES);
    for (int p = 0; p < o->npipes; p++) {
        struct pipe_state *ps = &o->pipes[p];
        again[p] = rng_below(&r, 2);
        for (int d = 0; d < 2; d++) { /* closed: nothing more */
            target[p][d] = ps->sent[d];
            want[p][d] = ps->recvd[d];
        }
        if (!again[p])
            continue;
        any = true;
        ps->inc++; /* new messages: none of the old pipe's may show up */
        ps->sent[0] = ps->sent[1] = ps->recvd[0] = ps->recvd[1] = 0;
        draw_mode(ps, rng_next(&r));
        open_end(c, s, ps);
        for (int d = 0; d < 2; d++)
            target[p][d] = want[p][d] = ps->can[d] ? 1 + (int)rng_below(&r, 3) : 0;
    }
    if (any) {
        struct script sc = { 0 };
        gen_script(&r, o, target, want, &sc);
        run_script(c, s, &sc, 0x9f4);
        free(sc.steps);
        close_pipes(c, s, &r, 0x9f5, 1, again);
        group_sync(c, s); /* closed again before a later pipe of this communicator opens */
    }
    free(target);
    free(want);
    free(o->pipes);
    o->pipes = NULL;
    o->npipes = 0;
}
