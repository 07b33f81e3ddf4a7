/*
 * obj_mixed.c - messages keep flowing to ranks that sleep on an object or
 * in a collective: rank 0 sends many 32 KiB messages (more than the ring
 * to rank 1 holds) to every other rank while they are blocked in
 * mpr_queue_get, then in mpr_barrier, and only then unblocks them. Every
 * message must arrive intact and in order. Run with MPR_SPIN=0
 * MPR_YIELDS=0 too, so the waits go to sleep at once. The messages stay
 * under the flow-control bound (MPR_UNEXPECTED_BYTES, 4 MiB by default)
 * over both rounds together: beyond it a send may wait for its receive,
 * which these ranks post only once unblocked (and credits given back
 * between the rounds are only taken in when rank 0 polls).
 */
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { MESSAGES = 50, BYTES = 32768 }; /* 1.6 MB a round: more than a ring holds */

static void send_all(int size, int round)
{
    static unsigned char buf[BYTES];
    for (int i = 0; i < MESSAGES; i++) {
        for (int r = 1; r < size; r++) {
            fill(buf, sizeof buf, round * MESSAGES + i, r);
            MUST(mpr_send(buf, sizeof buf, r, i, MPR_COMM_WORLD), MPR_SUCCESS);
        }
    }
}

static void receive_all(int round)
{
    static unsigned char buf[BYTES];
    for (int i = 0; i < MESSAGES; i++) {
        mpr_status st;
        MUST(mpr_recv(buf, sizeof buf, 0, MPR_ANY_TAG, MPR_COMM_WORLD, &st), MPR_SUCCESS);
        CHECK(st.tag == i, "message %d came with tag %d", i, st.tag);
        size_t bad = badbyte(buf, sizeof buf, round * MESSAGES + i, me);
        CHECK(bad == sizeof buf, "round %d message %d differs at byte %zu", round, i, bad);
    }
}

int main(int argc, char **argv)
{
    int size;
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    mpr_comm_rank(MPR_COMM_WORLD, &me);
    mpr_comm_size(MPR_COMM_WORLD, &size);
    mpr_queue q;
    MUST(mpr_queue_create(MPR_COMM_WORLD, 0, sizeof(int), &q), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* Round 0: the others sleep in mpr_queue_get. */
    if (me == 0) {
        usleep(200000);
        send_all(size, 0);
        for (int r = 1; r < size; r++)
            MUST(mpr_queue_put(q, &r, sizeof r, MPR_WAIT_FOREVER), MPR_SUCCESS);
    } else {
        int item = -1;
        MUST(mpr_queue_get(q, &item, sizeof item, NULL, 30.0), MPR_SUCCESS);
        receive_all(0);
    }

    /* Round 1: the others sleep in a barrier rank 0 enters last. */
    if (me == 0) {
        usleep(200000);
        send_all(size, 1);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    } else {
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        receive_all(1);
    }
    EXPECT(mpr_queue_free(&q), MPR_SUCCESS);
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures != 0;
}
