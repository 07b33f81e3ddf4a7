/*
 * ring - pass a token once around all ranks: rank 0 starts it, every rank
 * adds 1 and hands it to the next, and rank 0 checks that it comes back
 * holding the number of ranks.
 *
 *   mprun -n 4 ./examples/ring
 *
 * With one rank, rank 0 passes the token to itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

enum { TAG_TOKEN = 7 };

static void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "ring: %s failed: %s\n", what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
    exit(1);
}

int main(int argc, char **argv)
{
    int rank, size;

    check(mpr_init(&argc, &argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, &rank), "mpr_comm_rank");
    check(mpr_comm_size(MPR_COMM_WORLD, &size), "mpr_comm_size");

    int next = (rank + 1) % size;
    int prev = (rank + size - 1) % size;
    long token;
    int ok = 1;

    if (rank == 0) {
        /* Send and receive in one call: with one rank, next and prev are
         * both rank 0, and a plain send followed by a receive could wait
         * for itself. */
        long start = 1; /* rank 0 adds its 1 as it starts the token */
        check(mpr_sendrecv(&start, sizeof start, next, TAG_TOKEN,
                           &token, sizeof token, prev, TAG_TOKEN,
                           MPR_COMM_WORLD, MPR_STATUS_IGNORE),
              "mpr_sendrecv");
        ok = token == size;
        printf("ring: token came back as %ld after %d ranks: %s\n", token, size,
               ok ? "ok" : "WRONG");
    } else {
        check(mpr_recv(&token, sizeof token, prev, TAG_TOKEN, MPR_COMM_WORLD,
                       MPR_STATUS_IGNORE),
              "mpr_recv");
        token++;
        check(mpr_send(&token, sizeof token, next, TAG_TOKEN, MPR_COMM_WORLD),
              "mpr_send");
    }

    check(mpr_finalize(), "mpr_finalize");
    return ok ? 0 : 1;
}
