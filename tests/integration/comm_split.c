/*
 * comm_split.c - communicators: dup and split give the right ranks and
 * sizes, translate ranks both ways (send/recv, wildcards, statuses, probe),
 * keep their messages apart from every other communicator's, carry
 * collectives, nest, and reject bad arguments on every rank alike.
 */
#include <string.h>

#include "check.h"

static int world_rank, world_size;

/* Ranks sorted by key (descending world rank here), ties by parent rank. */
static void check_split_shape(void)
{
    int color = world_rank % 3;
    mpr_comm c;
    MUST(mpr_comm_split(MPR_COMM_WORLD, color, -world_rank, &c), MPR_SUCCESS);
    int members = 0, below = 0;
    for (int w = 0; w < world_size; w++) {
        if (w % 3 == color) {
            members++;
            if (w > world_rank)
                below++; /* higher world ranks have smaller keys */
        }
    }
    int r = -1, n = -1;
    EXPECT(mpr_comm_rank(c, &r), MPR_SUCCESS);
    EXPECT(mpr_comm_size(c, &n), MPR_SUCCESS);
    CHECK(n == members && r == below, "split color %d: rank %d of %d, wanted %d of %d", color, r,
          n, below, members);

    /* Everyone sends its world rank to comm rank 0 with ANY_SOURCE: the
     * statuses must name comm ranks. */
    if (r == 0) {
        int seen = 0;
        for (int i = 1; i < n; i++) {
            int got = -1;
            mpr_status st;
            MUST(mpr_recv(&got, sizeof got, MPR_ANY_SOURCE, 7, c, &st), MPR_SUCCESS);
            int expect_src = 0;
            for (int w = world_size - 1; w >= 0; w--) /* comm order: descending world rank */
                if (w % 3 == color) {
                    if (w == got)
                        break;
                    expect_src++;
                }
            CHECK(st.source == expect_src, "status source %d for world rank %d, wanted %d",
                  st.source, got, expect_src);
            seen |= 1 << st.source;
        }
        CHECK(seen == ((1 << n) - 2), "sources seen 0x%x", seen);
    } else {
        MUST(mpr_send(&world_rank, sizeof world_rank, 0, 7, c), MPR_SUCCESS);
    }

    /* A collective on the sub-communicator. */
    int v = r == 0 ? 1000 + color : -1;
    MUST(mpr_bcast(&v, sizeof v, 0, c), MPR_SUCCESS);
    CHECK(v == 1000 + color, "bcast on split: %d", v);
    MUST(mpr_barrier(c), MPR_SUCCESS);
    EXPECT(mpr_comm_free(&c), MPR_SUCCESS);
    CHECK(c == MPR_COMM_NULL, "free did not reset the handle");
}

/* The same (source, tag) on world and on a dup never match each other,
 * whatever the order they are posted in. */
