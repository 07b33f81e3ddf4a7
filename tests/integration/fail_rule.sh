#!/bin/bash
# fail_rule.sh - the failure rule (fail_rule.c): once a rank has ended,
# receives naming it, wildcard receives posted before or after, probes,
# collectives and object waits return MPR_ERR_PROC_FAILED instead of
# hanging; a rank that finalizes early (or skips a barrier to do so) is no
# failure for wildcard receives and hangs nobody. Over shared memory and
# TCP (never-connected peers included), 3 and 4 ranks, every barrier.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

# ended_job N CASE WANT_RC [mprun options]: every rank but rank 1 reports
# "CASE ok" (rank 1 too when it finalizes), no FAIL, exit WANT_RC.
ended_job() {
    local n=$1 case=$2 want=$3 reporters
    shift 3
    run "$n" --enable-recovery "$@" -- fail_rule "$case"
    reporters=$(grep -c ": $case ok" <<<"$LAST_OUTPUT")
    local expect_reporters=$((n - 1))
    [ "$want" -eq 0 ] && expect_reporters=$n
    if [ "$reporters" -ne "$expect_reporters" ]; then
        fail "-n $n $* $case: $reporters ranks reported ok, wanted $expect_reporters"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
        return
    fi
    expect_rc "$want" "-n $n $* $case"
}

for transport in auto tcp; do
    for n in 3 4; do
        for c in recv any any_after irecv_any probe test coll queue; do
            ended_job "$n" "$c" 1 -x MPR_TRANSPORT=$transport
        done
        for c in skip finalize_any; do
            ended_job "$n" "$c" 0 -x MPR_TRANSPORT=$transport
        done
    done
done
# A rank in a barrier that its peer skipped, with every barrier algorithm.
for alg in shm shm_leader dissemination; do
    ended_job 4 skip 0 -x MPR_COLL_BARRIER=$alg
done
# A barrier released by rank 2 (the root of the bcast after the barrier
# before it) where rank 1 never arrives: the others fail without waiting
# for rank 2 to leave (fail_rule.c, case_released).
for n in 3 4; do
    ended_job "$n" released 1 -x MPR_OVERSUBSCRIBED=1
done
# mprun names the rank that left without finalizing.
run 3 --enable-recovery -- fail_rule recv
if grep -q "rank 1 .*without calling mpr_finalize" <<<"$LAST_OUTPUT"; then
    pass "mprun names rank 1 as gone without mpr_finalize"
else
    fail "mprun did not name rank 1; output:"
    printf '%s\n' "$LAST_OUTPUT" | tail -5 >&2
fi
no_leftovers

finish
