#!/bin/bash
# fail_rule_multihost.sh - the failure rule (fail_rule.c) across hosts made
# of network namespaces: the rank that ends is on another host than the
# one waiting for it, reached by TCP, often never connected before.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

# across_ended HOSTS CASE WANT_RC [mprun options]: as fail_rule.sh's ended_job.
across_ended() {
    local hosts=$1 case=$2 want=$3 n reporters
    shift 3
    n=$(tr ',' '\n' <<<"$hosts" | awk -F: '{ s += ($2 == "" ? 1 : $2) } END { print s }')
    local expect_reporters=$((n - 1))
    [ "$want" -eq 0 ] && expect_reporters=$n
    expect_exit "$want" "--host $hosts $* $case" -- "${AT0[@]}" "$MH_MPRUN" --enable-recovery \
        --timeout "$JOB_TIMEOUT" --host "$hosts" "$@" "$TESTS_BIN/fail_rule" "$case"
    reporters=$(grep -c ": $case ok" <<<"$LAST_OUTPUT")
    if [ "$reporters" -ne "$expect_reporters" ] || grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        fail "--host $hosts $case: $reporters ranks reported ok, wanted $expect_reporters"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
}

# one rank per host: every peer is over TCP
for c in recv any any_after irecv_any probe test coll queue; do
    across_ended mprh0:1,mprh1:1,mprh2:1 "$c" 1
done
for c in skip finalize_any; do
    across_ended mprh0:1,mprh1:1,mprh2:1 "$c" 0
done
# two hosts, by node: rank 1 on the other host, rank 2 beside rank 0
for c in recv any coll queue; do
    across_ended mprh0:2,mprh1:2 "$c" 1 --map-by node
done
across_ended mprh0:2,mprh1:2 skip 0 --map-by node

no_processes_anywhere "after the jobs"
no_leftovers
finish
