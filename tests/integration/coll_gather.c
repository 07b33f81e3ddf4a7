/*
 * coll_gather - gather, gatherv, scatter, scatterv, allgather, allgatherv,
 * alltoall and alltoallv: every root, block sizes 0, 1, 7, 1023 and one
 * large enough for the direct algorithms, in place where allowed; each
 * byte checked against the pattern of the rank that sent it, and bytes
 * around the blocks checked untouched. One part per run:
 *
 *   mprun -n N coll_gather all      on MPR_COMM_WORLD
 *   mprun -n N coll_gather split    on odd/even halves, ranked in reverse
 *   mprun -n N coll_gather errors   bad arguments, truncating mismatches
 *   mprun -n N coll_gather flat     lens that differ, through the flat areas
 *                                   (with MPR_COLL_ALLGATHER=shm and
 *                                   MPR_COLL_ALLTOALL=shm, on one host)
 *
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { GUARD = 16 };

static mpr_comm comm;
static int crank, csize;

#define MUSTC(call, what, ...)                                                \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != MPR_SUCCESS) {                                             \
            failf(__LINE__, what " returned %s", __VA_ARGS__, mpr_error_name(rc_)); \
            die();                                                            \
        }                                                                     \
    } while (0)

/* Check block [at, at+len) of buf holds pat(a, b) and report the first bad byte. */
static void check_block(const unsigned char *buf, size_t at, size_t len, int a, int b,
                        const char *what, size_t arg)
{
    size_t bad = badbyte(buf + at, len, a, b);
    if (bad != len)
        failf(__LINE__, "%s (%zu): block of rank %d, byte %zu is %#x, wanted %#x", what, arg, a,
              bad, buf[at + bad], pat(a, b, bad));
}

static void check_zero(const unsigned char *buf, size_t from, size_t to, const char *what)
{
    for (size_t i = from; i < to; i++)
        if (buf[i] != 0) {
            failf(__LINE__, "%s: byte %zu outside the blocks was written", what, i);
            return;
        }
}

/* Variable block sizes and a layout in reverse rank order with a 1-byte
 * gap after each block; returns the total size. */
static size_t vlen(size_t len, int i, int j)
{
    return (len + (size_t)i * 5 + (size_t)j * 3) % (len + 7);
}

static size_t layout(const size_t *lens, size_t *displs, int n)
{
    size_t at = 0;
    for (int i = n - 1; i >= 0; i--) {
        displs[i] = at;
        at += lens[i] + 1;
    }
    return at;
}

static void t_gather(size_t len, int root, bool in_place)
{
    unsigned char *send = xmalloc(len), *recv = xmalloc(len * csize + GUARD);
    fill(send, len, crank, 100 + root);
    memset(recv, 0, len * csize + GUARD);
    const void *sbuf = send;
    if (in_place && crank == root) {
        fill(recv + (size_t)root * len, len, crank, 100 + root);
        sbuf = MPR_IN_PLACE;
    }
    MUSTC(mpr_gather(sbuf, len, crank == root ? recv : NULL, root, comm), "gather %zu", len);
    if (crank == root) {
        for (int i = 0; i < csize; i++)
            check_block(recv, (size_t)i * len, len, i, 100 + root, "gather", len);
        check_zero(recv, len * csize, len * csize + GUARD, "gather");
    }
    free(send);
    free(recv);
}

static void t_gatherv(size_t len, int root, bool in_place)
{
    size_t *lens = xmalloc(csize * sizeof(size_t)), *displs = xmalloc(csize * sizeof(size_t));
    for (int i = 0; i < csize; i++)
        lens[i] = vlen(len, i, root);
    size_t total = layout(lens, displs, csize);
    unsigned char *send = xmalloc(lens[crank]), *recv = xmalloc(total);
    fill(send, lens[crank], crank, 110 + root);
    memset(recv, 0, total);
    const void *sbuf = send;
    if (in_place && crank == root) {
        fill(recv + displs[root], lens[root], crank, 110 + root);
        sbuf = MPR_IN_PLACE;
    }
    MUSTC(mpr_gatherv(sbuf, lens[crank], recv, crank == root ? lens : NULL,
                      crank == root ? displs : NULL, root, comm), "gatherv %zu", len);
    if (crank == root) {
        for (int i = 0; i < csize; i++) {
            check_block(recv, displs[i], lens[i], i, 110 + root, "gatherv", len);
            check_zero(recv, displs[i] + lens[i], displs[i] + lens[i] + 1, "gatherv");
        }
    }
    free(send);
    free(recv);
    free(lens);
    free(displs);
}

