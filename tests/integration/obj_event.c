/*
 * obj_event - the shared event, self-checking.
 *
 *   mprun -n N obj_event ROUNDS [SETCLEAR]
 *
 * Bad arguments, wait with timeouts on a clear event, then ROUNDS rounds
 * in which one rank (a different one each round) sets the event and every
 * other rank must be released from its wait; with SETCLEAR > 0, that many
 * rounds where rank 0 sets and at once clears the event while the others
 * wait (they must still be released: a set wakes every waiter). Between
 * the two, ranks 0 and 1 play 20 * ROUNDS rounds of ping-pong with two
 * events (set, wait, clear), which falls out of step if a wait is ever
 * released by a set from before it began.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "obj_shared.h"

int main(int argc, char **argv)
{
    int size, flag = -1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(mpr_init(&argc, &argv), MPR_SUCCESS);
    MUST(mpr_comm_rank(MPR_COMM_WORLD, &me), MPR_SUCCESS);
    MUST(mpr_comm_size(MPR_COMM_WORLD, &size), MPR_SUCCESS);
    int rounds = argc > 1 ? atoi(argv[1]) : 100;
    int setclear_rounds = argc > 2 ? atoi(argv[2]) : 0;

    mpr_event ev = NULL;
    EXPECT(mpr_event_create(MPR_COMM_WORLD, NULL), MPR_ERR_ARG);
    EXPECT(mpr_event_create(NULL, &ev), MPR_ERR_ARG);
    MUST(mpr_event_create(MPR_COMM_WORLD, &ev), MPR_SUCCESS);
    EXPECT(mpr_event_set(NULL), MPR_ERR_ARG);
    EXPECT(mpr_event_clear(NULL), MPR_ERR_ARG);
    EXPECT(mpr_event_is_set(NULL, &flag), MPR_ERR_ARG);
    EXPECT(mpr_event_is_set(ev, NULL), MPR_ERR_ARG);
    EXPECT(mpr_event_wait(NULL, 0), MPR_ERR_ARG);
    EXPECT(mpr_event_wait(ev, NAN), MPR_ERR_ARG);
    EXPECT(mpr_event_free(NULL), MPR_ERR_ARG);

    EXPECT(mpr_event_is_set(ev, &flag), MPR_SUCCESS);
    CHECK(flag == 0, "a new event is set");
    EXPECT(mpr_event_wait(ev, 0), MPR_ERR_TIMEOUT);
    double t0 = mpr_wtime();
    EXPECT(mpr_event_wait(ev, 0.05), MPR_ERR_TIMEOUT);
    double waited = since(t0);
    CHECK(waited >= 0.045 && waited < 10, "wait with timeout 0.05 returned after %.3f s", waited);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* a set event lets waits through at once, until cleared */
    if (me == 0)
        EXPECT(mpr_event_set(ev), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_event_is_set(ev, &flag), MPR_SUCCESS);
    CHECK(flag == 1, "is_set after set says %d", flag);
    EXPECT(mpr_event_wait(ev, 0), MPR_SUCCESS);
    EXPECT(mpr_event_wait(ev, -1), MPR_SUCCESS);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    if (me == size - 1) {
        EXPECT(mpr_event_set(ev), MPR_SUCCESS); /* setting a set event is harmless */
        EXPECT(mpr_event_clear(ev), MPR_SUCCESS);
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_event_is_set(ev, &flag), MPR_SUCCESS);
    CHECK(flag == 0, "is_set after clear says %d", flag);
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);

    /* no lost wake-ups: every round's set releases every waiter */
    for (int r = 0; r < rounds; r++) {
        int setter = r % size;
        if (me == setter) {
            if (r % 3 == 0)
                usleep(200); /* now and then let the waiters go to sleep first */
            EXPECT(mpr_event_set(ev), MPR_SUCCESS);
        } else {
            int rc = mpr_event_wait(ev, 30);
            if (rc != MPR_SUCCESS) {
                failf(__LINE__, "round %d: wait returned %s", r, mpr_error_name(rc));
                die();
            }
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
        if (me == setter)
            EXPECT(mpr_event_clear(ev), MPR_SUCCESS);
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }

    /* ping-pong: ranks 0 and 1 set, wait for and clear two events in turn;
     * a wait released by an earlier set would put them out of step */
    mpr_event ping, pong;
    MUST(mpr_event_create(MPR_COMM_WORLD, &ping), MPR_SUCCESS);
    MUST(mpr_event_create(MPR_COMM_WORLD, &pong), MPR_SUCCESS);
    for (int i = 0; i < 20 * rounds && size > 1; i++) {
        if (me == 0) {
            EXPECT(mpr_event_set(ping), MPR_SUCCESS);
            MUST(mpr_event_wait(pong, 30), MPR_SUCCESS);
            EXPECT(mpr_event_clear(pong), MPR_SUCCESS);
        } else if (me == 1) {
            MUST(mpr_event_wait(ping, 30), MPR_SUCCESS);
            EXPECT(mpr_event_is_set(ping, &flag), MPR_SUCCESS);
            CHECK(flag == 1, "ping-pong %d: released while ping is clear", i);
            EXPECT(mpr_event_clear(ping), MPR_SUCCESS);
            EXPECT(mpr_event_set(pong), MPR_SUCCESS);
        }
    }
    MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    EXPECT(mpr_event_free(&ping), MPR_SUCCESS);
    EXPECT(mpr_event_free(&pong), MPR_SUCCESS);

    /* a set at once undone by a clear still releases those waiting (given
     * half a second to start waiting, which a loaded machine may not give:
     * the timeout message says so) */
    for (int r = 0; r < setclear_rounds && size > 1; r++) {
        if (me == 0) {
            usleep(500 * 1000);
            EXPECT(mpr_event_set(ev), MPR_SUCCESS);
            EXPECT(mpr_event_clear(ev), MPR_SUCCESS);
        } else {
            int rc = mpr_event_wait(ev, 20);
            CHECK(rc == MPR_SUCCESS, "set+clear round %d: wait returned %s (a lost wake-up, or "
                  "this rank started waiting only after the set)", r, mpr_error_name(rc));
        }
        MUST(mpr_barrier(MPR_COMM_WORLD), MPR_SUCCESS);
    }

    EXPECT(mpr_event_free(&ev), MPR_SUCCESS);
    CHECK(ev == NULL, "free did not clear the handle");
    EXPECT(mpr_finalize(), MPR_SUCCESS);
    return failures ? 1 : 0;
}
