/*
 * p2p_large - big messages and many of them in flight.
 *
 *   mprun -n N p2p_large        (N >= 1)
 *
 * 16 MiB self-sends (isend, then recv) and small ones; 16 MiB messages
 * between ranks (blocking pair, isend/irecv ring, sendrecv ring) checked
 * byte for byte against a pattern of (sender, index); 200 isends and 200
 * irecvs outstanding at once each way; unexpected messages, small and large,
 * sent long before the receive is posted.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define BIG ((size_t)16 << 20)

static int size, left, right;
static unsigned char *bigout, *bigin;

static void check_big(int line, const char *what, int sender, int salt, size_t len)
{
    size_t bad = badbyte(bigin, len, sender, salt);
    if (bad != len)
        failf(line, "%s: byte %zu of %zu from rank %d is %#x, wanted %#x", what, bad, len,
              sender, bigin[bad], pat(sender, salt, bad));
}

static void check_st(int line, const char *what, const mpr_status *st, int src, int tag,
                     size_t count)
{
    if (st->source != src || st->tag != tag || st->count != count)
        failf(line, "%s: status {source %d, tag %d, count %zu}, wanted {%d, %d, %zu}", what,
              st->source, st->tag, st->count, src, tag, count);
}

static void self_sends(void)
{
    mpr_request req;
    mpr_status st;
    unsigned char small[100], sin[100];

    fill(small, sizeof small, me, 1);
    MUST(mpr_isend(small, sizeof small, me, 1, MPR_COMM_WORLD, &req), MPR_SUCCESS);
    MUST(mpr_recv(sin, sizeof sin, me, 1, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    MUST(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
    check_st(__LINE__, "small self isend", &st, me, 1, sizeof small);
    CHECK(memcmp(small, sin, sizeof sin) == 0, "small self isend: data differs");

    fill(bigout, BIG, me, 2);
    memset(bigin, 0, BIG);
    MUST(mpr_isend(bigout, BIG, me, 2, MPR_COMM_WORLD, &req), MPR_SUCCESS);
    MUST(mpr_recv(bigin, BIG, me, 2, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    MUST(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
    check_st(__LINE__, "16 MiB self isend", &st, me, 2, BIG);
    check_big(__LINE__, "16 MiB self isend then recv", me, 2, BIG);

    /* the receive posted first this time */
    memset(bigin, 0, BIG);
    mpr_request rreq;
    MUST(mpr_irecv(bigin, BIG, me, 3, MPR_COMM_WORLD, &rreq), MPR_SUCCESS);
    MUST(mpr_isend(bigout, BIG, me, 3, MPR_COMM_WORLD, &req), MPR_SUCCESS);
    MUST(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
    MUST(mpr_wait(&rreq, &st), MPR_SUCCESS);
    check_st(__LINE__, "16 MiB self irecv", &st, me, 3, BIG);
    check_big(__LINE__, "16 MiB self irecv then isend", me, 2, BIG);
}

static void big_between(void)
{
    mpr_status st;
    mpr_request reqs[2];

    /* a blocking pair: rank 2k sends to 2k+1 */
    if (size >= 2 && !(size % 2 && me == size - 1)) {
        int peer = me ^ 1;
        if (me % 2 == 0) {
            fill(bigout, BIG, me, 10);
            MUST(mpr_send(bigout, BIG, peer, 10, MPR_COMM_WORLD), MPR_SUCCESS);
        } else {
            memset(bigin, 0, BIG);
            MUST(mpr_recv(bigin, BIG, peer, 10, MPR_COMM_WORLD, &st), MPR_SUCCESS);
            check_st(__LINE__, "16 MiB send/recv", &st, peer, 10, BIG);
            check_big(__LINE__, "16 MiB send/recv", peer, 10, BIG);
        }
    }
    /* a ring with isend/irecv */
    fill(bigout, BIG, me, 11);
    memset(bigin, 0, BIG);
    MUST(mpr_irecv(bigin, BIG, left, 11, MPR_COMM_WORLD, &reqs[0]), MPR_SUCCESS);
    MUST(mpr_isend(bigout, BIG, right, 11, MPR_COMM_WORLD, &reqs[1]), MPR_SUCCESS);
    mpr_status sts[2];
    MUST(mpr_waitall(2, reqs, sts), MPR_SUCCESS);
    check_st(__LINE__, "16 MiB ring isend/irecv", &sts[0], left, 11, BIG);
    check_big(__LINE__, "16 MiB ring isend/irecv", left, 11, BIG);

    /* a ring with sendrecv, receive one byte bigger than needed */
    fill(bigout, BIG, me, 12);
    memset(bigin, 0, BIG);
    MUST(mpr_sendrecv(bigout, BIG - 1, right, 12, bigin, BIG, left, 12, MPR_COMM_WORLD, &st),
         MPR_SUCCESS);
    check_st(__LINE__, "16 MiB ring sendrecv", &st, left, 12, BIG - 1);
    check_big(__LINE__, "16 MiB ring sendrecv", left, 12, BIG - 1);
    CHECK(bigin[BIG - 1] == 0, "sendrecv wrote past the message");

    /* odd sizes around common thresholds, both directions of the ring */
    static const size_t odd[] = {4095, 4097, 65535, 65537, 1000003};
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
        fill(bigout, odd[k], me, 13 + (int)k);
        memset(bigin, 0, odd[k] + 1);
        MUST(mpr_sendrecv(bigout, odd[k], left, 13, bigin, odd[k] + 1, right, 13, MPR_COMM_WORLD,
                          &st),
             MPR_SUCCESS);
        check_st(__LINE__, "odd-size sendrecv", &st, right, 13, odd[k]);
        check_big(__LINE__, "odd-size sendrecv", right, 13 + (int)k, odd[k]);
    }
}

