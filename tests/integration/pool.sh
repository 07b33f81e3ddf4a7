#!/bin/bash
# pool.sh - the pool (mpr_pool_*, tests/integration/obj_pool.c) on one host:
# map (ordered, chunk sizes, failing items), imap and imap_unordered, apply,
# apply_async with callbacks, error callbacks and result handles, unknown
# names, bad arguments, close/join, terminate, free without join; at 1-4
# ranks, over shm and tcp and on the sleeping paths; a worker exiting, or
# killed, in the middle of a map; the tutorial examples (pool_map,
# pool_async).
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
export MPR_CHECK="${MPR_CHECK-1}"
ulimit -c 0

singleton obj_pool basic
for n in 1 2 3 4; do
    job "$n" obj_pool basic
done
job 2 -x MPR_TRANSPORT=tcp -- obj_pool basic
job 3 -x MPR_TRANSPORT=tcp -- obj_pool basic
job 3 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_pool basic
no_leftovers

# a worker exits without finalizing in the middle of a map
for spec in "2 auto" "3 auto" "4 auto" "3 tcp"; do
    set -- $spec
    run "$1" --enable-recovery -x MPR_TRANSPORT="$2" -- obj_pool die "$MARK"
    expect_rc 1 "-n $1 ($2): the last worker exits in the middle of a map"
    grep -q 'pool saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT" && pass "the root saw it" ||
        fail "the root did not see the worker go: $LAST_OUTPUT"
    no_procs "after a worker exited early"
    no_leftovers
done
run 3 --enable-recovery -- obj_pool die "$MARK" kill
expect_rc 137 "-n 3: the last worker is killed (SIGKILL) in the middle of a map"
grep -q 'pool saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT" && pass "the root saw it" ||
    fail "the root did not see the killed worker go: $LAST_OUTPUT"
no_procs "after a worker was killed"
no_leftovers

# the tutorials' programs
example() {
    local n=$1 opts=()
    shift
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    expect_exit 0 "example: -n $n $*" -- \
        "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" "$EXAMPLES_BIN/$1" "${@:2}"
}
example 1 pool_map
example 3 pool_map
example 4 pool_map 10000
example 1 pool_async
example 3 pool_async
example 4 pool_async 5000

finish
