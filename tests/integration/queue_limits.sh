#!/bin/bash
# queue_limits.sh - what a shared queue holds and when it says it is full
# (obj_queue_limits capacity: an unbounded queue takes 32768 items of 1 KiB,
# 65536 of 8 bytes, 512 of 64 KiB; full() is 1 exactly when a put of its
# largest item would block, on every rank), and bad MPR_QUEUE_* settings:
# one line from rank 0 and MPR_ERR_ARG from the create on every rank.
# queue_small_shm.sh runs the queues in a 64 MiB /dev/shm.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
export MPR_CHECK="${MPR_CHECK-1}"

singleton obj_queue_limits capacity
for n in 1 2 3; do
    job "$n" obj_queue_limits capacity
done
job 2 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_queue_limits capacity
no_leftovers

# refused VAR VALUE: a job with VAR=VALUE; every rank's create is refused
# (checked by the program) and rank 0 said why in one line.
refused() {
    local n
    run 2 -x "$1=$2" -- obj_queue_limits refused
    expect_rc 0 "$1='$2' is refused"
    n=$(grep -c "^mpr: rank 0: $1=.*: not a whole number from 1 to [0-9]*; the queue is not created$" \
        <<<"$LAST_OUTPUT")
    [ "$n" -eq 1 ] && [ "$(grep -c '^mpr:' <<<"$LAST_OUTPUT")" -eq 1 ] &&
        pass "one line says why" || fail "$1='$2': $n lines say why: $LAST_OUTPUT"
}
for value in abc 1e9 0 -5 " 12" 12x 16777217 99999999999999999999; do
    refused MPR_QUEUE_ITEMS "$value"
done
for value in abc 64k 0 68719476737; do
    refused MPR_QUEUE_DATA_BYTES "$value"
done
expect_exit 0 "MPR_QUEUE_ITEMS=abc refused without mprun (singleton)" -- \
    env -u PMIX_NAMESPACE -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 MPR_QUEUE_ITEMS=abc \
    "$TESTS_BIN/obj_queue_limits" refused
no_leftovers

finish
