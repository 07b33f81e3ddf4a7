/*
 * mpi_types.c - MPI derived datatypes over mpr: contiguous, vector,
 * hvector, indexed, struct, resized; size, extent, true extent; data
 * packed correctly in point-to-point (non-contiguous on either side or
 * both) and in collectives (bcast, gather, scatter, alltoall,
 * allreduce). Any number of ranks. Run: mprun -n 4 ./mpi_types
 */
#include <stddef.h>

#include "mpi_check.h"

#define N 6 /* N x N matrices of doubles */

struct particle {
    char tag;
    double pos[3];
    int id;
};

int main(int argc, char **argv)
{
    start(&argc, &argv);
    int next = (me + 1) % np, prev = (me + np - 1) % np, size;
    MPI_Aint lb, ext;

    /* a column of a row-major matrix */
    MPI_Datatype col;
    OK(MPI_Type_vector(N, 1, N, MPI_DOUBLE, &col));
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    double m[N][N], r[N][N];
    EXPECT_RC(MPI_Send(m, 1, col, next, 0, MPI_COMM_WORLD), MPI_ERR_TYPE); /* not committed */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    OK(MPI_Type_commit(&col));
    OK(MPI_Type_size(col, &size));
    OK(MPI_Type_get_extent(col, &lb, &ext));
    CHECK(size == N * 8 && lb == 0 && ext == ((N - 1) * N + 1) * 8, "vector size %d extent %ld", size, (long)ext);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            m[i][j] = me * 100 + i * N + j;
            r[i][j] = -1;
        }
    /* column 2 -> column 4 of the neighbour; then column 1 into a plain array */
    MPI_Status st;
    OK(MPI_Sendrecv(&m[0][2], 1, col, next, 1, &r[0][4], 1, col, prev, 1, MPI_COMM_WORLD, &st));
    int count;
    OK(MPI_Get_count(&st, col, &count));
    CHECK(count == 1, "get_count of a column %d", count);
    OK(MPI_Get_elements(&st, col, &count));
    CHECK(count == N, "get_elements %d", count);
    for (int i = 0; i < N; i++) {
        CHECK(r[i][4] == prev * 100 + i * N + 2, "column moved r[%d][4] = %g", i, r[i][4]);
        CHECK(r[i][3] == -1 && r[i][5] == -1, "neighbours of the column untouched");
    }
    double plain[N];
    OK(MPI_Sendrecv(&m[0][1], 1, col, next, 2, plain, N, MPI_DOUBLE, prev, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    for (int i = 0; i < N; i++)
        CHECK(plain[i] == prev * 100 + i * N + 1, "column to plain");
    /* plain into a column, non-blocking */
    MPI_Request rq[2];
    OK(MPI_Irecv(&r[0][0], 1, col, prev, 3, MPI_COMM_WORLD, &rq[0]));
    OK(MPI_Isend(plain, N, MPI_DOUBLE, next, 3, MPI_COMM_WORLD, &rq[1]));
    OK(MPI_Waitall(2, rq, MPI_STATUSES_IGNORE));
    /* the neighbour's plain array is this rank's prev-of-prev column 1 */
    int pp = (prev + np - 1) % np;
    for (int i = 0; i < N; i++)
        CHECK(r[i][0] == pp * 100 + i * N + 1, "plain to column r[%d][0] = %g", i, r[i][0]);

    /* two columns at once: resized to one double, so consecutive columns */
    MPI_Datatype col1;
    OK(MPI_Type_create_resized(col, 0, sizeof(double), &col1));
    OK(MPI_Type_commit(&col1));
    OK(MPI_Type_get_extent(col1, &lb, &ext));
    CHECK(ext == 8, "resized extent %ld", (long)ext);
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) r[i][j] = -1;
    OK(MPI_Sendrecv(&m[0][0], 2, col1, next, 4, &r[0][3], 2, col1, prev, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    for (int i = 0; i < N; i++)
        CHECK(r[i][3] == prev * 100 + i * N && r[i][4] == prev * 100 + i * N + 1 && r[i][5] == -1, "two columns");

    /* transpose by alltoall-free trick: each rank sends its column `me`-ish via gather */
    double *cols = malloc(sizeof(double) * N * (size_t)np);
    OK(MPI_Gather(&m[0][me % N], 1, col, cols, N, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    if (me == 0)
        for (int p = 0; p < np; p++)
            CHECK(cols[p * N + N - 1] == p * 100 + (N - 1) * N + p % N, "gather of columns");
    /* bcast a column */
    for (int i = 0; i < N; i++) r[i][2] = me == 0 ? 1000 + i : 0;
    OK(MPI_Bcast(&r[0][2], 1, col, 0, MPI_COMM_WORLD));
    for (int i = 0; i < N; i++) CHECK(r[i][2] == 1000 + i, "bcast column");
    /* scatter columns of root's matrix (np <= N uses distinct columns) */
    double got[N];
    double *src = malloc(sizeof(double) * N * N * (size_t)np);
    for (int i = 0; i < N * N * np; i++) src[i] = i;
    MPI_Datatype wide_col, wide_col1;
    OK(MPI_Type_vector(N, 1, np, MPI_DOUBLE, &wide_col)); /* columns of an N x np matrix */
    OK(MPI_Type_create_resized(wide_col, 0, sizeof(double), &wide_col1));
    OK(MPI_Type_commit(&wide_col1));
    OK(MPI_Scatter(src, 1, wide_col1, got, N, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    for (int i = 0; i < N; i++) CHECK(got[i] == i * np + me, "scatter of columns got %g", got[i]);
    /* alltoall of columns back */
    double *back = malloc(sizeof(double) * N * (size_t)np);
    double *mat = malloc(sizeof(double) * N * (size_t)np);
    for (int i = 0; i < N * np; i++) mat[i] = me * 1000 + i;
    OK(MPI_Alltoall(mat, N, MPI_DOUBLE, back, 1, wide_col1, MPI_COMM_WORLD));
    for (int i = 0; i < N; i++)
        for (int p = 0; p < np; p++)
            CHECK(back[i * np + p] == p * 1000 + me * N + i, "alltoall into columns");
    OK(MPI_Type_free(&wide_col));
    OK(MPI_Type_free(&wide_col1));

    /* indexed: the upper triangle */
    int lens[N], disps[N];
    for (int i = 0; i < N; i++) { lens[i] = N - i; disps[i] = i * N + i; }
    MPI_Datatype upper;
    OK(MPI_Type_indexed(N, lens, disps, MPI_DOUBLE, &upper));
    OK(MPI_Type_commit(&upper));
    OK(MPI_Type_size(upper, &size));
    CHECK(size == N * (N + 1) / 2 * 8, "indexed size %d", size);
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) r[i][j] = -1;
    OK(MPI_Sendrecv(m, 1, upper, next, 5, r, 1, upper, prev, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            CHECK(r[i][j] == (j >= i ? prev * 100 + i * N + j : -1), "upper triangle [%d][%d]", i, j);
    /* allreduce over a homogeneous derived type: sums element-wise */
    double sum[N][N];
    memset(sum, 0, sizeof(sum));
    OK(MPI_Allreduce(m, sum, 1, upper, MPI_SUM, MPI_COMM_WORLD));
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            CHECK(sum[i][j] == (j >= i ? np * (i * N + j) + 100.0 * np * (np - 1) / 2 : 0), "allreduce upper [%d][%d] %g", i, j, sum[i][j]);

    /* struct with padding; hvector of particles' ids */
    struct particle ps[4], pr[4];
    int bl[3] = { 1, 3, 1 };
    MPI_Aint pd[3] = { offsetof(struct particle, tag), offsetof(struct particle, pos), offsetof(struct particle, id) };
    MPI_Datatype pt[3] = { MPI_CHAR, MPI_DOUBLE, MPI_INT }, ptype;
    OK(MPI_Type_create_struct(3, bl, pd, pt, &ptype));
    OK(MPI_Type_commit(&ptype));
    OK(MPI_Type_size(ptype, &size));
    OK(MPI_Type_get_extent(ptype, &lb, &ext));
    CHECK(size == 1 + 24 + 4 && ext == sizeof(struct particle), "struct size %d extent %ld", size, (long)ext);
    MPI_Aint tlb, text;
    OK(MPI_Type_get_true_extent(ptype, &tlb, &text));
    CHECK(tlb == 0 && text == (MPI_Aint)(offsetof(struct particle, id) + sizeof(int)), "true extent");
    for (int i = 0; i < 4; i++) {
        ps[i] = (struct particle){ (char)('a' + me), { me, i, -i }, me * 10 + i };
        memset(&pr[i], 0, sizeof(pr[i]));
    }
    OK(MPI_Sendrecv(ps, 4, ptype, next, 6, pr, 4, ptype, prev, 6, MPI_COMM_WORLD, &st));
    OK(MPI_Get_count(&st, ptype, &count));
    CHECK(count == 4, "struct count %d", count);
    for (int i = 0; i < 4; i++)
        CHECK(pr[i].tag == 'a' + prev && pr[i].pos[1] == i && pr[i].id == prev * 10 + i, "struct %d", i);
    MPI_Datatype ids;
    OK(MPI_Type_create_hvector(4, 1, sizeof(struct particle), MPI_INT, &ids));
    OK(MPI_Type_commit(&ids));
    int idv[4];
    OK(MPI_Sendrecv(&ps[0].id, 1, ids, next, 7, idv, 4, MPI_INT, prev, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    for (int i = 0; i < 4; i++) CHECK(idv[i] == prev * 10 + i, "hvector ids");
    /* allgather of structs */
    struct particle *everyone = malloc(sizeof(struct particle) * (size_t)np);
    OK(MPI_Allgather(&ps[1], 1, ptype, everyone, 1, ptype, MPI_COMM_WORLD));
    for (int p = 0; p < np; p++) CHECK(everyone[p].id == p * 10 + 1 && everyone[p].tag == 'a' + p, "allgather structs");

    /* contiguous of a derived type */
    MPI_Datatype two_cols;
    OK(MPI_Type_contiguous(2, col1, &two_cols));
    OK(MPI_Type_commit(&two_cols));
    OK(MPI_Type_size(two_cols, &size));
    CHECK(size == 2 * N * 8, "contiguous of resized size %d", size);

    OK(MPI_Type_free(&two_cols));
    OK(MPI_Type_free(&ids));
    OK(MPI_Type_free(&ptype));
    OK(MPI_Type_free(&upper));
    OK(MPI_Type_free(&col1));
    OK(MPI_Type_free(&col));
    CHECK(col == MPI_DATATYPE_NULL, "type free");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Datatype pre = MPI_INT;
    EXPECT_RC(MPI_Type_free(&pre), MPI_ERR_TYPE);
    free(cols); free(src); free(back); free(mat); free(everyone);
    return finish();
}
