/*
 * tcp_stress - traffic for a given time, checked byte for byte: a job that
 * keeps its connections busy while tcp.sh throws stray connections at its
 * ranks' ports.
 *
 *   mprun -n N -x MPR_TRANSPORT=tcp tcp_stress SECONDS    (N >= 1)
 *
 * Each rank first prints "tcp_stress: rank R pid P" (tcp.sh maps ports to
 * ranks with it). Then, until rank 0 says stop: a sendrecv ring shift of a
 * size cycling through eager and rendezvous sizes (0 B to 1 MiB), a bcast
 * from a rotating root, unexpected messages (isend long before the
 * receive), a wildcard receive, a barrier. Rank 0 prints
 * "tcp_stress: OK after K rounds" at the end.
 * Exits 0 when every check passes; prints "rank R: FAIL: ..." and exits 1
 * otherwise.
 */
#include <mpr.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const size_t sizes[] = { 0, 1, 100, 4000, 40000, 65536, 300000, 1 << 20 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MAX_BYTES (1 << 20)

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    int size;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    printf("tcp_stress: rank %d pid %d\n", me, (int)getpid());
    fflush(stdout);

    unsigned char *out = xmalloc(MAX_BYTES), *in = xmalloc(MAX_BYTES);
    unsigned char *early = xmalloc(MAX_BYTES), *late = xmalloc(MAX_BYTES);
    int right = (me + 1) % size, left = (me - 1 + size) % size;
    double start = mpr_wtime();
    long round = 0;
    for (;; round++) {
        int go = me == 0 ? mpr_wtime() - start < seconds : 0;
        MUST(mpr_bcast(&go, sizeof(go), 0, MPR_COMM_WORLD), MPR_SUCCESS);
        if (!go)
            break;

        /* an unexpected message: sent now, received after the ring shift */
        size_t elen = sizes[(round + 3) % NSIZES];
        mpr_request early_req;
        fill(early, elen, me, (int)round + 1000);
        MUST(mpr_isend(early, elen, right, 9, MPR_COMM_WORLD, &early_req), MPR_SUCCESS);

        size_t len = sizes[round % NSIZES];
        mpr_status st;
        fill(out, len, me, (int)round);
        memset(in, 0xa5, len);
        MUST(mpr_sendrecv(out, len, right, 1, in, MAX_BYTES, left, 1, MPR_COMM_WORLD, &st),
             MPR_SUCCESS);
        CHECK(st.source == left && st.tag == 1 && st.count == len,
              "round %ld: sendrecv status source %d tag %d count %zu", round, st.source, st.tag,
              st.count);
        size_t bad = badbyte(in, len, left, (int)round);
        CHECK(bad == len, "round %ld: ring byte %zu of %zu wrong", round, bad, len);

        memset(late, 0xa5, elen);
        MUST(mpr_recv(late, MAX_BYTES, MPR_ANY_SOURCE, 9, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        CHECK(st.source == left && st.count == elen, "round %ld: unexpected message from %d of %zu",
              round, st.source, st.count);
        bad = badbyte(late, elen, left, (int)round + 1000);
        CHECK(bad == elen, "round %ld: unexpected message byte %zu of %zu wrong", round, bad, elen);
        MUST(mpr_wait(&early_req, MPR_STATUS_IGNORE), MPR_SUCCESS);

        int root = (int)(round % size);
        size_t blen = sizes[(round + 5) % NSIZES];
        if (me == root)
            fill(in, blen, root, (int)round);
        else
            memset(in, 0xa5, blen);
        MUST(mpr_bcast(in, blen, root, MPR_COMM_WORLD), MPR_SUCCESS);
        bad = badbyte(in, blen, root, (int)round);
        CHECK(bad == blen, "round %ld: bcast byte %zu of %zu wrong", round, bad, blen);

        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        if (failures)
            die();
    }
    if (me == 0)
        printf("tcp_stress: OK after %ld rounds\n", round);
    free(out);
    free(in);
    free(early);
    free(late);
    MUST(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
