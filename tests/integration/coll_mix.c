/*
 * coll_mix - collectives never match point-to-point messages.
 *
 *   mprun -n N coll_mix         (N = 1..8)
 *
 * 1. Every rank posts wildcard receives (ANY_SOURCE/ANY_TAG and
 *    ANY_SOURCE/tag), then does bcasts and a barrier: the receives must
 *    still be pending (no rank sends point-to-point before everyone has
 *    entered the barrier), the bcasts must carry the right data. Then each
 *    rank sends to its right neighbour; the receives get exactly those.
 * 2. Point-to-point messages in flight (isends not yet received) across
 *    bcasts and barriers: the collectives leave them alone.
 * 3. Many iterations of barrier, bcast and a sendrecv ring interleaved.
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

static void bcast_check(size_t len, int root, int salt)
{
    unsigned char *buf = xmalloc(len);
    if (me == root)
        fill(buf, len, root, salt);
    else
        memset(buf, 0, len);
    int rc = mpr_bcast(buf, len, root, MPR_COMM_WORLD);
    if (rc != MPR_SUCCESS) {
        failf(__LINE__, "bcast of %zu bytes from root %d (salt %d) returned %s", len, root, salt,
              mpr_error_name(rc));
        die();
    }
    size_t bad = badbyte(buf, len, root, salt);
    if (bad != len)
        failf(__LINE__, "bcast of %zu bytes from %d (salt %d): byte %zu differs", len, root,
              salt, bad);
    free(buf);
}

static void still_pending(mpr_request *req, const char *what)
{
    int flag = -1;
    mpr_status st;
    MUST(mpr_test(req, &flag, &st), MPR_SUCCESS);
    if (flag != 0) {
        failf(__LINE__, "%s: a wildcard receive completed before any point-to-point send "
              "(status source %d, tag %d, count %zu): a collective matched it?",
              what, st.source, st.tag, st.count);
        die();
    }
}

static void wildcard_then_collectives(int iter)
{
    enum { LEN = 4096 };
    unsigned char *a = xmalloc(LEN), *b = xmalloc(1 << 20), *out = xmalloc(LEN);
    mpr_request ra, rb;
    mpr_status st;
    int root = iter % size;

    memset(a, 0, LEN);
    MUST(mpr_irecv(a, LEN, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD, &ra), MPR_SUCCESS);
    MUST(mpr_irecv(b, 1 << 20, MPR_ANY_SOURCE, 9, MPR_COMM_WORLD, &rb), MPR_SUCCESS);
    still_pending(&ra, "after irecv");
    /* bcasts of the same sizes as the posted receives */
    bcast_check(LEN, root, iter);
    still_pending(&ra, "after a 4096-byte bcast");
    still_pending(&rb, "after a 4096-byte bcast");
    bcast_check(1 << 20, (root + 1) % size, iter);
    bcast_check(0, root, iter);
    bcast_check(8, root, iter);
    still_pending(&ra, "after more bcasts");
    still_pending(&rb, "after more bcasts");
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* now the point-to-point messages: first tag 8 (for the ANY/ANY one),
     * and only after it has arrived tag 9 (a specific-tag receive) */
    fill(out, LEN, me, 8);
    MUST(mpr_send(out, LEN, right, 8, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_wait(&ra, &st), MPR_SUCCESS);
    if (st.source != left || st.tag != 8 || st.count != LEN)
        failf(__LINE__, "wildcard receive got {source %d, tag %d, count %zu}, wanted {%d, 8, %d}",
              st.source, st.tag, st.count, left, LEN);
    CHECK(badbyte(a, LEN, left, 8) == LEN, "wildcard receive: data differs");
    /* nobody sends tag 9 before everyone has entered this barrier */
    still_pending(&rb, "after the tag-8 message");
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    fill(out, 100, me, 9);
    MUST(mpr_send(out, 100, right, 9, MPR_COMM_WORLD), MPR_SUCCESS);
    MUST(mpr_wait(&rb, &st), MPR_SUCCESS);
    if (st.source != left || st.tag != 9 || st.count != 100)
        failf(__LINE__, "ANY_SOURCE/tag 9 receive got {source %d, tag %d, count %zu}", st.source,
              st.tag, st.count);
    CHECK(badbyte(b, 100, left, 9) == 100, "ANY_SOURCE/tag 9 receive: data differs");
    free(a);
    free(b);
    free(out);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
}

static void in_flight_across_collectives(void)
{
    enum { N = 10 };
    unsigned char *out[N];
    mpr_request reqs[N];
    size_t lens[N];

    for (int i = 0; i < N; i++) {
        lens[i] = i == 3 ? 2u << 20 : (size_t)i * 50;
        out[i] = xmalloc(lens[i]);
        fill(out[i], lens[i], me, 20 + i);
        MUST(mpr_isend(out[i], lens[i], right, 20 + i % 2, MPR_COMM_WORLD, &reqs[i]), MPR_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        bcast_check(lens[i % N], i % size, 50 + i);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }
    for (int i = 0; i < N; i++) {
        unsigned char *in = xmalloc(lens[i]);
        mpr_status st;
        MUST(mpr_recv(in, lens[i], left, 20 + i % 2, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        if (st.source != left || st.tag != 20 + i % 2 || st.count != lens[i])
            failf(__LINE__, "in-flight message %d: {source %d, tag %d, count %zu}", i, st.source,
                  st.tag, st.count);
        CHECK(badbyte(in, lens[i], left, 20 + i) == lens[i], "in-flight message %d: data differs",
              i);
        free(in);
    }
    MUST(mpr_waitall(N, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    for (int i = 0; i < N; i++)
        free(out[i]);
}

static void interleaved(void)
{
    for (int i = 0; i < 100; i++) {
        int v = me * 1000 + i, got = -1;
        mpr_status st;
        switch (i % 4) {
        case 0:
            MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
            break;
        case 1:
            bcast_check(i % 3 ? 16 : 70000, i % size, i);
            break;
        case 2:
            MUST(mpr_sendrecv(&v, sizeof v, right, 1, &got, sizeof got, MPR_ANY_SOURCE,
                              MPR_ANY_TAG, MPR_COMM_WORLD, &st),
                 MPR_SUCCESS);
            CHECK(got == left * 1000 + i && st.source == left && st.tag == 1,
                  "iteration %d: sendrecv got %d from %d tag %d", i, got, st.source, st.tag);
            break;
        case 3:
            bcast_check(4, (i + 1) % size, i);
            MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
            break;
        }
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    left = (me + size - 1) % size;
    right = (me + 1) % size;

    for (int iter = 0; iter < 4; iter++)
        wildcard_then_collectives(iter);
    in_flight_across_collectives();
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    interleaved();
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