static void check_dup_isolation(void)
{
    mpr_comm d;
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &d), MPR_SUCCESS);
    int r = -1, n = -1;
    mpr_comm_rank(d, &r);
    mpr_comm_size(d, &n);
    CHECK(r == world_rank && n == world_size, "dup: rank %d size %d", r, n);
    int right = (world_rank + 1) % world_size, left = (world_rank - 1 + world_size) % world_size;
    int on_world = 100 + world_rank, on_dup = 200 + world_rank;
    /* Send on dup first, then on world; receive world first. */
    mpr_request reqs[4];
    int got_world = -1, got_dup = -1;
    MUST(mpr_isend(&on_dup, sizeof on_dup, right, 3, d, &reqs[0]), MPR_SUCCESS);
    MUST(mpr_isend(&on_world, sizeof on_world, right, 3, MPR_COMM_WORLD, &reqs[1]), MPR_SUCCESS);
    MUST(mpr_irecv(&got_world, sizeof got_world, MPR_ANY_SOURCE, MPR_ANY_TAG, MPR_COMM_WORLD,
                   &reqs[2]),
         MPR_SUCCESS);
    MUST(mpr_irecv(&got_dup, sizeof got_dup, left, 3, d, &reqs[3]), MPR_SUCCESS);
    MUST(mpr_waitall(4, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    CHECK(got_world == 100 + left && got_dup == 200 + left, "world got %d, dup got %d", got_world,
          got_dup);

    /* A probe on world does not see a message waiting on the dup. */
    MUST(mpr_send(&on_dup, sizeof on_dup, right, 4, d), MPR_SUCCESS);
    mpr_status st;
    MUST(mpr_probe(left, 4, d, &st), MPR_SUCCESS);
    CHECK(st.source == left && st.count == sizeof(int), "probe on dup: source %d count %zu",
          st.source, st.count);
    int flag = 1;
    EXPECT(mpr_iprobe(MPR_ANY_SOURCE, 4, MPR_COMM_WORLD, &flag, MPR_STATUS_IGNORE), MPR_SUCCESS);
    CHECK(flag == 0, "iprobe on world found the dup's message");
    MUST(mpr_recv(&got_dup, sizeof got_dup, left, 4, d, MPR_STATUS_IGNORE), MPR_SUCCESS);
    MUST(mpr_barrier(d), MPR_SUCCESS);
    EXPECT(mpr_comm_free(&d), MPR_SUCCESS);
}

/* Split of a split, and MPR_UNDEFINED. */
static void check_nested(void)
{
    mpr_comm half, quarter;
    MUST(mpr_comm_split(MPR_COMM_WORLD, world_rank % 2, world_rank, &half), MPR_SUCCESS);
    int hr, hn;
    mpr_comm_rank(half, &hr);
    mpr_comm_size(half, &hn);
    MUST(mpr_comm_split(half, hr % 2 == 0 ? 0 : MPR_UNDEFINED, 0, &quarter), MPR_SUCCESS);
    if (hr % 2) {
        CHECK(quarter == MPR_COMM_NULL, "MPR_UNDEFINED gave a communicator");
    } else {
        int qr, qn;
        mpr_comm_rank(quarter, &qr);
        mpr_comm_size(quarter, &qn);
        CHECK(qr == hr / 2 && qn == (hn + 1) / 2, "quarter: rank %d of %d (half %d of %d)", qr,
              qn, hr, hn);
        /* A ring on the innermost communicator. */
        int token = qr == 0 ? 1 : 0;
        if (qn > 1) {
            if (qr == 0) {
                MUST(mpr_send(&token, sizeof token, 1, 0, quarter), MPR_SUCCESS);
                MUST(mpr_recv(&token, sizeof token, qn - 1, 0, quarter, MPR_STATUS_IGNORE),
                     MPR_SUCCESS);
                CHECK(token == qn, "ring token %d, wanted %d", token, qn);
            } else {
                MUST(mpr_recv(&token, sizeof token, qr - 1, 0, quarter, MPR_STATUS_IGNORE),
                     MPR_SUCCESS);
                token++;
                MUST(mpr_send(&token, sizeof token, (qr + 1) % qn, 0, quarter), MPR_SUCCESS);
            }
        }
        EXPECT(mpr_comm_free(&quarter), MPR_SUCCESS);
    }
    EXPECT(mpr_comm_free(&half), MPR_SUCCESS);
}

/* Many creations: contexts keep growing without clashing. */
static void check_many(void)
{
    for (int i = 0; i < 300; i++) {
        mpr_comm d;
        MUST(mpr_comm_dup(MPR_COMM_WORLD, &d), MPR_SUCCESS);
        if (i % 50 == 0)
            MUST(mpr_barrier(d), MPR_SUCCESS);
        MUST(mpr_comm_free(&d), MPR_SUCCESS);
    }
    /* Two live dups at once, used crosswise. */
    mpr_comm a, b;
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &a), MPR_SUCCESS);
    MUST(mpr_comm_dup(MPR_COMM_WORLD, &b), MPR_SUCCESS);
    int right = (world_rank + 1) % world_size, left = (world_rank - 1 + world_size) % world_size;
    int x = 1, y = 2, gx = 0, gy = 0;
    mpr_request reqs[4];
    MUST(mpr_irecv(&gy, sizeof gy, left, 0, b, &reqs[0]), MPR_SUCCESS);
    MUST(mpr_irecv(&gx, sizeof gx, left, 0, a, &reqs[1]), MPR_SUCCESS);
    MUST(mpr_isend(&x, sizeof x, right, 0, a, &reqs[2]), MPR_SUCCESS);
    MUST(mpr_isend(&y, sizeof y, right, 0, b, &reqs[3]), MPR_SUCCESS);
    MUST(mpr_waitall(4, reqs, MPR_STATUSES_IGNORE), MPR_SUCCESS);
    CHECK(gx == 1 && gy == 2, "crosswise dups: %d %d", gx, gy);
    EXPECT(mpr_comm_free(&a), MPR_SUCCESS);
    EXPECT(mpr_comm_free(&b), MPR_SUCCESS);
}

