/*
 * p2p_trunc - a message longer than the receive buffer: MPR_ERR_TRUNCATE,
 * status.count = the real size, the first len bytes written, nothing past
 * the buffer; and the next message still arrives intact.
 *
 *   mprun -n N p2p_trunc        (rank 0 sends to rank N-1; N = 1 sends to self)
 *
 * Receive buffers end GUARD bytes before an inaccessible page; the guard
 * bytes must keep their value. Small (100 B into 10 B) and large (1 MiB
 * into 1000 B) messages, blocking and non-blocking receives, mpr_test,
 * wildcards, a zero-length buffer, waitall, sendrecv, unexpected messages.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

enum { GUARD = 64, GUARDBYTE = 0xa5, OKTAG_BASE = 500 };

static int size, src_rank, dst_rank;
static int is_src, is_dst, self;

/* a receive buffer of len bytes followed by GUARD guard bytes and a page
 * nobody may touch */
struct gbuf {
    unsigned char *base, *buf;
    size_t maplen, len;
};

static struct gbuf galloc(size_t len)
{
    struct gbuf g;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (len + GUARD + page - 1) / page * page;

    g.maplen = data + page;
    g.base = mmap(NULL, g.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.base == MAP_FAILED) {
        failf(__LINE__, "mmap %zu bytes failed", g.maplen);
        die();
    }
    if (mprotect(g.base + data, page, PROT_NONE) != 0) {
        failf(__LINE__, "mprotect failed");
        die();
    }
    g.buf = g.base + data - GUARD - len;
    g.len = len;
    memset(g.base, GUARDBYTE, data);
    return g;
}

static void gfree(struct gbuf *g)
{
    munmap(g->base, g->maplen);
}

/* after a truncated receive of a message made with fill(.., a, b) */
static void check_truncated(int line, const char *what, int rc, const mpr_status *st,
                            const struct gbuf *g, size_t real, int source, int tag, int a, int b)
{
    if (rc != MPR_ERR_TRUNCATE)
        failf(line, "%s: returned %s, wanted MPR_ERR_TRUNCATE", what, mpr_error_name(rc));
    if (st && (st->count != real || st->source != source || st->tag != tag))
        failf(line, "%s: status {source %d, tag %d, count %zu}, wanted {%d, %d, %zu}", what,
              st->source, st->tag, st->count, source, tag, real);
    size_t bad = badbyte(g->buf, g->len, a, b);
    if (bad != g->len)
        failf(line, "%s: byte %zu of the %zu received differs", what, bad, g->len);
    for (size_t i = 0; i < GUARD; i++)
        if (g->buf[g->len + i] != GUARDBYTE) {
            failf(line, "%s: wrote guard byte %zu past the %zu-byte buffer", what, i, g->len);
            break;
        }
}

/*
 * The sender side: blocking sends between two ranks; isends when sending to
 * self (a blocking large send to self could never complete).
 */
static mpr_request sreqs[8];
static int nsreq;
static unsigned char *sbufs[8];

static void post(size_t len, int tag, int a, int b)
{
    if (!is_src)
        return;
    unsigned char *buf = xmalloc(len);
    fill(buf, len, a, b);
    if (self) {
        MUST(mpr_isend(buf, len, dst_rank, tag, MPR_COMM_WORLD, &sreqs[nsreq]), MPR_SUCCESS);
        sbufs[nsreq++] = buf;
    } else {
        /* the sender of a truncated message sees success */
        MUST(mpr_send(buf, len, dst_rank, tag, MPR_COMM_WORLD), MPR_SUCCESS);
        free(buf);
    }
}

static void complete_sends(void)
{
    for (int i = 0; i < nsreq; i++) {
        int rc = mpr_wait(&sreqs[i], MPR_STATUS_IGNORE);
        /* mpr_isend "returns as mpr_send": no error for the sender */
        CHECK(rc == MPR_SUCCESS, "wait on self isend %d returned %s", i, mpr_error_name(rc));
        free(sbufs[i]);
    }
    nsreq = 0;
}

