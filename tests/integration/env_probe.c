/*
 * env_probe - starts, runs every collective family once on small data
 * (whatever algorithm MPR_COLL_* forces), checks the results and ends.
 * env_values.sh runs it under good and bad MPR_* values.
 *
 *   mprun -n N env_probe
 *
 * Exits 0 when every check passes; exits 1 when mpr_init fails (printing
 * "mpr_init: <error name>") or a check fails.
 */
#include <mpr.h>

#include <stdio.h>

#include "check.h"

int main(int argc, char **argv)
{
    int rc = mpr_init(&argc, &argv);
    if (rc != MPR_SUCCESS) {
        printf("mpr_init: %s\n", mpr_error_name(rc));
        return 1;
    }
    int size;
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);
    int one = me, all[64] = { 0 }, got = -1, sum = -1;
    if (size > 64)
        return 2;
    EXPECT(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    int root_value = me == 0 ? 42 : 0;
    EXPECT(mpr_bcast(&root_value, sizeof(int), 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(root_value == 42, "bcast gave %d", root_value);
    EXPECT(mpr_gather(&one, sizeof(int), all, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; me == 0 && i < size; i++)
        CHECK(all[i] == i, "gather: [%d] = %d", i, all[i]);
    EXPECT(mpr_scatter(all, sizeof(int), &got, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(got == me, "scatter gave %d", got);
    EXPECT(mpr_allgather(&one, sizeof(int), all, MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; i < size; i++)
        CHECK(all[i] == i, "allgather: [%d] = %d", i, all[i]);
    int to_each[64], from_each[64];
    for (int i = 0; i < size; i++)
        to_each[i] = me * 100 + i;
    EXPECT(mpr_alltoall(to_each, sizeof(int), from_each, MPR_COMM_WORLD), MPR_SUCCESS);
    for (int i = 0; i < size; i++)
        CHECK(from_each[i] == i * 100 + me, "alltoall: [%d] = %d", i, from_each[i]);
    EXPECT(mpr_reduce(&one, &sum, 1, MPR_INT, MPR_SUM, 0, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(me != 0 || sum == size * (size - 1) / 2, "reduce gave %d", sum);
    EXPECT(mpr_allreduce(&one, &sum, 1, MPR_INT, MPR_SUM, MPR_COMM_WORLD), MPR_SUCCESS);
    CHECK(sum == size * (size - 1) / 2, "allreduce gave %d", sum);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
