/*
 * event_start - an event starts every worker at once.
 *
 *   mprun -n 4 ./examples/event_start
 *
 * Rank 0 prepares (here: sleeps 200 ms), then sets the "start" event; the
 * other ranks wait for it and report how long after the set they woke
 * (the clock of mpr_wtime is the host's monotonic clock, the same in every
 * rank of a host).
 */
#include <stdio.h>
#include <unistd.h>

#include "mpr.h"
#include "example_util.h"

enum { TAG_WOKE = 1 };

int main(int argc, char **argv)
{
    int rank, size;
    example_start("event_start", &argc, &argv, &rank, &size);

    mpr_event start;
    check(mpr_event_create(MPR_COMM_WORLD, &start), "mpr_event_create");

    if (rank == 0) {
        usleep(200 * 1000); /* getting things ready */
        double set_at = mpr_wtime();
        check(mpr_event_set(start), "mpr_event_set");
        printf("event_start: rank 0 set the event\n");
        for (int r = 1; r < size; r++) {
            double woke_at;
            mpr_status st;
            check(mpr_recv(&woke_at, sizeof woke_at, MPR_ANY_SOURCE, TAG_WOKE, MPR_COMM_WORLD, &st),
                  "mpr_recv");
            printf("event_start: rank %d started %.1f us after the set\n", st.source,
                   (woke_at - set_at) * 1e6);
        }
    } else {
        check(mpr_event_wait(start, MPR_WAIT_FOREVER), "mpr_event_wait");
        double woke_at = mpr_wtime();
        check(mpr_send(&woke_at, sizeof woke_at, 0, TAG_WOKE, MPR_COMM_WORLD), "mpr_send");
    }

    check(mpr_event_free(&start), "mpr_event_free");
    check(mpr_finalize(), "mpr_finalize");
    return 0;
}