static void t_scatter(size_t len, int root, bool in_place)
{
    unsigned char *send = xmalloc(len * csize), *recv = xmalloc(len + GUARD);
    for (int i = 0; i < csize; i++)
        fill(send + (size_t)i * len, len, i, 200 + root);
    memset(recv, 0, len + GUARD);
    void *rbuf = in_place && crank == root ? MPR_IN_PLACE : recv;
    MUSTC(mpr_scatter(crank == root ? send : NULL, len, rbuf, root, comm), "scatter %zu", len);
    if (rbuf == MPR_IN_PLACE) {
        for (int i = 0; i < csize; i++)
            check_block(send, (size_t)i * len, len, i, 200 + root, "scatter in place", len);
    } else {
        check_block(recv, 0, len, crank, 200 + root, "scatter", len);
    }
    check_zero(recv, len, len + GUARD, "scatter");
    free(send);
    free(recv);
}

static void t_scatterv(size_t len, int root, bool in_place)
{
    size_t *lens = xmalloc(csize * sizeof(size_t)), *displs = xmalloc(csize * sizeof(size_t));
    for (int i = 0; i < csize; i++)
        lens[i] = vlen(len, i, root);
    size_t total = layout(lens, displs, csize);
    unsigned char *send = xmalloc(total), *recv = xmalloc(lens[crank] + GUARD);
    for (int i = 0; i < csize; i++)
        fill(send + displs[i], lens[i], i, 210 + root);
    memset(recv, 0, lens[crank] + GUARD);
    void *rbuf = in_place && crank == root ? MPR_IN_PLACE : recv;
    MUSTC(mpr_scatterv(crank == root ? send : NULL, crank == root ? lens : NULL,
                       crank == root ? displs : NULL, rbuf, lens[crank], root, comm),
          "scatterv %zu", len);
    if (rbuf != MPR_IN_PLACE)
        check_block(recv, 0, lens[crank], crank, 210 + root, "scatterv", len);
    check_zero(recv, lens[crank], lens[crank] + GUARD, "scatterv");
    free(send);
    free(recv);
    free(lens);
    free(displs);
}

static void t_allgather(size_t len, bool in_place)
{
    unsigned char *send = xmalloc(len), *recv = xmalloc(len * csize + GUARD);
    fill(send, len, crank, 300);
    memset(recv, 0, len * csize + GUARD);
    const void *sbuf = send;
    if (in_place) {
        fill(recv + (size_t)crank * len, len, crank, 300);
        sbuf = MPR_IN_PLACE;
    }
    MUSTC(mpr_allgather(sbuf, len, recv, comm), "allgather %zu", len);
    for (int i = 0; i < csize; i++)
        check_block(recv, (size_t)i * len, len, i, 300, "allgather", len);
    check_zero(recv, len * csize, len * csize + GUARD, "allgather");
    free(send);
    free(recv);
}

static void t_allgatherv(size_t len, bool in_place)
{
    size_t *lens = xmalloc(csize * sizeof(size_t)), *displs = xmalloc(csize * sizeof(size_t));
    for (int i = 0; i < csize; i++)
        lens[i] = vlen(len, i, 0);
    size_t total = layout(lens, displs, csize);
    unsigned char *send = xmalloc(lens[crank]), *recv = xmalloc(total);
    fill(send, lens[crank], crank, 310);
    memset(recv, 0, total);
    const void *sbuf = send;
    if (in_place) {
        fill(recv + displs[crank], lens[crank], crank, 310);
        sbuf = MPR_IN_PLACE;
    }
    MUSTC(mpr_allgatherv(sbuf, lens[crank], recv, lens, displs, comm), "allgatherv %zu", len);
    for (int i = 0; i < csize; i++) {
        check_block(recv, displs[i], lens[i], i, 310, "allgatherv", len);
        check_zero(recv, displs[i] + lens[i], displs[i] + lens[i] + 1, "allgatherv");
    }
    free(send);
    free(recv);
    free(lens);
    free(displs);
}

static void t_alltoall(size_t len, bool in_place)
{
    size_t total = len * csize;
    unsigned char *send = xmalloc(total), *recv = xmalloc(total + GUARD);
    memset(recv, 0, total + GUARD);
    for (int j = 0; j < csize; j++)
        fill((in_place ? recv : send) + (size_t)j * len, len, crank, 400 + j);
    MUSTC(mpr_alltoall(in_place ? MPR_IN_PLACE : send, len, recv, comm), "alltoall %zu", len);
    for (int i = 0; i < csize; i++)
        check_block(recv, (size_t)i * len, len, i, 400 + crank, "alltoall", len);
    check_zero(recv, total, total + GUARD, "alltoall");
    free(send);
    free(recv);
}

