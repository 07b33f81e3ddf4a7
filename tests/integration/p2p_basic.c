/*
 * p2p_basic - every point-to-point call once, checked against mpr.h.
 *
 *   mprun -n N p2p_basic N      (N = 1..8)
 *   p2p_basic 1                 (no launcher: a singleton job)
 *
 * Checks rank/size, self-sends, send/recv with statuses, the wildcards,
 * isend/irecv/wait/waitall/test, probe/iprobe, a sendrecv ring shift,
 * MPR_PROC_NULL, waiting on MPR_REQUEST_NULL and zero-length messages.
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

static int size, left, right;

static void check_status(int line, const mpr_status *st, int source, int tag,
                         size_t count)
{
    if (st->source != source || st->tag != tag || st->count != count)
        failf(line, "status {source %d, tag %d, count %zu}, wanted {%d, %d, %zu}",
              st->source, st->tag, st->count, source, tag, count);
}

static void test_flags_and_clock(void)
{
    int flag = -1;
    char name[256];
    char tiny[3];

    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    CHECK(flag == 1, "mpr_initialized flag %d after mpr_init", flag);
    flag = -1;
    EXPECT(mpr_finalized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_finalized flag %d before mpr_finalize", flag);

    double t0 = mpr_wtime(), t1 = mpr_wtime();
    CHECK(t1 >= t0, "mpr_wtime went backwards: %f then %f", t0, t1);
    CHECK(mpr_wtick() > 0.0, "mpr_wtick %g <= 0", mpr_wtick());

    memset(name, 'x', sizeof name);
    EXPECT(mpr_get_processor_name(name, sizeof name), MPR_SUCCESS);
    CHECK(memchr(name, '\0', sizeof name) != NULL && name[0] != '\0',
          "mpr_get_processor_name gave no NUL-terminated, non-empty name");
    memset(tiny, 'x', sizeof tiny);
    EXPECT(mpr_get_processor_name(tiny, sizeof tiny), MPR_SUCCESS);
    CHECK(memchr(tiny, '\0', sizeof tiny) != NULL,
          "mpr_get_processor_name(len 3) not NUL-terminated within 3 bytes");
}

/* every rank tells rank 0 who it is: ranks must be distinct */
static void test_ranks_distinct(void)
{
    int val = me;

    if (me != 0) {
        MUST(mpr_send(&val, sizeof val, 0, 1, MPR_COMM_WORLD), MPR_SUCCESS);
        return;
    }
    for (int src = 1; src < size; src++) {
        mpr_status st;
        val = -1;
        MUST(mpr_recv(&val, sizeof val, src, 1, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        check_status(__LINE__, &st, src, 1, sizeof val);
        CHECK(val == src, "rank %d says it is rank %d", src, val);
    }
}

static void test_self(void)
{
    char out[40], in[40];
    mpr_status st;

    fill(out, sizeof out, me, 2);
    memset(in, 0, sizeof in);
    MUST(mpr_send(out, sizeof out, me, 2, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(in, sizeof in, me, 2, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, me, 2, sizeof out);
    CHECK(memcmp(in, out, sizeof in) == 0, "self-send: data differs");

    /* isend to self, then recv, then wait */
    mpr_request req = MPR_REQUEST_NULL;
    memset(in, 0, sizeof in);
    MUST(mpr_isend(out, 17, me, 3, MPR_COMM_WORLD, &req), MPR_SUCCESS);
    CHECK(req != MPR_REQUEST_NULL, "isend to self left *req NULL");
    MUST(mpr_recv(in, sizeof in, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &st),
         MPR_SUCCESS);
    check_status(__LINE__, &st, me, 3, 17);
    CHECK(memcmp(in, out, 17) == 0, "isend to self: data differs");
    MUST(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
    CHECK(req == MPR_REQUEST_NULL, "mpr_wait did not set *req to MPR_REQUEST_NULL");
}

/* blocking ring: send right, recv from left with specific source and tag */
static void test_send_recv(void)
{
    size_t len = 100 + (size_t)me;
    size_t rlen = 100 + (size_t)left;
    char *out = xmalloc(len), *in = xmalloc(200);
    mpr_status st;

    fill(out, len, me, 10);
    memset(in, 0, 200);
    MUST(mpr_send(out, len, right, 10 + me, MPR_COMM_WORLD), MPR_SUCCESS);
    memset(&st, 0x55, sizeof st);
    MUST(mpr_recv(in, 200, left, 10 + left, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 10 + left, rlen);
    CHECK(badbyte(in, rlen, left, 10) == rlen, "send/recv: data from %d differs", left);
    /* nothing written past the message */
    for (size_t i = rlen; i < 200; i++)
        if (in[i] != 0) {
            failf(__LINE__, "recv wrote byte %zu past the %zu-byte message", i, rlen);
            break;
        }
    /* MPR_STATUS_IGNORE */
    MUST(mpr_send(out, len, right, 11, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(in, 200, left, 11, MPR_COMM_WORLD, MPR_STATUS_IGNORE), MPR_SUCCESS);
    CHECK(badbyte(in, rlen, left, 10) == rlen, "recv with STATUS_IGNORE: data differs");
    free(out);
    free(in);
}

/*
 * between - called between two tests: no rank starts the next test before
 * every rank has finished this one, so the next test's messages cannot meet
 * this test's wildcard receives (collectives never match point-to-point).
 */
static void between(void)
{
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
}

/* every other rank sends to rank 0, which receives with the wildcards */
static void test_wildcards(void)
{
    int val;
    mpr_status st;

    if (me != 0) {
        val = me;
        MUST(mpr_send(&val, sizeof val, 0, 1000 + me, MPR_COMM_WORLD), MPR_SUCCESS);
        /* only once rank 0 has taken that one with ANY/ANY */
        MUST(mpr_recv(NULL, 0, 0, 1, MPR_COMM_WORLD, MPR_STATUS_IGNORE), MPR_SUCCESS);
        MUST(mpr_send(&val, sizeof val, 0, 2000 + me, MPR_COMM_WORLD), MPR_SUCCESS);
        MUST(mpr_send(&val, sizeof val, 0, 3000 + me, MPR_COMM_WORLD), MPR_SUCCESS);
        return;
    }
    char *seen = calloc((size_t)size, 1);
    if (!seen)
        die();
    /* ANY_SOURCE + ANY_TAG: one message from each sender, in any order */
    for (int i = 1; i < size; i++) {
        val = -1;
        MUST(mpr_recv(&val, sizeof val, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        CHECK(st.source >= 1 && st.source < size, "ANY/ANY: status.source %d", st.source);
        if (st.source < 1 || st.source >= size)
            continue;
        CHECK(!seen[st.source], "ANY/ANY: two messages from %d", st.source);
        seen[st.source] = 1;
        check_status(__LINE__, &st, st.source, 1000 + st.source, sizeof val);
        CHECK(val == st.source, "ANY/ANY: payload %d from source %d", val, st.source);
    }
    for (int r = 1; r < size; r++)
        MUST(mpr_send(NULL, 0, r, 1, MPR_COMM_WORLD), MPR_SUCCESS);
    /* ANY_SOURCE + a tag only one sender uses, in reverse order */
    for (int src = size - 1; src >= 1; src--) {
        val = -1;
        MUST(mpr_recv(&val, sizeof val, MPR_ANY_SOURCE, 2000 + src, MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        check_status(__LINE__, &st, src, 2000 + src, sizeof val);
        CHECK(val == src, "ANY_SOURCE+tag: payload %d, wanted %d", val, src);
    }
    /* a source + ANY_TAG: the one message left from each sender */
    for (int src = 1; src < size; src++) {
        val = -1;
        if (src % 2) {
            MUST(mpr_probe(src, MPR_ANY_TAG, MPR_COMM_WORLD, &st), MPR_SUCCESS);
            check_status(__LINE__, &st, src, 3000 + src, sizeof val);
        }
        MUST(mpr_recv(&val, sizeof val, src, MPR_ANY_TAG, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        check_status(__LINE__, &st, src, 3000 + src, sizeof val);
        CHECK(val == src, "source+ANY_TAG: payload %d, wanted %d", val, src);
    }
    free(seen);
}

/* source with ANY_TAG from every sender (one message each) */
static void test_source_anytag(void)
{
    int val = me * 7 + 1;
    mpr_status st;

    MUST(mpr_send(&val, sizeof val, right, 400 + me, MPR_COMM_WORLD), MPR_SUCCESS);
    val = -1;
    MUST(mpr_recv(&val, sizeof val, left, MPR_ANY_TAG, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 400 + left, sizeof val);
    CHECK(val == left * 7 + 1, "source+ANY_TAG: payload %d", val);
}

static void test_isend_irecv(void)
{
    enum { LEN = 3000 };
    char *out = xmalloc(LEN), *in = xmalloc(LEN);
    mpr_request rreq = MPR_REQUEST_NULL, sreq = MPR_REQUEST_NULL;
    mpr_status st;

    fill(out, LEN, me, 20);
    memset(in, 0, LEN);
    MUST(mpr_irecv(in, LEN, left, 20, MPR_COMM_WORLD, &rreq), MPR_SUCCESS);
    CHECK(rreq != MPR_REQUEST_NULL, "irecv left *req NULL");
    MUST(mpr_isend(out, LEN, right, 20, MPR_COMM_WORLD, &sreq), MPR_SUCCESS);
    CHECK(sreq != MPR_REQUEST_NULL, "isend left *req NULL");
    MUST(mpr_wait(&rreq, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 20, LEN);
    CHECK(rreq == MPR_REQUEST_NULL, "mpr_wait did not null the receive request");
    MUST(mpr_wait(&sreq, MPR_STATUS_IGNORE), MPR_SUCCESS);
    CHECK(sreq == MPR_REQUEST_NULL, "mpr_wait did not null the send request");
    CHECK(badbyte(in, LEN, left, 20) == LEN, "isend/irecv: data differs");

    /* again with the wildcards and the send posted first */
    memset(in, 0, LEN);
    MUST(mpr_isend(out, LEN, right, 21, MPR_COMM_WORLD, &sreq), MPR_SUCCESS);
    MUST(mpr_irecv(in, LEN, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &rreq), MPR_SUCCESS);
    MUST(mpr_wait(&sreq, MPR_STATUS_IGNORE), MPR_SUCCESS);
    MUST(mpr_wait(&rreq, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 21, LEN);
    CHECK(badbyte(in, LEN, left, 20) == LEN, "isend/irecv ANY: data differs");
    free(out);
    free(in);
}

/* waitall: exchange with every rank (self included) */
static void test_waitall(void)
{
    int n = 2 * size + 1;
    mpr_request *reqs = xmalloc(sizeof *reqs * (size_t)n);
    mpr_status *sts = xmalloc(sizeof *sts * (size_t)n);
    int *out = xmalloc(sizeof(int) * (size_t)size * 2);
    int *in = out + size;

    for (int round = 0; round < 2; round++) {
        for (int r = 0; r < size; r++) {
            in[r] = -1;
            out[r] = me * 100 + r;
            MUST(mpr_irecv(&in[r], sizeof(int), r, 30 + round, MPR_COMM_WORLD, &reqs[r]),
                 MPR_SUCCESS);
        }
        for (int r = 0; r < size; r++)
            MUST(mpr_isend(&out[r], sizeof(int), r, 30 + round, MPR_COMM_WORLD,
                           &reqs[size + r]),
                 MPR_SUCCESS);
        reqs[n - 1] = MPR_REQUEST_NULL; /* a null request in the list */
        if (round == 0) {
            memset(sts, 0x55, sizeof *sts * (size_t)n);
            MUST(mpr_waitall(n, reqs, sts), MPR_SUCCESS);
            for (int r = 0; r < size; r++) {
                check_status(__LINE__, &sts[r], r, 30, sizeof(int));
                CHECK(sts[r].error == MPR_SUCCESS, "waitall status[%d].error %d", r,
                      sts[r].error);
            }
        } else {
            MUST(mpr_waitall(n, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
        }
        for (int i = 0; i < n; i++)
            CHECK(reqs[i] == MPR_REQUEST_NULL, "waitall left request %d non-null", i);
        for (int r = 0; r < size; r++)
            CHECK(in[r] == r * 100 + me, "waitall: from %d got %d, wanted %d", r, in[r],
                  r * 100 + me);
    }
    MUST(mpr_waitall(0, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    free(reqs);
    free(sts);
    free(out);
}

static void test_test(void)
{
    enum { LEN = 200000 };
    char *out = xmalloc(LEN), *in = xmalloc(LEN);
    mpr_request rreq, sreq;
    mpr_status st;
    int rdone = 0, sdone = 0, flag;
    long spins = 0;

    fill(out, LEN, me, 40);
    MUST(mpr_irecv(in, LEN, left, 40, MPR_COMM_WORLD, &rreq), MPR_SUCCESS);
    MUST(mpr_isend(out, LEN, right, 40, MPR_COMM_WORLD, &sreq), MPR_SUCCESS);
    while (!rdone || !sdone) {
        if (!rdone) {
            flag = -1;
            MUST(mpr_test(&rreq, &flag, &st), MPR_SUCCESS);
            CHECK(flag == 0 || flag == 1, "mpr_test flag %d", flag);
            if (flag == 1) {
                rdone = 1;
                check_status(__LINE__, &st, left, 40, LEN);
                CHECK(rreq == MPR_REQUEST_NULL, "mpr_test done but *req not null");
            }
        }
        if (!sdone) {
            flag = -1;
            MUST(mpr_test(&sreq, &flag, MPR_STATUS_IGNORE), MPR_SUCCESS);
            if (flag == 1) {
                sdone = 1;
                CHECK(sreq == MPR_REQUEST_NULL, "mpr_test done but *req not null");
            }
        }
        if (++spins % 1000 == 0)
            usleep(100); /* be kind to an oversubscribed machine */
    }
    CHECK(badbyte(in, LEN, left, 40) == LEN, "mpr_test: data differs");

    /* testing the null request completes at once */
    mpr_request nul = MPR_REQUEST_NULL;
    flag = -1;
    EXPECT(mpr_test(&nul, &flag, &st), MPR_SUCCESS);
    CHECK(flag == 1, "mpr_test(MPR_REQUEST_NULL) flag %d", flag);
    free(out);
    free(in);
}

static void test_probe(void)
{
    size_t len = 10 * (size_t)me + 3, rlen = 10 * (size_t)left + 3;
    char *out = xmalloc(len), *in;
    mpr_status st;
    int flag;

    fill(out, len, me, 50);
    /* a tag nobody ever sends: iprobe must find nothing */
    flag = -1;
    MUST(mpr_iprobe(MPR_ANY_SOURCE, 999, MPR_COMM_WORLD, &flag, &st), MPR_SUCCESS);
    CHECK(flag == 0, "iprobe found a message with tag 999 that nobody sent");

    MUST(mpr_send(out, len, right, 50, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_probe(left, MPR_ANY_TAG, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 50, rlen);
    /* probing does not receive: a second probe sees the same message */
    MUST(mpr_probe(MPR_ANY_SOURCE, 50, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 50, rlen);
    in = xmalloc(st.count);
    MUST(mpr_recv(in, st.count, st.source, st.tag, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 50, rlen);
    CHECK(badbyte(in, rlen, left, 50) == rlen, "probe then recv: data differs");
    free(in);
    between(); /* left sends its tag-51 message only after this */

    /* iprobe in a loop until the message shows up */
    MUST(mpr_send(out, len, right, 51, MPR_COMM_WORLD), MPR_SUCCESS);
    flag = 0;
    for (long spins = 1; !flag; spins++) {
        MUST(mpr_iprobe(MPR_ANY_SOURCE, 51, MPR_COMM_WORLD, &flag, &st), MPR_SUCCESS);
        if (spins % 1000 == 0)
            usleep(100);
    }
    check_status(__LINE__, &st, left, 51, rlen);
    flag = 0;
    MUST(mpr_iprobe(left, MPR_ANY_TAG, MPR_COMM_WORLD, &flag, &st), MPR_SUCCESS);
    CHECK(flag == 1, "second iprobe no longer finds the message");
    in = xmalloc(rlen);
    MUST(mpr_recv(in, rlen, left, 51, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    CHECK(badbyte(in, rlen, left, 50) == rlen, "iprobe then recv: data differs");
    free(in);
    free(out);
}

/* all ranks shift right at once, small and large */
static void test_sendrecv(void)
{
    static const size_t lens[] = {0, 1, 5000, 1 << 20};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        char *out = xmalloc(len), *in = xmalloc(len + 16);
        mpr_status st;

        fill(out, len, me, 60 + (int)k);
        memset(in, 0, len + 16);
        MUST(mpr_sendrecv(out, len, right, 60, in, len + 16, left, 60, MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        check_status(__LINE__, &st, left, 60, len);
        CHECK(badbyte(in, len, left, 60 + (int)k) == len, "sendrecv %zu bytes: data differs",
              len);
        /* ANY_SOURCE works in sendrecv too */
        MUST(mpr_sendrecv(out, len, right, 61, in, len + 16, MPR_ANY_SOURCE, 61,
                          MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        check_status(__LINE__, &st, left, 61, len);
        free(out);
        free(in);
    }
    /* a non-periodic shift: the ends talk to MPR_PROC_NULL */
    int dest = me + 1 < size ? me + 1 : MPR_PROC_NULL;
    int src = me > 0 ? me - 1 : MPR_PROC_NULL;
    int out = me, in = -7;
    mpr_status st;
    MUST(mpr_sendrecv(&out, sizeof out, dest, 62, &in, sizeof in, src, 62, MPR_COMM_WORLD, &st),
         MPR_SUCCESS);
    if (src == MPR_PROC_NULL) {
        CHECK(in == -7, "sendrecv from MPR_PROC_NULL wrote the buffer");
        CHECK(st.count == 0, "sendrecv from MPR_PROC_NULL: count %zu", st.count);
    } else {
        check_status(__LINE__, &st, src, 62, sizeof in);
        CHECK(in == src, "non-periodic shift: got %d, wanted %d", in, src);
    }
}

static void test_proc_null(void)
{
    char buf[8] = "abcdefg";
    mpr_status st;
    mpr_request req;

    EXPECT(mpr_send(buf, sizeof buf, MPR_PROC_NULL, 5, MPR_COMM_WORLD), MPR_SUCCESS);
    memset(&st, 0x55, sizeof st);
    EXPECT(mpr_recv(buf, sizeof buf, MPR_PROC_NULL, 5, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    CHECK(st.count == 0, "recv from MPR_PROC_NULL: status.count %zu", st.count);
    CHECK(strcmp(buf, "abcdefg") == 0, "recv from MPR_PROC_NULL wrote the buffer");

    req = MPR_REQUEST_NULL;
    MUST(mpr_isend(buf, sizeof buf, MPR_PROC_NULL, 5, MPR_COMM_WORLD, &req), MPR_SUCCESS);
    EXPECT(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
    CHECK(req == MPR_REQUEST_NULL, "wait on a PROC_NULL isend left *req set");
    req = MPR_REQUEST_NULL;
    MUST(mpr_irecv(buf, sizeof buf, MPR_PROC_NULL, MPR_ANY_TAG, MPR_COMM_WORLD, &req),
         MPR_SUCCESS);
    memset(&st, 0x55, sizeof st);
    EXPECT(mpr_wait(&req, &st), MPR_SUCCESS);
    CHECK(st.count == 0, "irecv from MPR_PROC_NULL: status.count %zu", st.count);
    CHECK(strcmp(buf, "abcdefg") == 0, "irecv from MPR_PROC_NULL wrote the buffer");
}

static void test_request_null(void)
{
    mpr_request req = MPR_REQUEST_NULL;
    mpr_status st;

    memset(&st, 0x55, sizeof st);
    EXPECT(mpr_wait(&req, &st), MPR_SUCCESS);
    CHECK(st.source == MPR_ANY_SOURCE && st.tag == MPR_ANY_TAG && st.count == 0,
          "wait(MPR_REQUEST_NULL): status {%d, %d, %zu}, wanted {ANY_SOURCE, ANY_TAG, 0}",
          st.source, st.tag, st.count);
    CHECK(req == MPR_REQUEST_NULL, "wait(MPR_REQUEST_NULL) changed *req");
    EXPECT(mpr_wait(&req, MPR_STATUS_IGNORE), MPR_SUCCESS);
}

static void test_zero_length(void)
{
    char buf[10];
    mpr_status st;
    mpr_request r1, r2;

    /* NULL buffers */
    MUST(mpr_send(NULL, 0, right, 70, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(NULL, 0, left, 70, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 70, 0);
    /* a real buffer: nothing is written */
    memset(buf, 'z', sizeof buf);
    MUST(mpr_send(buf, 0, right, 71, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(buf, sizeof buf, left, 71, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 71, 0);
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != 'z') {
            failf(__LINE__, "zero-length recv wrote byte %zu", i);
            break;
        }
    /* non-blocking, NULL buffers, wildcards */
    MUST(mpr_irecv(NULL, 0, MPR_ANY_SOURCE, 72, MPR_COMM_WORLD, &r1), MPR_SUCCESS);
    MUST(mpr_isend(NULL, 0, right, 72, MPR_COMM_WORLD, &r2), MPR_SUCCESS);
    MUST(mpr_wait(&r2, MPR_STATUS_IGNORE), MPR_SUCCESS);
    MUST(mpr_wait(&r1, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, left, 72, 0);
    /* zero-length to self */
    MUST(mpr_send(NULL, 0, me, 73, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_recv(buf, sizeof buf, me, 73, MPR_COMM_WORLD, &st), MPR_SUCCESS);
    check_status(__LINE__, &st, me, 73, 0);
}

int main(int argc, char **argv)
{
    int want_size = argc > 1 ? atoi(argv[1]) : -1;
    int flag = -1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_initialized flag %d before mpr_init", flag);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    CHECK(size >= 1, "size %d", size);
    CHECK(me >= 0 && me < size, "rank %d outside 0..%d", me, size - 1);
    if (want_size > 0)
        CHECK(size == want_size, "size %d, wanted %d", size, want_size);
    if (size < 1 || me < 0 || me >= size)
        die();
    left = (me + size - 1) % size;
    right = (me + 1) % size;

    static void (*const tests[])(void) = {
        test_flags_and_clock, test_ranks_distinct, test_self,      test_send_recv,
        test_wildcards,       test_source_anytag,  test_isend_irecv, test_waitall,
        test_test,            test_probe,          test_sendrecv,  test_proc_null,
        test_request_null,    test_zero_length,
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        tests[i]();
        between();
    }

    EXPECT(mpr_finalize(), MPR_SUCCESS);
    flag = -1;
    EXPECT(mpr_finalized(&flag), MPR_SUCCESS);
    CHECK(flag == 1, "mpr_finalized flag %d after mpr_finalize", flag);
    flag = -1;
    EXPECT(mpr_initialized(&flag), MPR_SUCCESS);
    CHECK(flag == 0, "mpr_initialized flag %d after mpr_finalize", flag);
    return failures ? 1 : 0;
}
