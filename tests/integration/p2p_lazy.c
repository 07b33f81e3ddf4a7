/*
 * p2p_lazy - a rank that sends and then computes for SECONDS without calling
 * mpr (weak progress: nothing obliges it to) must still have its message
 * delivered once it waits, and must not be taken by its peer for a stranger
 * (tcp.sh checks that no "refused connection" line is logged).
 *
 *   mprun -n 2 p2p_lazy SECONDS
 * Rank 1 isends 4 bytes and 64 KiB to rank 0 (its first messages to it, so
 * over TCP the connection is made now), sleeps, then waits for both.
 * Exits 0 when both arrive right.
 */
#include <mpr.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { BIG = 65536 };

int main(int argc, char **argv)
{
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    unsigned seconds = argc > 1 ? (unsigned)atoi(argv[1]) : 3;
    int32_t small = 0x5eed;
    unsigned char *big = malloc(BIG);
    for (int i = 0; i < BIG; i++)
        big[i] = (unsigned char)(i * 7 + 3);
    if (me == 1) {
        mpr_request reqs[2];
        MUST(mpr_isend(&small, sizeof(small), 0, 1, MPR_COMM_WORLD, &reqs[0]), MPR_SUCCESS);
        MUST(mpr_isend(big, BIG, 0, 2, MPR_COMM_WORLD, &reqs[1]), MPR_SUCCESS);
        sleep(seconds); /* computing */
        EXPECT(mpr_waitall(2, reqs, NULL), MPR_SUCCESS);
    } else if (me == 0) {
        int32_t got = 0;
        unsigned char *in = calloc(1, BIG);
        EXPECT(mpr_recv(&got, sizeof(got), 1, 1, MPR_COMM_WORLD, NULL), MPR_SUCCESS);
        EXPECT(mpr_recv(in, BIG, 1, 2, MPR_COMM_WORLD, NULL), MPR_SUCCESS);
        CHECK(got == small, "small message %d, wanted %d", got, small);
        CHECK(memcmp(in, big, BIG) == 0, "64 KiB message differs");
        free(in);
    }
    free(big);
    MUST(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
