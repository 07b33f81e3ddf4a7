#!/bin/bash
# bench_smoke.sh - mpr-bench runs and checks its own results: every test
# at 2 ranks and the collectives at 3 ranks (not a power of two,
# oversubscribed on 2 cores), small sizes and few iterations. mpr-bench
# compares every byte received and every allreduce sum, and exits non-zero
# on a wrong one. Nothing here looks at the times.
set -u
: "${MPRUN:?MPRUN is set by make check}"
: "${TOP_BUILDDIR:?TOP_BUILDDIR is set by make check}"
BENCH="$TOP_BUILDDIR/mpr-bench"
SMALL=(--max-size 64K --iters 20 --max-time 0.01 --csv)
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
            "${SMALL[@]}" >"$out" 2>&1; then
        echo "FAIL: $what: exit status $?"
        sed 's/^/    /' "$out"
        failures=$((failures + 1))
        return
    fi
    local expect test want got
    for expect in "$@"; do
        read -r test want <<<"$expect"
        got=$(grep -c "^$test,[0-9]*,[0-9.e+-]*,\(us\|GB/s\)$" "$out")
        if [ "$got" -ne "$want" ]; then
            echo "FAIL: $what: $got $test results, expected $want"
            sed 's/^/    /' "$out"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok: $what"
}

# 64K: latency 0..64K is 18 sizes, bandwidth 1K..64K 7, bcast 1..64K 17,
# allreduce 8..64K 14, barrier 1.
run "-n 2, every test" 2 all "latency 18" "bandwidth 7" "barrier 1" "bcast 17" "allreduce 14"
run "-n 3, collectives" 3 barrier,bcast,allreduce "barrier 1" "bcast 17" "allreduce 14"

if "$BENCH" --test nosuchtest >/dev/null 2>&1; then
    echo "FAIL: an unknown test is accepted"
    failures=$((failures + 1))
else
    echo "ok: an unknown test is refused"
fi

[ "$failures" -eq 0 ]
