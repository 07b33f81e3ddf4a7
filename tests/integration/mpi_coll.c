/*
 * mpi_coll.c - MPI collectives over mpr: barrier, bcast, reduce,
 * allreduce, scan, exscan, reduce_scatter(_block), gather(v), scatter(v),
 * allgather(v), alltoall(v), with MPI_IN_PLACE where MPI allows it; the
 * predefined ops (MAXLOC/MINLOC on the pair types; types libmpr lacks:
 * bool, complex, wchar) and a non-commutative user op. Any number of
 * ranks. Run: mprun -n 4 ./mpi_coll [finalize]   ("finalize": a reduce
 * whose root comes late, straight into MPI_Finalize)
 */
#include <complex.h>
#include <stdbool.h>

#include <unistd.h>

#include "mpi_check.h"

/* 2x2 integer matrices: a non-commutative, associative product. */
typedef struct { long a, b, c, d; } mat;
static void matmul(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    mat *x = in, *y = inout;
    for (int i = 0; i < *len; i++) {
        mat r = { x[i].a * y[i].a + x[i].b * y[i].c, x[i].a * y[i].b + x[i].b * y[i].d,
                  x[i].c * y[i].a + x[i].d * y[i].c, x[i].c * y[i].b + x[i].d * y[i].d };
        y[i] = r;
    }
}
static mat mat_of(int r) { mat m = { 1, r + 1, 0, 1 }; if (r % 2) { m.c = 1; } return m; }
static mat mat_mul(mat x, mat y) { int one = 1; matmul(&x, &y, &one, NULL); return y; }