/* 200 isends and 200 irecvs at once; some large; receives posted in reverse tag order */
enum { MANY = 200 };

static size_t many_len(int i)
{
    return i % 20 == 7 ? 65536 + (size_t)i : (size_t)i * 3;
}

static void many_outstanding(void)
{
    unsigned char *out[MANY], *in[MANY];
    mpr_request reqs[2 * MANY];
    mpr_status sts[2 * MANY];

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < MANY; i++) {
            out[i] = xmalloc(many_len(i));
            in[i] = xmalloc(many_len(i));
            fill(out[i], many_len(i), me, 1000 * round + i);
            memset(in[i], 0, many_len(i));
        }
        /* round 0: a tag each, receives in reverse; round 1: likewise, done by
         * mpr_test; round 2: one tag for all, receives in order */
        for (int k = 0; k < MANY; k++) {
            int i = round == 2 ? k : MANY - 1 - k;
            int tag = round == 2 ? 77 : 100 + i;
            MUST(mpr_irecv(in[i], many_len(i), left, tag, MPR_COMM_WORLD, &reqs[i]), MPR_SUCCESS);
        }
        for (int i = 0; i < MANY; i++) {
            int tag = round == 2 ? 77 : 100 + i;
            MUST(mpr_isend(out[i], many_len(i), right, tag, MPR_COMM_WORLD, &reqs[MANY + i]),
                 MPR_SUCCESS);
        }
        if (round != 1) {
            MUST(mpr_waitall(2 * MANY, reqs, sts), MPR_SUCCESS);
        } else {
            int left_to_do = 2 * MANY;
            for (long spins = 1; left_to_do > 0; spins++) {
                for (int i = 0; i < 2 * MANY; i++) {
                    int flag = 0;
                    if (reqs[i] == MPR_REQUEST_NULL)
                        continue;
                    MUST(mpr_test(&reqs[i], &flag, &sts[i]), MPR_SUCCESS);
                    if (flag) {
                        left_to_do--;
                        CHECK(reqs[i] == MPR_REQUEST_NULL, "mpr_test done, request %d set", i);
                    }
                }
                if (spins % 100 == 0)
                    usleep(100);
            }
        }
        for (int i = 0; i < MANY; i++) {
            int tag = round == 2 ? 77 : 100 + i;
            char what[64];
            snprintf(what, sizeof what, "round %d, message %d", round, i);
            check_st(__LINE__, what, &sts[i], left, tag, many_len(i));
            size_t bad = badbyte(in[i], many_len(i), left, 1000 * round + i);
            if (bad != many_len(i))
                failf(__LINE__, "%s (%zu bytes): byte %zu differs%s", what, many_len(i), bad,
                      round == 2 ? " (same-tag messages out of order?)" : "");
            free(in[i]);
            free(out[i]);
        }
    }
}

/* sent long before the receive is posted: isends and small blocking sends,
 * then barriers and a bcast, then the receives */
static void unexpected(void)
{
    enum { NSMALL = 50, NEAGER = 8 };
    unsigned char *small[NSMALL];
    mpr_request reqs[NSMALL + 1];
    mpr_status st;
    unsigned char eager[NEAGER][32];

    for (int i = 0; i < NSMALL; i++) {
        small[i] = xmalloc(64);
        fill(small[i], 64, me, 300 + i);
        MUST(mpr_isend(small[i], 64, right, 300 + i, MPR_COMM_WORLD, &reqs[i]), MPR_SUCCESS);
    }
    fill(bigout, BIG, me, 20);
    MUST(mpr_isend(bigout, BIG, right, 20, MPR_COMM_WORLD, &reqs[NSMALL]), MPR_SUCCESS);
    /* a few small blocking sends: small messages are buffered */
    for (int i = 0; i < NEAGER; i++) {
        fill(eager[i], sizeof eager[i], me, 400 + i);
        MUST(mpr_send(eager[i], sizeof eager[i], right, 400, MPR_COMM_WORLD), MPR_SUCCESS);
    }
    for (int i = 0; i < 3; i++) {
        int val = me;
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        MUST(mpr_bcast(&val, sizeof val, i % size, MPR_COMM_WORLD), MPR_SUCCESS);
        CHECK(val == i % size, "bcast in between: got %d, wanted %d", val, i % size);
    }
    /* now receive, the large one first, the small ones in reverse */
    memset(bigin, 0, BIG);
    MUST(mpr_recv(bigin, BIG, left, 20, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_st(__LINE__, "unexpected 16 MiB", &st, left, 20, BIG);
    check_big(__LINE__, "unexpected 16 MiB", left, 20, BIG);
    for (int i = NSMALL - 1; i >= 0; i--) {
        unsigned char in[64];
        MUST(mpr_recv(in, sizeof in, left, 300 + i, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        check_st(__LINE__, "unexpected small isend", &st, left, 300 + i, 64);
        CHECK(badbyte(in, 64, left, 300 + i) == 64, "unexpected small isend %d: data differs", i);
    }
    for (int i = 0; i < NEAGER; i++) {
        unsigned char in[32];
        MUST(mpr_recv(in, sizeof in, MPR_ANY_SOURCE, 400, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        check_st(__LINE__, "unexpected small send", &st, left, 400, 32);
        CHECK(badbyte(in, 32, left, 400 + i) == 32,
              "unexpected small send %d: data differs (out of order?)", i);
    }
    MUST(mpr_waitall(NSMALL + 1, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    for (int i = 0; i < NSMALL; i++)
        free(small[i]);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    left = (me + size - 1) % size;
    right = (me + 1) % size;
    bigout = xmalloc(BIG);
    bigin = xmalloc(BIG);

    self_sends();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    big_between();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    many_outstanding();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    unexpected();

    free(bigout);
    free(bigin);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