/* Disjoint communicators create objects at the same moment: each gets its
 * own (their names must not clash), and items stay within their group. */
static void check_objects_on_split(void)
{
    mpr_comm c;
    MUST(mpr_comm_split(MPR_COMM_WORLD, world_rank % 2, 0, &c), MPR_SUCCESS);
    int r, n;
    mpr_comm_rank(c, &r);
    mpr_comm_size(c, &n);
    mpr_queue q;
    MUST(mpr_queue_create(c, 0, sizeof(int), &q), MPR_SUCCESS);
    MUST(mpr_queue_put(q, &world_rank, sizeof world_rank, MPR_WAIT_FOREVER), MPR_SUCCESS);
    MUST(mpr_barrier(c), MPR_SUCCESS);
    if (r == 0) {
        for (int i = 0; i < n; i++) {
            int got = -1;
            MUST(mpr_queue_get(q, &got, sizeof got, NULL, 10.0), MPR_SUCCESS);
            CHECK(got % 2 == world_rank % 2, "queue of group %d got item of world rank %d",
                  world_rank % 2, got);
        }
        size_t left = 9;
        EXPECT(mpr_queue_qsize(q, &left), MPR_SUCCESS);
        CHECK(left == 0, "%zu items left", left);
    }
    MUST(mpr_barrier(c), MPR_SUCCESS);
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    EXPECT(mpr_comm_free(&c), MPR_SUCCESS);
}

static void check_bad_arguments(void)
{
    mpr_comm c = MPR_COMM_NULL;
    /* One rank's bad color fails the split on every rank, without a hang. */
    int color = world_rank == world_size - 1 ? -5 : 0;
    EXPECT(mpr_comm_split(MPR_COMM_WORLD, color, 0, &c), MPR_ERR_ARG);
    CHECK(c == MPR_COMM_NULL, "a failed split set the handle");
    /* So does one rank's NULL output. */
    EXPECT(mpr_comm_split(MPR_COMM_WORLD, 0, 0, world_rank == 0 ? NULL : &c), MPR_ERR_ARG);
    EXPECT(mpr_comm_dup(MPR_COMM_WORLD, world_rank == 0 ? NULL : &c), MPR_ERR_ARG);
    CHECK(c == MPR_COMM_NULL, "a failed dup set the handle");
    /* Local checks. */
    EXPECT(mpr_comm_dup(MPR_COMM_NULL, &c), MPR_ERR_ARG);
    EXPECT(mpr_comm_split(MPR_COMM_NULL, 0, 0, &c), MPR_ERR_ARG);
    mpr_comm world = MPR_COMM_WORLD;
    EXPECT(mpr_comm_free(&world), MPR_ERR_ARG);
    EXPECT(mpr_comm_free(NULL), MPR_ERR_ARG);
    EXPECT(mpr_comm_free(&c), MPR_ERR_ARG); /* MPR_COMM_NULL */
    int r;
    EXPECT(mpr_comm_rank(MPR_COMM_NULL, &r), MPR_ERR_ARG);
    EXPECT(mpr_send(&r, sizeof r, 0, 0, MPR_COMM_NULL), MPR_ERR_ARG);
    EXPECT(mpr_barrier(MPR_COMM_NULL), MPR_ERR_ARG);

    /* Ranks beyond a sub-communicator's size are refused. */
    MUST(mpr_comm_split(MPR_COMM_WORLD, world_rank == 0 ? 1 : 0, 0, &c), MPR_SUCCESS);
    int n;
    mpr_comm_size(c, &n);
    EXPECT(mpr_send(&r, sizeof r, n, 0, c), MPR_ERR_ARG);
    EXPECT(mpr_recv(&r, sizeof r, n, 0, c, MPR_STATUS_IGNORE), MPR_ERR_ARG);
    EXPECT(mpr_bcast(&r, sizeof r, n, c), MPR_ERR_ARG);
    mpr_comm stale = c;
    EXPECT(mpr_comm_free(&c), MPR_SUCCESS);
    (void)stale; /* using it now is undefined: not tested */
}

int main(int argc, char **argv)
{
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &world_rank);
    mpr_comm_size(MPR_COMM_WORLD, &world_size);
    me = world_rank;
    check_split_shape();
    check_dup_isolation();
    check_nested();
    check_many();
    check_objects_on_split();
    check_bad_arguments();
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures != 0;
}