static void t_alltoallv(size_t len)
{
    size_t n = (size_t)csize;
    size_t *sl = xmalloc(n * sizeof(size_t)), *sd = xmalloc(n * sizeof(size_t));
    size_t *rl = xmalloc(n * sizeof(size_t)), *rd = xmalloc(n * sizeof(size_t));
    for (int j = 0; j < csize; j++) {
        sl[j] = vlen(len, crank, j);
        rl[j] = vlen(len, j, crank);
    }
    size_t stotal = layout(sl, sd, csize), rtotal = layout(rl, rd, csize);
    unsigned char *send = xmalloc(stotal), *recv = xmalloc(rtotal);
    for (int j = 0; j < csize; j++)
        fill(send + sd[j], sl[j], crank, 500 + j);
    memset(recv, 0, rtotal);
    MUSTC(mpr_alltoallv(send, sl, sd, recv, rl, rd, comm), "alltoallv %zu", len);
    for (int i = 0; i < csize; i++) {
        check_block(recv, rd[i], rl[i], i, 500 + crank, "alltoallv", len);
        check_zero(recv, rd[i] + rl[i], rd[i] + rl[i] + 1, "alltoallv");
    }
    free(send);
    free(recv);
    free(sl);
    free(sd);
    free(rl);
    free(rd);
}

static void part_all(void)
{
    /* 40000 * N is past the tree thresholds: linear, ring, pairwise */
    static const size_t lens[] = { 0, 1, 7, 1023, 40000 };
    for (int l = 0; l < 5; l++) {
        size_t len = lens[l];
        for (int root = 0; root < csize; root++) {
            bool in_place = (root + l) % 2;
            t_gather(len, root, in_place);
            t_gatherv(len, root, !in_place);
            t_scatter(len, root, in_place);
            t_scatterv(len, root, !in_place);
        }
        t_allgather(len, false);
        t_allgather(len, true);
        t_allgatherv(len, l % 2);
        size_t alen = len > 20000 ? 20000 : len;
        t_alltoall(alen, false);
        t_alltoall(alen, true);
        t_alltoallv(alen);
    }
}

