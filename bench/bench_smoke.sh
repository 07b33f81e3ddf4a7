#!/bin/bash
# bench_smoke.sh - mpr-bench runs and checks its own results: every test
# at 2 ranks, the collectives at 3 ranks (not a power of two,
# oversubscribed on 2 cores), message rate and alltoall at 5, small sizes
# and few iterations. mpr-bench compares every byte received and every sum,
# and exits non-zero on a wrong one. Nothing here looks at the times.
set -u
: "${MPRUN:?MPRUN is set by make check}"
: "${TOP_BUILDDIR:?TOP_BUILDDIR is set by make check}"
BENCH="$TOP_BUILDDIR/mpr-bench"
SMALL=(--max-size 64K --iters 20 --max-time 0.01 --csv)
EXTRA=() # more options for the next run
failures=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

# run DESCRIPTION N TESTS EXPECTED-LINES...: one job; each EXPECTED-LINES
# is "test count", the number of CSV results that test must print.
run() {
    local what=$1 n=$2 tests=$3 opts=()
    shift 3
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    if ! "$MPRUN" -n "$n" --timeout 60 "${opts[@]}" "$BENCH" --test "$tests" \
            "${SMALL[@]}" "${EXTRA[@]}" >"$out" 2>&1; then
        echo "FAIL: $what: exit status $?"
        sed 's/^/    /' "$out"
        failures=$((failures + 1))
        return
    fi
    local expect test want got
    for expect in "$@"; do
        read -r test want <<<"$expect"
        got=$(grep -c "^$test,[0-9]*,[0-9.e+-]*,\(us\|GB/s\|Mmsg/s\)$" "$out")
        if [ "$got" -ne "$want" ]; then
            echo "FAIL: $what: $got $test results, expected $want"
            sed 's/^/    /' "$out"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok: $what"
}

# 64K: latency 0..64K is 18 sizes, bandwidth 1K..64K 7, allreduce and
# reduce 8..64K 14, barrier 1, the others 1..64K 17.
every=("barrier 1" "bcast 17" "allreduce 14" "reduce 14" "gather 17" "scatter 17"
       "allgather 17" "alltoall 17")
run "-n 2, every test" 2 all "latency 18" "bandwidth 7" "msgrate 17" "${every[@]}"
run "-n 3, collectives" 3 barrier,bcast,barrier_bcast,allreduce,reduce,gather,scatter,allgather,alltoall \
    "${every[@]}"
run "-n 5, message rate of 2 pairs (rank 4 idle), alltoall" 5 msgrate,alltoall "msgrate 17" \
    "alltoall 17"
EXTRA=(--offset 17)
run "-n 3, buffers 17 bytes past a page" 3 latency,bandwidth,bcast,allreduce,gather "latency 18" \
    "bandwidth 7" "bcast 17" "allreduce 14" "gather 17"
EXTRA=()

if "$BENCH" --test nosuchtest >/dev/null 2>&1; then
    echo "FAIL: an unknown test is accepted"
    failures=$((failures + 1))
else
    echo "ok: an unknown test is refused"
fi
if "$BENCH" --offset 4096 >/dev/null 2>&1; then
    echo "FAIL: --offset 4096 is accepted"
    failures=$((failures + 1))
else
    echo "ok: --offset past a page is refused"
fi

[ "$failures" -eq 0 ]