enum { MODE_RECV, MODE_WAIT, MODE_TEST, MODE_ANY };
static const char *mode_name[] = {"mpr_recv", "mpr_irecv+mpr_wait", "mpr_irecv+mpr_test",
                                  "mpr_recv ANY_SOURCE/ANY_TAG"};

static void one_case(size_t real, size_t len, int mode, int tag)
{
    char what[128];

    snprintf(what, sizeof what, "%zu bytes into %zu with %s", real, len, mode_name[mode]);
    post(real, tag, 1, tag);
    post(len + 100, tag, 9, tag); /* the next one, a little bigger than len */
    if (is_dst) {
        struct gbuf g = galloc(len);
        mpr_status st;
        mpr_request req = MPR_REQUEST_NULL;
        int rc = MPR_ERR_INTERNAL, flag = 0;

        memset(&st, 0x55, sizeof st);
        switch (mode) {
        case MODE_RECV:
            rc = mpr_recv(g.buf, len, src_rank, tag, MPR_COMM_WORLD, &st);
            break;
        case MODE_ANY:
            rc = mpr_recv(g.buf, len, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &st);
            break;
        case MODE_WAIT:
            MUST(mpr_irecv(g.buf, len, src_rank, tag, MPR_COMM_WORLD, &req), MPR_SUCCESS);
            rc = mpr_wait(&req, &st);
            CHECK(req == MPR_REQUEST_NULL, "%s: request not freed", what);
            break;
        case MODE_TEST:
            MUST(mpr_irecv(g.buf, len, src_rank, tag, MPR_COMM_WORLD, &req), MPR_SUCCESS);
            for (long spins = 1; !flag; spins++) {
                rc = mpr_test(&req, &flag, &st);
                if (rc != MPR_SUCCESS && !flag) {
                    failf(__LINE__, "%s: mpr_test returned %s with flag 0", what,
                          mpr_error_name(rc));
                    die();
                }
                if (spins % 1000 == 0)
                    usleep(100);
            }
            CHECK(req == MPR_REQUEST_NULL, "%s: request not freed", what);
            break;
        }
        check_truncated(__LINE__, what, rc, &st, &g, real, src_rank, tag, 1, tag);
        gfree(&g);
    }
    if (is_dst) {
        /* the follow-up must be whole: receive it with room to spare */
        struct gbuf g = galloc(len + 100);
        mpr_status st;
        int rc = mpr_recv(g.buf, len + 100, src_rank, tag, MPR_COMM_WORLD, &st);
        if (rc != MPR_SUCCESS || st.count != len + 100 ||
            badbyte(g.buf, len + 100, 9, tag) != len + 100)
            failf(__LINE__, "%s: the next message: %s, count %zu, data %s", what,
                  mpr_error_name(rc), st.count,
                  badbyte(g.buf, len + 100, 9, tag) == len + 100 ? "ok" : "wrong");
        gfree(&g);
    }
    complete_sends();
    /* keep the next case's messages from this case's wildcard receive */
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
}

/* a buffer of length 0 (not NULL): nothing written, count = real size */
static void zero_buffer(void)
{
    post(5, 20, 1, 20);
    if (is_dst) {
        struct gbuf g = galloc(0);
        mpr_status st;
        int rc = mpr_recv(g.buf, 0, src_rank, 20, MPR_COMM_WORLD, &st);
        check_truncated(__LINE__, "5 bytes into a 0-byte buffer", rc, &st, &g, 5, src_rank, 20, 1, 20);
        gfree(&g);
    }
    complete_sends();
}