static void part_errors(void)
{
    char a[64] = { 0 }, b[64 * 8 + 64];
    size_t lens[8], displs[8];
    for (int i = 0; i < 8; i++)
        lens[i] = 4, displs[i] = (size_t)i * 8;

    EXPECT(mpr_gather(a, 1, b, -1, comm), MPR_ERR_ARG);
    EXPECT(mpr_gather(a, 1, b, csize, comm), MPR_ERR_ARG);
    EXPECT(mpr_gatherv(a, 1, b, lens, displs, csize, comm), MPR_ERR_ARG);
    EXPECT(mpr_scatter(a, 1, b, -1, comm), MPR_ERR_ARG);
    EXPECT(mpr_scatterv(a, lens, displs, b, 4, csize, comm), MPR_ERR_ARG);
    EXPECT(mpr_gather(NULL, 1, b, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_gatherv(NULL, 1, b, lens, displs, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_gather(a, 1, MPR_IN_PLACE, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_scatter(MPR_IN_PLACE, 1, b, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_scatter(a, 1, NULL, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_scatterv(a, lens, displs, NULL, 4, 0, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgather(NULL, 1, b, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgather(a, 1, NULL, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgather(a, 1, MPR_IN_PLACE, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgatherv(a, 4, b, NULL, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgatherv(a, 4, b, lens, NULL, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgatherv(a, 4, NULL, lens, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_allgatherv(NULL, 4, b, lens, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_alltoall(NULL, 1, b, comm), MPR_ERR_ARG);
    EXPECT(mpr_alltoall(a, 1, MPR_IN_PLACE, comm), MPR_ERR_ARG);
    EXPECT(mpr_alltoallv(MPR_IN_PLACE, lens, displs, b, lens, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_alltoallv(a, lens, displs, b, NULL, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_alltoallv(NULL, lens, displs, b, lens, displs, comm), MPR_ERR_ARG);
    EXPECT(mpr_gather(a, 1, b, 0, MPR_COMM_NULL), MPR_ERR_ARG);
    EXPECT(mpr_alltoall(a, 1, b, MPR_COMM_NULL), MPR_ERR_ARG);
    if (csize >= 3) {
        EXPECT(mpr_allgather(a, SIZE_MAX / 2, b, comm), MPR_ERR_ARG);
        EXPECT(mpr_alltoall(a, SIZE_MAX / 2, b, comm), MPR_ERR_ARG);
    }
    if (crank == 0) { /* bad at root only: the others would wait for it */
        EXPECT(mpr_gather(a, 1, NULL, 0, comm), MPR_ERR_ARG);
        EXPECT(mpr_gatherv(a, 4, b, NULL, displs, 0, comm), MPR_ERR_ARG);
        EXPECT(mpr_scatter(NULL, 1, b, 0, comm), MPR_ERR_ARG);
        EXPECT(mpr_scatterv(a, lens, NULL, b, 4, 0, comm), MPR_ERR_ARG);
    } else { /* in place off root */
        EXPECT(mpr_gather(MPR_IN_PLACE, 1, b, 0, comm), MPR_ERR_ARG);
        EXPECT(mpr_gatherv(MPR_IN_PLACE, 4, b, lens, displs, 0, comm), MPR_ERR_ARG);
        EXPECT(mpr_scatter(a, 1, MPR_IN_PLACE, 0, comm), MPR_ERR_ARG);
    }
    /* zero bytes with NULL buffers are fine */
    EXPECT(mpr_gather(NULL, 0, NULL, 0, comm), MPR_SUCCESS);
    EXPECT(mpr_allgather(NULL, 0, NULL, comm), MPR_SUCCESS);
    EXPECT(mpr_alltoall(NULL, 0, NULL, comm), MPR_SUCCESS);

    /* mismatches that are detected: more bytes than the receiver expects */
    int want = crank == 0 ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
    EXPECT(mpr_gatherv(a, crank == csize - 1 ? 9 : 4, b, lens, displs, 0, comm), want);
    want = crank == csize - 1 ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
    EXPECT(mpr_scatterv(a, lens, displs, b, crank == csize - 1 ? 3 : 4, 0, comm), want);
    EXPECT(mpr_allgatherv(a, crank == csize - 1 ? 5 : 4, b, lens, displs, comm), want);
    size_t big[8];
    for (int i = 0; i < 8; i++)
        big[i] = crank == csize - 1 && i == 0 ? 6 : 4;
    want = crank == 0 ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
    EXPECT(mpr_alltoallv(a, big, displs, b, lens, displs, comm), want);
    EXPECT(mpr_barrier(comm), MPR_SUCCESS);
    t_allgather(7, false);
}

/* The last rank passes 5 where the others pass 4: each rank gets every
 * block up to its own len, and MPR_ERR_TRUNCATE when a block was longer
 * (the others, from the last rank); with MPR_CHECK=1 all get
 * MPR_ERR_COLL_MISMATCH and nothing moves. */
static void part_flat(void)
{
    int last = csize - 1;
    size_t len = crank == last ? 5 : 4;
    unsigned char send[8 * 5], recv[8 * 5];
    for (int j = 0; j < csize; j++) /* block j for rank j; an allgather sends block 0 */
        fill(send + (size_t)j * len, len, crank, 400 + j);
    int want = coll_checking() ? MPR_ERR_COLL_MISMATCH
               : crank == last ? MPR_SUCCESS
                               : MPR_ERR_TRUNCATE;
    for (int alltoall = 0; alltoall < 2; alltoall++) {
        const char *what = alltoall ? "alltoall" : "allgather";
        memset(recv, 0, sizeof(recv));
        if (alltoall)
            EXPECT(mpr_alltoall(send, len, recv, comm), want);
        else
            EXPECT(mpr_allgather(send, len, recv, comm), want);
        for (int i = 0; i < csize; i++) {
            size_t theirs = i == last ? 5 : 4, at = (size_t)i * len;
            size_t got = coll_checking() ? 0 : theirs < len ? theirs : len;
            check_block(recv, at, got, i, 400 + (alltoall ? crank : 0), what, len);
            check_zero(recv, at + got, at + len, what);
        }
    }
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "all";
    char x = 0, y[8];
    EXPECT(mpr_allgather(&x, 1, y, MPR_COMM_WORLD), MPR_ERR_NOT_INIT);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    comm = MPR_COMM_WORLD;
    crank = me;
    MUST(mpr_comm_size(comm, &csize), MPR_SUCCESS);
    if (csize > 8 && (strcmp(part, "errors") == 0 || strcmp(part, "flat") == 0)) {
        failf(__LINE__, "%s part needs at most 8 ranks", part);
        die();
    }

    if (strcmp(part, "all") == 0) {
        part_all();
    } else if (strcmp(part, "split") == 0) {
        mpr_comm half;
        MUST(mpr_comm_split(MPR_COMM_WORLD, me % 2, -me, &half), MPR_SUCCESS);
        comm = half;
        MUST(mpr_comm_rank(comm, &crank), MPR_SUCCESS);
        MUST(mpr_comm_size(comm, &csize), MPR_SUCCESS);
        part_all();
        EXPECT(mpr_comm_free(&half), MPR_SUCCESS);
    } else if (strcmp(part, "errors") == 0) {
        part_errors();
    } else if (strcmp(part, "flat") == 0) {
        part_flat();
    } else {
        failf(__LINE__, "unknown part %s", part);
    }
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    EXPECT(mpr_alltoall(&x, 1, y, MPR_COMM_WORLD), MPR_ERR_FINALIZED);
    return failures ? 1 : 0;
}
