/*
 * mpi_p2p.c - MPI point-to-point over mpr: every send mode, receive,
 * status fields, wildcards, MPI_PROC_NULL, the wait and test families,
 * probe, Get_count, Request_free, Bsend with an attached buffer, and that
 * Ssend/Issend are synchronous (complete only once the receive matched).
 * Any number of ranks (1 is fine). Run: mprun -n 4 ./mpi_p2p
 */
#include "mpi_check.h"

#define TAG_A 11
#define TAG_B 12
#define TAG_GO 13

static void basic_ring(void)
{
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    int out[3] = { me, me * 2, me * 3 }, in[3] = { -1, -1, -1 };
    MPI_Request rq;
    MPI_Status st;
    OK(MPI_Irecv(in, 3, MPI_INT, prev, TAG_A, MPI_COMM_WORLD, &rq));
    OK(MPI_Send(out, 3, MPI_INT, next, TAG_A, MPI_COMM_WORLD));
    OK(MPI_Wait(&rq, &st));
    CHECK(rq == MPI_REQUEST_NULL, "wait left the request");
    CHECK(in[0] == prev && in[1] == prev * 2 && in[2] == prev * 3, "ring data %d %d %d", in[0], in[1], in[2]);
    CHECK(st.MPI_SOURCE == prev && st.MPI_TAG == TAG_A, "status %d/%d", st.MPI_SOURCE, st.MPI_TAG);
    int count = -1;
    OK(MPI_Get_count(&st, MPI_INT, &count));
    CHECK(count == 3, "count %d", count);
    OK(MPI_Get_count(&st, MPI_DOUBLE, &count));
    CHECK(count == MPI_UNDEFINED, "12 bytes as doubles: %d", count);
    OK(MPI_Get_count(&st, MPI_SHORT, &count));
    CHECK(count == 6, "as shorts %d", count);

    /* wildcards: rank 0 hears from everybody, any order */
    if (me == 0) {
        int seen = 0;
        for (int i = 1; i < np; i++) {
            double v;
            OK(MPI_Recv(&v, 1, MPI_DOUBLE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st));
            CHECK(v == st.MPI_SOURCE * 0.5 && st.MPI_TAG == 100 + st.MPI_SOURCE, "wildcard got %g from %d tag %d", v, st.MPI_SOURCE, st.MPI_TAG);
            seen |= 1 << st.MPI_SOURCE;
        }
        CHECK(seen == ((1 << np) - 2), "senders seen %x", seen);
    } else {
        double v = me * 0.5;
        OK(MPI_Rsend(&v, 1, MPI_DOUBLE, 0, 100 + me, MPI_COMM_WORLD));
    }
    OK(MPI_Barrier(MPI_COMM_WORLD)); /* no later message meets the wildcards */
    /* status ignored, zero-length message */
    OK(MPI_Sendrecv(NULL, 0, MPI_INT, next, TAG_B, NULL, 0, MPI_INT, prev, TAG_B, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
}

static void proc_null(void)
{
    MPI_Status st;
    int v = 5;
    OK(MPI_Send(&v, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD));
    OK(MPI_Recv(&v, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &st));
    CHECK(v == 5, "PROC_NULL recv wrote");
    CHECK(st.MPI_SOURCE == MPI_PROC_NULL && st.MPI_TAG == MPI_ANY_TAG, "PROC_NULL status %d %d", st.MPI_SOURCE, st.MPI_TAG);
    int count = -1;
    MPI_Get_count(&st, MPI_INT, &count);
    CHECK(count == 0, "PROC_NULL count %d", count);
    MPI_Request r[2];
    OK(MPI_Isend(&v, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &r[0]));
    OK(MPI_Irecv(&v, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &r[1]));
    OK(MPI_Waitall(2, r, MPI_STATUSES_IGNORE));
    OK(MPI_Wait(&r[0], &st)); /* MPI_REQUEST_NULL: empty status */
    CHECK(st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG, "empty status");
}

/* Everybody sends 4 tagged messages to everybody; collected by the wait
 * and test families. */
static void families(void)
{
    int n = 4 * np;
    int *in = calloc((size_t)n, sizeof(int)), *out = calloc((size_t)n, sizeof(int));
    MPI_Request *rr = calloc((size_t)n, sizeof(MPI_Request)), *sr = calloc((size_t)n, sizeof(MPI_Request));
    MPI_Status *sts = calloc((size_t)n, sizeof(MPI_Status));
    int *idx = calloc((size_t)n, sizeof(int));
    for (int round = 0; round < 5; round++) {
        for (int p = 0; p < np; p++)
            for (int k = 0; k < 4; k++) {
                int i = p * 4 + k;
                in[i] = -1;
                out[i] = me * 1000 + p * 10 + k + round;
                OK(MPI_Irecv(&in[i], 1, MPI_INT, p, k, MPI_COMM_WORLD, &rr[i]));
            }
        for (int p = 0; p < np; p++)
            for (int k = 0; k < 4; k++)
                OK((k % 2 ? MPI_Issend : MPI_Isend)(&out[p * 4 + k], 1, MPI_INT, p, k, MPI_COMM_WORLD, &sr[p * 4 + k]));
        int done = 0;
        switch (round) {
        case 0:
            OK(MPI_Waitall(n, rr, sts));
            done = n;
            break;
        case 1:
            while (done < n) {
                int i;
                OK(MPI_Waitany(n, rr, &i, &sts[0]));
                CHECK(i >= 0 && i < n && rr[i] == MPI_REQUEST_NULL, "waitany index %d", i);
                CHECK(sts[0].MPI_SOURCE == i / 4 && sts[0].MPI_TAG == i % 4, "waitany status");
                done++;
            }
            {
                int i;
                OK(MPI_Waitany(n, rr, &i, MPI_STATUS_IGNORE));
                CHECK(i == MPI_UNDEFINED, "waitany on nothing: %d", i);
            }
            break;
        case 2:
            while (done < n) {
                int got;
                OK(MPI_Waitsome(n, rr, &got, idx, sts));
                CHECK(got >= 1, "waitsome got %d", got);
                for (int j = 0; j < got; j++)
                    CHECK(sts[j].MPI_SOURCE == idx[j] / 4 && sts[j].MPI_TAG == idx[j] % 4, "waitsome status");
                done += got;
            }
            break;
        case 3: {
            int flag = 0;
            while (!flag)
                OK(MPI_Testall(n, rr, &flag, sts));
            for (int i = 0; i < n; i++)
                CHECK(sts[i].MPI_SOURCE == i / 4 && sts[i].MPI_TAG == i % 4, "testall status %d", i);
            break;
        }
        case 4:
            while (done < n) {
                int flag = 0, i = -5;
                OK(MPI_Testany(n, rr, &i, &flag, &sts[0]));
                if (flag) {
                    CHECK(i >= 0 && rr[i] == MPI_REQUEST_NULL, "testany index %d", i);
                    done++;
                } else {
                    int got;
                    OK(MPI_Testsome(n, rr, &got, idx, MPI_STATUSES_IGNORE));
                    done += got;
                }
            }
            break;
        }
        for (int i = 0; i < n; i++)
            CHECK(in[i] == (i / 4) * 1000 + me * 10 + i % 4 + round, "round %d: in[%d] = %d", round, i, in[i]);
        OK(MPI_Waitall(n, sr, MPI_STATUSES_IGNORE));
    }
    free(in); free(out); free(rr); free(sr); free(sts); free(idx);
}

static void probe(void)
{
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    char msg[64];
    int len = 10 + me;
    memset(msg, 'a' + me, sizeof(msg));
    MPI_Request r;
    OK(MPI_Isend(msg, len, MPI_CHAR, next, TAG_A, MPI_COMM_WORLD, &r));
    MPI_Status st;
    OK(MPI_Probe(MPI_ANY_SOURCE, TAG_A, MPI_COMM_WORLD, &st));
    int count;
    OK(MPI_Get_count(&st, MPI_CHAR, &count));
    CHECK(st.MPI_SOURCE == prev && count == 10 + prev, "probe %d %d", st.MPI_SOURCE, count);
    int flag = 0;
    OK(MPI_Iprobe(prev, TAG_A, MPI_COMM_WORLD, &flag, &st));
    CHECK(flag == 1, "iprobe after probe");
    char in[64] = { 0 };
    OK(MPI_Recv(in, count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st));
    CHECK(in[0] == 'a' + prev && in[count - 1] == 'a' + prev && in[count] == 0, "probed data");
    OK(MPI_Wait(&r, MPI_STATUS_IGNORE));
    OK(MPI_Iprobe(MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE));
    CHECK(flag == 0, "iprobe of nothing");
}

static void replace_and_free(void)
{
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    long buf[5];
    for (int i = 0; i < 5; i++)
        buf[i] = me * 10 + i;
    MPI_Status st;
    OK(MPI_Sendrecv_replace(buf, 5, MPI_LONG, next, TAG_B, prev, TAG_B, MPI_COMM_WORLD, &st));
    for (int i = 0; i < 5; i++)
        CHECK(buf[i] == prev * 10 + i, "replace %ld", buf[i]);
    CHECK(st.MPI_SOURCE == prev && st.MPI_TAG == TAG_B, "replace status");
    /* a freed send still delivers */
    MPI_Request r;
    int v = me + 77, got = 0;
    OK(MPI_Isend(&v, 1, MPI_INT, next, TAG_A, MPI_COMM_WORLD, &r));
    OK(MPI_Request_free(&r));
    CHECK(r == MPI_REQUEST_NULL, "free did not null");
    OK(MPI_Recv(&got, 1, MPI_INT, prev, TAG_A, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    CHECK(got == prev + 77, "freed send delivered %d", got);
    MPI_Barrier(MPI_COMM_WORLD); /* v stays alive until all received */
}

static void buffered(void)
{
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    int size = 4 * (100 * (int)sizeof(int) + MPI_BSEND_OVERHEAD);
    char *space = malloc((size_t)size);
    OK(MPI_Buffer_attach(space, size));
    int data[100];
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 100; i++)
            data[i] = me + k + i;
        OK(MPI_Bsend(data, 100, MPI_INT, next, k, MPI_COMM_WORLD));
        memset(data, 0, sizeof(data)); /* the copy was taken */
    }
    /* a message larger than the whole buffer never fits */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    static int big[2000];
    EXPECT_RC(MPI_Bsend(big, 2000, MPI_INT, next, 9, MPI_COMM_WORLD), MPI_ERR_BUFFER);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    for (int k = 3; k >= 0; k--) {
        OK(MPI_Recv(data, 100, MPI_INT, prev, k, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        CHECK(data[0] == prev + k && data[99] == prev + k + 99, "bsend data %d", data[0]);
    }
    void *back;
    int back_size;
    OK(MPI_Buffer_detach(&back, &back_size));
    CHECK(back == space && back_size == size, "detach gave %p %d", back, back_size);
    free(space);
}

/* Issend is not complete before the receive is posted; Ssend completes
 * against a posted receive while its owner waits for something else. */
static void synchronous(void)
{
    if (np < 2) {
        /* to oneself: an Issend completes once the receive is posted */
        int v = 3, w = 0, flag = 1;
        MPI_Request s, r;
        OK(MPI_Issend(&v, 1, MPI_INT, 0, TAG_A, MPI_COMM_WORLD, &s));
        for (int i = 0; i < 50; i++)
            OK(MPI_Test(&s, &flag, MPI_STATUS_IGNORE));
        CHECK(!flag, "Issend to self completed with no receive");
        OK(MPI_Irecv(&w, 1, MPI_INT, 0, TAG_A, MPI_COMM_WORLD, &r));
        OK(MPI_Wait(&s, MPI_STATUS_IGNORE));
        OK(MPI_Wait(&r, MPI_STATUS_IGNORE));
        CHECK(w == 3, "self ssend data");
        return;
    }
    if (me == 1) {
        int v = 42, flag = 1, go = 1;
        MPI_Request s;
        OK(MPI_Issend(&v, 1, MPI_INT, 0, TAG_A, MPI_COMM_WORLD, &s));
        for (int i = 0; i < 200; i++) {
            OK(MPI_Test(&s, &flag, MPI_STATUS_IGNORE));
            if (flag)
                break;
        }
        CHECK(!flag, "Issend completed before rank 0 posted its receive");
        /* an eager Isend of the same size completes at once */
        MPI_Request e;
        int f2 = 0;
        OK(MPI_Isend(&v, 1, MPI_INT, 0, TAG_B, MPI_COMM_WORLD, &e));
        for (int i = 0; i < 1000 && !f2; i++)
            OK(MPI_Test(&e, &f2, MPI_STATUS_IGNORE));
        CHECK(f2, "plain Isend did not complete");
        if (!f2)
            MPI_Wait(&e, MPI_STATUS_IGNORE);
        OK(MPI_Send(&go, 1, MPI_INT, 0, TAG_GO, MPI_COMM_WORLD));
        OK(MPI_Wait(&s, MPI_STATUS_IGNORE));
        /* Ssend to a receive posted before rank 0 blocks on another one */
        OK(MPI_Ssend(&v, 1, MPI_INT, 0, TAG_A, MPI_COMM_WORLD));
        OK(MPI_Send(&go, 1, MPI_INT, 0, TAG_GO, MPI_COMM_WORLD));
    } else if (me == 0) {
        int v = 0, go = 0, w = 0;
        OK(MPI_Recv(&go, 1, MPI_INT, 1, TAG_GO, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        OK(MPI_Recv(&w, 1, MPI_INT, 1, TAG_B, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        OK(MPI_Recv(&v, 1, MPI_INT, 1, TAG_A, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        CHECK(v == 42 && w == 42, "issend data %d %d", v, w);
        MPI_Request r;
        v = 0;
        OK(MPI_Irecv(&v, 1, MPI_INT, 1, TAG_A, MPI_COMM_WORLD, &r));
        OK(MPI_Recv(&go, 1, MPI_INT, 1, TAG_GO, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        OK(MPI_Wait(&r, MPI_STATUS_IGNORE));
        CHECK(v == 42, "ssend data %d", v);
    }
    /* many Issends crossing with Waitall on both sides */
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    int out[8], in[8];
    MPI_Request rq[16];
    for (int i = 0; i < 8; i++) {
        out[i] = me * 8 + i;
        OK(MPI_Issend(&out[i], 1, MPI_INT, next, TAG_A, MPI_COMM_WORLD, &rq[i]));
    }
    for (int i = 0; i < 8; i++)
        OK(MPI_Irecv(&in[i], 1, MPI_INT, prev, TAG_A, MPI_COMM_WORLD, &rq[8 + i]));
    OK(MPI_Waitall(16, rq, MPI_STATUSES_IGNORE));
    for (int i = 0; i < 8; i++)
        CHECK(in[i] == prev * 8 + i, "issend order %d", in[i]);
}

static void truncation(void)
{
    int next = (me + 1) % np, prev = (me + np - 1) % np;
    int out[4] = { 1, 2, 3, 4 }, in[2] = { 0, 0 };
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Request r;
    OK(MPI_Isend(out, 4, MPI_INT, next, TAG_B, MPI_COMM_WORLD, &r));
    MPI_Status st;
    EXPECT_RC(MPI_Recv(in, 2, MPI_INT, prev, TAG_B, MPI_COMM_WORLD, &st), MPI_ERR_TRUNCATE);
    CHECK(st.MPI_ERROR == MPI_ERR_TRUNCATE && st.MPI_SOURCE == prev, "truncate status");
    CHECK(in[0] == 1 && in[1] == 2, "truncated data");
    OK(MPI_Wait(&r, MPI_STATUS_IGNORE));
    /* in waitall: MPI_ERR_IN_STATUS, the error in the status */
    MPI_Request rq[2];
    OK(MPI_Isend(out, 4, MPI_INT, next, TAG_B, MPI_COMM_WORLD, &rq[0]));
    OK(MPI_Irecv(in, 2, MPI_INT, prev, TAG_B, MPI_COMM_WORLD, &rq[1]));
    MPI_Status sts[2];
    EXPECT_RC(MPI_Waitall(2, rq, sts), MPI_ERR_IN_STATUS);
    CHECK(sts[0].MPI_ERROR == MPI_SUCCESS && sts[1].MPI_ERROR == MPI_ERR_TRUNCATE, "in-status errors %d %d", sts[0].MPI_ERROR, sts[1].MPI_ERROR);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char **argv)
{
    start(&argc, &argv);
    basic_ring();
    proc_null();
    families();
    probe();
    replace_and_free();
    buffered();
    synchronous();
    truncation();
    return finish();
}