static void reductions(void)
{
    int n = 1000;
    double *in = malloc(sizeof(double) * (size_t)n), *out = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++)
        in[i] = me + i;
    for (int root = 0; root < np; root++) {
        memset(out, 0, sizeof(double) * (size_t)n);
        OK(MPI_Reduce(in, out, n, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD));
        if (me == root)
            for (int i = 0; i < n; i++)
                CHECK(out[i] == np * (double)i + np * (np - 1) / 2.0, "reduce[%d] %g", i, out[i]);
    }
    OK(MPI_Allreduce(in, out, n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
    CHECK(out[0] == np - 1 && out[n - 1] == np - 1 + n - 1, "allreduce max");
    for (int i = 0; i < n; i++)
        out[i] = me + i;
    OK(MPI_Allreduce(MPI_IN_PLACE, out, n, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD));
    CHECK(out[0] == 0 && out[5] == 5, "allreduce in place");
    int root = np - 1;
    for (int i = 0; i < n; i++)
        out[i] = 1;
    OK(MPI_Reduce(me == root ? MPI_IN_PLACE : out, out, n, MPI_DOUBLE, MPI_PROD, root, MPI_COMM_WORLD));
    if (me == root)
        CHECK(out[0] == 1, "reduce in place");

    int ibits = 1 << me, iout = 0;
    OK(MPI_Allreduce(&ibits, &iout, 1, MPI_INT, MPI_BOR, MPI_COMM_WORLD));
    CHECK(iout == (1 << np) - 1, "bor %x", iout);
    OK(MPI_Allreduce(&ibits, &iout, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD));
    CHECK(iout == 1, "land %d", iout);
    unsigned char ub = (unsigned char)(0xf0 | me), uo;
    OK(MPI_Allreduce(&ub, &uo, 1, MPI_BYTE, MPI_BAND, MPI_COMM_WORLD));
    CHECK((uo & 0xf0) == 0xf0, "byte band");

    /* types libmpr lacks */
    bool b = me == 0, bo = false;
    OK(MPI_Allreduce(&b, &bo, 1, MPI_C_BOOL, MPI_LOR, MPI_COMM_WORLD));
    CHECK(bo, "bool lor");
    OK(MPI_Allreduce(&b, &bo, 1, MPI_C_BOOL, MPI_LXOR, MPI_COMM_WORLD));
    CHECK(bo, "bool lxor");
    double complex z = me + 1.0 * I, zo = 0;
    OK(MPI_Allreduce(&z, &zo, 1, MPI_C_DOUBLE_COMPLEX, MPI_SUM, MPI_COMM_WORLD));
    CHECK(creal(zo) == np * (np - 1) / 2.0 && cimag(zo) == np, "complex sum");

    /* MAXLOC / MINLOC */
    struct { double v; int i; } dp[2] = { { (me * 7) % np, me }, { -me, me } }, dr[2];
    OK(MPI_Allreduce(dp, dr, 2, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD));
    double best = -1; int at = -1;
    for (int r = 0; r < np; r++) if ((r * 7) % np > best) { best = (r * 7) % np; at = r; }
    CHECK(dr[0].v == best && dr[0].i == at, "maxloc %g@%d want %g@%d", dr[0].v, dr[0].i, best, at);
    CHECK(dr[1].v == 0 && dr[1].i == 0, "maxloc tie -> lowest index");
    struct { int v; int i; } ip = { 5, me }, ir;
    OK(MPI_Reduce(&ip, &ir, 1, MPI_2INT, MPI_MINLOC, 0, MPI_COMM_WORLD));
    if (me == 0)
        CHECK(ir.v == 5 && ir.i == 0, "minloc tie");
    struct { float v; int i; } fp = { (float)(np - me), me }, fr;
    OK(MPI_Allreduce(&fp, &fr, 1, MPI_FLOAT_INT, MPI_MINLOC, MPI_COMM_WORLD));
    CHECK(fr.v == 1 && fr.i == np - 1, "float minloc");
    struct { long v; int i; } lp = { me, me }, lr;
    OK(MPI_Allreduce(&lp, &lr, 1, MPI_LONG_INT, MPI_MAXLOC, MPI_COMM_WORLD));
    CHECK(lr.v == np - 1 && lr.i == np - 1, "long maxloc");
    struct { short v; int i; } sp = { (short)me, me }, sr;
    OK(MPI_Allreduce(&sp, &sr, 1, MPI_SHORT_INT, MPI_MAXLOC, MPI_COMM_WORLD));
    CHECK(sr.v == np - 1, "short maxloc");

    /* user op, not commutative: ranks combined in order */
    MPI_Op op;
    OK(MPI_Op_create(matmul, 0, &op));
    mat m = mat_of(me), mr, want = mat_of(0);
    for (int r = 1; r < np; r++)
        want = mat_mul(want, mat_of(r));
    MPI_Datatype mt;
    OK(MPI_Type_contiguous(4, MPI_LONG, &mt));
    OK(MPI_Type_commit(&mt));
    OK(MPI_Allreduce(&m, &mr, 1, mt, op, MPI_COMM_WORLD));
    CHECK(memcmp(&mr, &want, sizeof(mat)) == 0, "user op allreduce");
    OK(MPI_Scan(&m, &mr, 1, mt, op, MPI_COMM_WORLD));
    mat pre = mat_of(0);
    for (int r = 1; r <= me; r++)
        pre = mat_mul(pre, mat_of(r));
    CHECK(memcmp(&mr, &pre, sizeof(mat)) == 0, "user op scan");
    OK(MPI_Type_free(&mt));
    OK(MPI_Op_free(&op));
    CHECK(op == MPI_OP_NULL, "op free");

    /* scan / exscan with SUM (native) and on a type libmpr lacks (generic) */
    int v = me + 1, s = -1;
    OK(MPI_Scan(&v, &s, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    CHECK(s == (me + 1) * (me + 2) / 2, "scan %d", s);
    s = -1;
    OK(MPI_Exscan(&v, &s, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    if (me > 0)
        CHECK(s == me * (me + 1) / 2, "exscan %d", s);
    wchar_t w = (wchar_t)(me + 1), ws = 0;
    OK(MPI_Exscan(&w, &ws, 1, MPI_WCHAR, MPI_SUM, MPI_COMM_WORLD));
    if (me > 0)
        CHECK(ws == me * (me + 1) / 2, "wchar exscan %d", (int)ws);
    OK(MPI_Scan(&w, &ws, 1, MPI_WCHAR, MPI_MAX, MPI_COMM_WORLD));
    CHECK(ws == me + 1, "wchar scan max");

    /* reduce_scatter_block / reduce_scatter */
    int *all = malloc(sizeof(int) * (size_t)np * 3), blk[3];
    for (int i = 0; i < np * 3; i++)
        all[i] = i + me;
    OK(MPI_Reduce_scatter_block(all, blk, 3, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    for (int k = 0; k < 3; k++)
        CHECK(blk[k] == np * (me * 3 + k) + np * (np - 1) / 2, "rsb %d", blk[k]);
    int *counts = malloc(sizeof(int) * (size_t)np), total = 0;
    for (int r = 0; r < np; r++)
        total += counts[r] = r % 3;
    int *in2 = malloc(sizeof(int) * (size_t)(total + 1)), out2[3] = { -1, -1, -1 };
    for (int i = 0; i < total; i++)
        in2[i] = i * me;
    OK(MPI_Reduce_scatter(in2, out2, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    int off = 0;
    for (int r = 0; r < me; r++)
        off += counts[r];
    for (int k = 0; k < counts[me]; k++)
        CHECK(out2[k] == (off + k) * np * (np - 1) / 2, "reduce_scatter %d", out2[k]);
    free(all); free(counts); free(in2); free(in); free(out);
}

static void movement(void)
{
    int k = 3;
    int *big = malloc(sizeof(int) * (size_t)np * (size_t)np * k * 2), *mine = malloc(sizeof(int) * (size_t)np * k * 2);
    for (int root = 0; root < np; root++) {
        int b[5] = { 0 };
        if (me == root)
            for (int i = 0; i < 5; i++) b[i] = root * 10 + i;
        OK(MPI_Bcast(b, 5, MPI_INT, root, MPI_COMM_WORLD));
        CHECK(b[4] == root * 10 + 4, "bcast from %d", root);

        for (int i = 0; i < k; i++) mine[i] = me * 100 + i;
        memset(big, 0xff, sizeof(int) * (size_t)np * k);
        OK(MPI_Gather(mine, k, MPI_INT, big, k, MPI_INT, root, MPI_COMM_WORLD));
        if (me == root)
            for (int r = 0; r < np; r++) CHECK(big[r * k + 2] == r * 100 + 2, "gather");
        /* in place at root */
        if (me == root) for (int i = 0; i < k; i++) big[root * k + i] = -7;
        OK(MPI_Gather(me == root ? MPI_IN_PLACE : mine, k, MPI_INT, big, k, MPI_INT, root, MPI_COMM_WORLD));
        if (me == root)
            for (int r = 0; r < np; r++) CHECK(big[r * k] == (r == root ? -7 : r * 100), "gather in place");

        if (me == root) for (int i = 0; i < np * k; i++) big[i] = i;
        OK(MPI_Scatter(big, k, MPI_INT, mine, k, MPI_INT, root, MPI_COMM_WORLD));
        CHECK(mine[0] == me * k && mine[k - 1] == me * k + k - 1, "scatter");
        OK(MPI_Scatter(big, k, MPI_INT, me == root ? MPI_IN_PLACE : mine, k, MPI_INT, root, MPI_COMM_WORLD));

        /* v-variants: rank r has r+1 elements, placed with a gap */
        int *cnt = malloc(sizeof(int) * (size_t)np), *dsp = malloc(sizeof(int) * (size_t)np);
        for (int r = 0, d = 0; r < np; r++) { cnt[r] = r + 1; dsp[r] = d; d += r + 2; }
        for (int i = 0; i <= me; i++) mine[i] = me * 10 + i;
        memset(big, 0, sizeof(int) * (size_t)np * (np + 2));
        OK(MPI_Gatherv(mine, me + 1, MPI_INT, big, cnt, dsp, MPI_INT, root, MPI_COMM_WORLD));
        if (me == root)
            for (int r = 0; r < np; r++) CHECK(big[dsp[r] + r] == r * 10 + r && big[dsp[r] + r + 1] == 0, "gatherv %d", r);
        OK(MPI_Scatterv(big, cnt, dsp, MPI_INT, mine, me + 1, MPI_INT, root, MPI_COMM_WORLD));
        CHECK(mine[me] == me * 10 + me, "scatterv");
        OK(MPI_Gatherv(me == root ? MPI_IN_PLACE : mine, me + 1, MPI_INT, big, cnt, dsp, MPI_INT, root, MPI_COMM_WORLD));
        OK(MPI_Scatterv(big, cnt, dsp, MPI_INT, me == root ? MPI_IN_PLACE : mine, me + 1, MPI_INT, root, MPI_COMM_WORLD));
        free(cnt); free(dsp);
    }
    /* allgather(v), in place too */
    for (int i = 0; i < k; i++) mine[i] = me * 100 + i;
    OK(MPI_Allgather(mine, k, MPI_INT, big, k, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(big[r * k + 1] == r * 100 + 1, "allgather");
    for (int i = 0; i < np * k; i++) big[i] = i / k == me ? 5 : 0;
    OK(MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, big, k, MPI_INT, MPI_COMM_WORLD));
    for (int i = 0; i < np * k; i++) CHECK(big[i] == 5, "allgather in place");
    int *cnt = malloc(sizeof(int) * (size_t)np), *dsp = malloc(sizeof(int) * (size_t)np);
    for (int r = 0, d = 0; r < np; r++) { cnt[r] = 2 * r + 1; dsp[r] = d; d += 2 * r + 1; }
    for (int i = 0; i < 2 * me + 1; i++) mine[i] = me;
    OK(MPI_Allgatherv(mine, 2 * me + 1, MPI_INT, big, cnt, dsp, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(big[dsp[r] + 2 * r] == r, "allgatherv");
    OK(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_INT, big, cnt, dsp, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(big[dsp[r]] == r, "allgatherv in place");
    /* alltoall(v) */
    for (int r = 0; r < np; r++) for (int i = 0; i < k; i++) mine[r * k + i] = me * 1000 + r * 10 + i;
    OK(MPI_Alltoall(mine, k, MPI_INT, big, k, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(big[r * k + 2] == r * 1000 + me * 10 + 2, "alltoall");
    OK(MPI_Alltoall(MPI_IN_PLACE, 0, MPI_INT, mine, k, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(mine[r * k] == r * 1000 + me * 10, "alltoall in place");
    int *sc = malloc(sizeof(int) * (size_t)np), *sd = malloc(sizeof(int) * (size_t)np);
    int *rc = malloc(sizeof(int) * (size_t)np), *rd = malloc(sizeof(int) * (size_t)np);
    /* rank i sends j+1 ints to rank j */
    for (int r = 0, d = 0, e = 0; r < np; r++) {
        sc[r] = r + 1; sd[r] = d; d += r + 1;
        rc[r] = me + 1; rd[r] = e; e += me + 1;
    }
    for (int r = 0; r < np; r++) for (int i = 0; i < sc[r]; i++) mine[sd[r] + i] = me * 100 + r;
    OK(MPI_Alltoallv(mine, sc, sd, MPI_INT, big, rc, rd, MPI_INT, MPI_COMM_WORLD));
    for (int r = 0; r < np; r++) CHECK(big[rd[r] + me] == r * 100 + me, "alltoallv from %d", r);
    free(sc); free(sd); free(rc); free(rd); free(cnt); free(dsp); free(big); free(mine);
    OK(MPI_Barrier(MPI_COMM_WORLD));
}

/* MPI_Reduce straight into MPI_Finalize while the root is late: the
 * others' finalizing must not fail the root's reduce. */
static int reduce_then_finalize(void)
{
    if (me == 0)
        usleep(300000);
    double t = me + 1, sum = 0;
    int rc = MPI_Reduce(&t, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    CHECK(rc == MPI_SUCCESS && (me != 0 || sum == np * (np + 1) / 2.0), "late root's reduce");
    MPI_Finalize();
    if (me == 0 && failures == 0)
        printf("ok\n");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    start(&argc, &argv);
    if (argc > 1 && !strcmp(argv[1], "finalize"))
        return reduce_then_finalize();
    reductions();
    movement();
    return finish();
}
