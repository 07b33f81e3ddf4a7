#!/bin/bash
# comm.sh - communicators made by dup and split, on shared memory and on
# forced TCP with 5..8 ranks, singleton included (program: comm_split.c; and
# examples/pi.c). With 1..4 ranks over each transport: transports.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# Collectives compare their calls first (MPR_CHECK=1) unless the
# environment says otherwise (coll_*_unchecked.sh run with it off).
export MPR_CHECK="${MPR_CHECK-1}"

singleton comm_split
for n in 5 7 8; do
    job "$n" comm_split
done
job 5 -x MPR_TRANSPORT=tcp -- comm_split

# The example that splits and reduces (examples/pi.c).
for n in 1 3 4; do
    opts=()
    [ "$n" -gt 2 ] && opts=(--oversubscribe)
    expect_exit 0 "examples/pi -n $n" -- "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" \
        "$EXAMPLES_BIN/pi" 1000000
done
expect_exit 2 "examples/pi with a bad argument" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" \
    "$EXAMPLES_BIN/pi" many

no_leftovers
finish
