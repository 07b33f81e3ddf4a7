/*
 * mpi_comm.c - MPI communicators and groups over mpr: WORLD, SELF, dup,
 * split, create, free, compare, Comm_group, Group_incl/excl/size/rank/
 * translate_ranks/compare/free; messages on one communicator never match
 * another's. Any number of ranks. Run: mprun -n 4 ./mpi_comm
 */
#include "mpi_check.h"

int main(int argc, char **argv)
{
    start(&argc, &argv);
    int r, s, res;

    OK(MPI_Comm_rank(MPI_COMM_SELF, &r));
    OK(MPI_Comm_size(MPI_COMM_SELF, &s));
    CHECK(r == 0 && s == 1, "self %d/%d", r, s);
    int v = 7;
    OK(MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_SELF));
    OK(MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_WORLD, &res));
    CHECK(res == MPI_IDENT, "world ident");
    OK(MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_SELF, &res));
    CHECK(res == (np == 1 ? MPI_CONGRUENT : MPI_UNEQUAL), "world vs self %d", res);

    /* dup: congruent, separate message space */
    MPI_Comm dup;
    OK(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
    OK(MPI_Comm_compare(MPI_COMM_WORLD, dup, &res));
    CHECK(res == MPI_CONGRUENT, "dup congruent %d", res);
    int next = (me + 1) % np, prev = (me + np - 1) % np, a = me, b = -1, c = -1;
    MPI_Request rq[2];
    OK(MPI_Irecv(&b, 1, MPI_INT, prev, 5, dup, &rq[0]));
    OK(MPI_Irecv(&c, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, &rq[1]));
    int aw = a + 100;
    OK(MPI_Send(&aw, 1, MPI_INT, next, 5, MPI_COMM_WORLD));
    OK(MPI_Send(&a, 1, MPI_INT, next, 5, dup));
    OK(MPI_Waitall(2, rq, MPI_STATUSES_IGNORE));
    CHECK(b == prev && c == prev + 100, "dup isolation %d %d", b, c);

    /* split: evens and odds, reversed order by key */
    MPI_Comm half;
    OK(MPI_Comm_split(MPI_COMM_WORLD, me % 2, -me, &half));
    OK(MPI_Comm_rank(half, &r));
    OK(MPI_Comm_size(half, &s));
    int want_size = (np + (me % 2 ? 0 : 1)) / 2;
    CHECK(s == want_size, "split size %d want %d", s, want_size);
    CHECK(r >= 0 && r < s, "split rank %d", r);
    int sum = 0;
    OK(MPI_Allreduce(&me, &sum, 1, MPI_INT, MPI_SUM, half));
    int want = 0;
    for (int i = me % 2; i < np; i += 2) want += i;
    CHECK(sum == want, "split allreduce %d want %d", sum, want);
    int top = -1;
    int mine = me;
    OK(MPI_Bcast(r == 0 ? &mine : &top, 1, MPI_INT, 0, half));
    if (r != 0) {
        int hi = me % 2;
        while (hi + 2 < np) hi += 2;
        CHECK(top == hi, "key order: rank 0 of the half is %d, want %d", top, hi);
    }
    MPI_Comm none;
    OK(MPI_Comm_split(MPI_COMM_WORLD, me == 0 ? MPI_UNDEFINED : 1, 0, &none));
    CHECK((me == 0) == (none == MPI_COMM_NULL), "undefined color");
    if (none != MPI_COMM_NULL) {
        OK(MPI_Comm_size(none, &s));
        CHECK(s == np - 1, "split size without 0");
        OK(MPI_Comm_free(&none));
    }
    /* a permutation of world: similar */
    MPI_Comm rev;
    OK(MPI_Comm_split(MPI_COMM_WORLD, 0, np - me, &rev));
    OK(MPI_Comm_compare(MPI_COMM_WORLD, rev, &res));
    CHECK(res == (np == 1 ? MPI_CONGRUENT : MPI_SIMILAR), "reversed similar %d", res);

    /* groups */
    MPI_Group world, evens, odds, g;
    OK(MPI_Comm_group(MPI_COMM_WORLD, &world));
    OK(MPI_Group_size(world, &s));
    OK(MPI_Group_rank(world, &r));
    CHECK(s == np && r == me, "world group");
    int n_even = (np + 1) / 2;
    int *ranks = malloc(sizeof(int) * (size_t)np);
    for (int i = 0; i < n_even; i++) ranks[i] = 2 * i;
    OK(MPI_Group_incl(world, n_even, ranks, &evens));
    OK(MPI_Group_excl(world, n_even, ranks, &odds));
    OK(MPI_Group_size(evens, &s));
    CHECK(s == n_even, "evens size");
    OK(MPI_Group_rank(evens, &r));
    CHECK(r == (me % 2 ? MPI_UNDEFINED : me / 2), "evens rank %d", r);
    OK(MPI_Group_size(odds, &s));
    CHECK(s == np - n_even, "odds size");
    int q[2] = { 0, n_even - 1 }, t[2];
    OK(MPI_Group_translate_ranks(evens, 2, q, world, t));
    CHECK(t[0] == 0 && t[1] == 2 * (n_even - 1), "translate %d %d", t[0], t[1]);
    OK(MPI_Group_compare(world, evens, &res));
    CHECK(res == (np == 1 ? MPI_IDENT : MPI_UNEQUAL), "group compare %d", res);
    MPI_Comm_group(MPI_COMM_WORLD, &g);
    OK(MPI_Group_compare(world, g, &res));
    CHECK(res == MPI_IDENT, "group ident");
    OK(MPI_Group_free(&g));
    CHECK(g == MPI_GROUP_NULL, "group free");

    MPI_Comm ec;
    OK(MPI_Comm_create(MPI_COMM_WORLD, evens, &ec));
    CHECK((me % 2 == 0) == (ec != MPI_COMM_NULL), "comm_create membership");
    if (ec != MPI_COMM_NULL) {
        OK(MPI_Comm_rank(ec, &r));
        OK(MPI_Comm_size(ec, &s));
        CHECK(r == me / 2 && s == n_even, "created comm %d/%d", r, s);
        int x = me, y = 0;
        OK(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_MAX, ec));
        CHECK(y == 2 * (n_even - 1), "created comm allreduce");
        MPI_Group eg;
        OK(MPI_Comm_group(ec, &eg));
        OK(MPI_Group_compare(eg, evens, &res));
        CHECK(res == MPI_IDENT, "created comm group");
        OK(MPI_Group_free(&eg));
        OK(MPI_Comm_free(&ec));
    }
    /* errors are returned on request */
    OK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    MPI_Errhandler eh;
    OK(MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh));
    CHECK(eh == MPI_ERRORS_RETURN, "get errhandler");
    MPI_Comm w = MPI_COMM_WORLD;
    EXPECT_RC(MPI_Comm_free(&w), MPI_ERR_COMM);
    EXPECT_RC(MPI_Comm_size(MPI_COMM_NULL, &s), MPI_ERR_COMM);
    ranks[0] = np;
    EXPECT_RC(MPI_Group_incl(world, 1, ranks, &g), MPI_ERR_RANK);
    EXPECT_RC(MPI_Comm_create(MPI_COMM_WORLD, MPI_GROUP_NULL, &ec), MPI_ERR_GROUP);
    OK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL));

    OK(MPI_Group_free(&evens));
    OK(MPI_Group_free(&odds));
    OK(MPI_Group_free(&world));
    OK(MPI_Comm_free(&half));
    OK(MPI_Comm_free(&rev));
    OK(MPI_Comm_free(&dup));
    CHECK(dup == MPI_COMM_NULL, "comm free");
    free(ranks);
    return finish();
}
