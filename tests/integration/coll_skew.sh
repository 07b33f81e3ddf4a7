#!/bin/bash
# coll_skew.sh - shared-memory collectives entered at different times with
# another collective right after (coll_skew.c): a reduce whose non-roots
# leave at once, then the queue's free, a barrier, a bcast, another
# reduce. Once, with 4 ranks on 2 cores, the root of such a reduce got
# MPR_SUCCESS and an untouched result in half the runs. Looped, with the
# root early or late, every rank sleeping at once (MPR_SPIN=0
# MPR_YIELDS=0), all ranks on one core, and the leader's barrier.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# The checking mode's exchange before each collective makes every rank
# wait for all to enter it, which would hide the race: off, but once.
export MPR_CHECK=0

for n in 2 3 4 8; do
    job "$n" coll_skew queue 24 20000
done
job 4 coll_skew queue 100 2000
job 4 coll_skew mixed 12 20000
job 5 coll_skew mixed 6 5000
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- coll_skew queue 24 20000
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- coll_skew mixed 8 5000
job 4 -x MPR_COLL_BARRIER=shm_leader -- coll_skew mixed 8 20000
job 4 -x MPR_CHECK=1 -- coll_skew mixed 6 20000
if taskset -c 0 true 2>/dev/null; then
    expect_exit 0 "-n 4 coll_skew queue on one core" -- taskset -c 0 \
        "$MPRUN" -n 4 --oversubscribe --timeout "$JOB_TIMEOUT" "$TESTS_BIN/coll_skew" queue 24 20000
    expect_exit 0 "-n 4 coll_skew mixed on one core" -- taskset -c 0 \
        "$MPRUN" -n 4 --oversubscribe --timeout "$JOB_TIMEOUT" "$TESTS_BIN/coll_skew" mixed 8 20000
fi

no_leftovers
finish