/* waitall with one good and one truncated receive, with and without statuses */
static void waitall_case(void)
{
    for (int with_st = 1; with_st >= 0; with_st--) {
        int tag = 30 + with_st;
        post(64, tag, 3, tag);        /* fits */
        post(1 << 20, tag, 1, tag);   /* truncated into 1000 */
        if (is_dst) {
            struct gbuf g0 = galloc(64), g1 = galloc(1000);
            mpr_request reqs[2];
            mpr_status sts[2];
            MUST(mpr_irecv(g0.buf, 64, src_rank, tag, MPR_COMM_WORLD, &reqs[0]), MPR_SUCCESS);
            MUST(mpr_irecv(g1.buf, 1000, src_rank, tag, MPR_COMM_WORLD, &reqs[1]), MPR_SUCCESS);
            if (with_st) {
                int rc = mpr_waitall(2, reqs, sts);
                CHECK(rc == MPR_ERR_IN_STATUS, "waitall with a truncated request: %s, wanted MPR_ERR_IN_STATUS",
                      mpr_error_name(rc));
                CHECK(sts[0].error == MPR_SUCCESS && sts[0].count == 64,
                      "waitall: good request status {error %s, count %zu}",
                      mpr_error_name(sts[0].error), sts[0].count);
                CHECK(sts[1].error == MPR_ERR_TRUNCATE,
                      "waitall: truncated request status.error %s", mpr_error_name(sts[1].error));
                check_truncated(__LINE__, "waitall, 1 MiB into 1000", MPR_ERR_TRUNCATE, &sts[1],
                                &g1, 1 << 20, src_rank, tag, 1, tag);
            } else {
                int rc = mpr_waitall(2, reqs, MPR_STATUSES_IGNORE);
                check_truncated(__LINE__, "waitall without statuses, 1 MiB into 1000", rc, NULL,
                                &g1, 1 << 20, src_rank, tag, 1, tag);
            }
            CHECK(reqs[0] == MPR_REQUEST_NULL && reqs[1] == MPR_REQUEST_NULL,
                  "waitall left requests set");
            CHECK(badbyte(g0.buf, 64, 3, tag) == 64, "waitall: the good message differs");
            gfree(&g0);
            gfree(&g1);
        }
        complete_sends();
    }
}

/* sendrecv whose receive side truncates: the ring shift among all ranks */
static void sendrecv_case(void)
{
    int right = (me + 1) % size, left = (me + size - 1) % size;
    size_t real = 200000, len = 3000;
    unsigned char *out = xmalloc(real);
    struct gbuf g = galloc(len);
    mpr_status st;

    fill(out, real, me, 40);
    int rc = mpr_sendrecv(out, real, right, 40, g.buf, len, left, 40, MPR_COMM_WORLD, &st);
    check_truncated(__LINE__, "mpr_sendrecv 200000 into 3000", rc, &st, &g, real, left, 40, left,
                    40);
    free(out);
    gfree(&g);
}

/* unexpected: sent (isend) before the receiver posts, separated by barriers */
static void unexpected_case(void)
{
    static const size_t reals[] = {100, 1 << 20};
    for (int k = 0; k < 2; k++) {
        int tag = 50 + k;
        unsigned char *buf = NULL;
        mpr_request req = MPR_REQUEST_NULL;
        if (is_src) {
            buf = xmalloc(reals[k]);
            fill(buf, reals[k], 1, tag);
            MUST(mpr_isend(buf, reals[k], dst_rank, tag, MPR_COMM_WORLD, &req), MPR_SUCCESS);
        }
        for (int i = 0; i < 3; i++)
            MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        if (is_dst) {
            struct gbuf g = galloc(k ? 1000 : 10);
            mpr_status st;
            int rc = mpr_recv(g.buf, g.len, src_rank, tag, MPR_COMM_WORLD, &st);
            check_truncated(__LINE__, k ? "unexpected 1 MiB message" : "unexpected 100 B message",
                            rc, &st, &g, reals[k], src_rank, tag, 1, tag);
            gfree(&g);
        }
        if (is_src) {
            int rc = mpr_wait(&req, MPR_STATUS_IGNORE);
            CHECK(rc == MPR_SUCCESS, "wait on the unexpected isend: %s", mpr_error_name(rc));
            free(buf);
        }
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    src_rank = 0;
    dst_rank = size - 1;
    is_src = me == src_rank;
    is_dst = me == dst_rank;
    self = src_rank == dst_rank;

    int tag = 1;
    for (int mode = MODE_RECV; mode <= MODE_ANY; mode++) {
        one_case(100, 10, mode, tag++);
        one_case(1 << 20, 1000, mode, tag++);
    }
    one_case(20000, 19999, MODE_RECV, tag++); /* one byte too long */
    zero_buffer();
    waitall_case();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    sendrecv_case();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    unexpected_case();

    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
