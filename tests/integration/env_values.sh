#!/bin/bash
# env_values.sh - every MPR_* setting is checked (runtime/core/env.c,
# runtime/coll/coll_select.c): a value that is not a number, out of range
# or not one of the names makes mpr_init fail, with exactly one line on
# stderr naming the variable and what it may be, and the job exit non-zero;
# good values work; mprun refuses a bad MPRUN_HEARTBEAT_TIMEOUT; every algorithm name MPR_COLL_* accepts is one the
# collective knows (program: env_probe.c). MPR_QUEUE_*: queue_limits.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

# refused VAR VALUE [N]: a job of N ranks (2) with VAR=VALUE fails at
# mpr_init with one line saying why (each rank that got that far says the
# same line; the launcher may end the others first), and nothing else.
refused() {
    local var=$1 value=$2 n=${3:-2} lines distinct
    run "$n" -x "$var=$value" -- env_probe
    lines=$(grep -cF "$var=$value is not allowed: " <<<"$LAST_OUTPUT")
    distinct=$(grep '^mpr: ' <<<"$LAST_OUTPUT" | sed 's/^mpr: rank [0-9]*: /mpr: /' | sort -u | wc -l)
    if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && [ "$lines" -ge 1 ] &&
        [ "$distinct" -eq 1 ] &&
        [ "$(grep -c '^mpr_init: MPR_ERR_ARG' <<<"$LAST_OUTPUT")" -ge 1 ]; then
        pass "$var='$value' refused: $(grep -F "$var=" <<<"$LAST_OUTPUT" | head -1)"
    else
        fail "$var='$value': exit $RC, $lines lines say why; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
}

# accepted VAR VALUE [N]: the job runs right and says nothing about it.
accepted() {
    local var=$1 value=$2 n=${3:-2}
    run "$n" -x "$var=$value" -- env_probe
    if [ "$RC" -eq 0 ] && ! grep -q "^mpr: \|not a known algorithm" <<<"$LAST_OUTPUT"; then
        pass "$var='$value' accepted"
    else
        fail "$var='$value': exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
}

for v in abc 4095 1T 64KB; do refused MPR_UNEXPECTED_BYTES "$v"; done
for v in abc 1e3 1000000001; do refused MPR_SPIN "$v"; done
for v in x -2; do refused MPR_YIELDS "$v"; done
refused MPR_OVERSUBSCRIBED yes
for v in shm "tcp "; do refused MPR_TRANSPORT "$v"; done
for v in abc 39 200000; do refused MPR_SHM_EAGER_LIMIT "$v"; done
# in range for the table, but more than half of this job's ring (8 ranks:
# 128 KiB rings): refused by the transport
refused MPR_SHM_EAGER_LIMIT 100000 8
refused MPR_SHM_CMA on
refused MPR_FUTEX_WAITV 2
refused MPR_SHM_MEMBARRIER yes
for v in 2M abc; do refused MPR_TCP_EAGER_LIMIT "$v"; done
for v in 0 abc 3601 nan; do refused MPR_TCP_WIREUP_TIMEOUT "$v"; done
for v in 1.2.3 localhost; do refused MPR_TCP_ADDR "$v"; done
refused MPR_TCP_IF mpr-no-such-if0
refused MPR_COLL_BARRIER bogus
refused MPR_COLL_ALLTOALL Linear
for v in 1 65; do refused MPR_COLL_SHM_SLOTS "$v"; done
for v in 512 8M; do refused MPR_COLL_SHM_SLOT "$v"; done
for v in -1 65; do refused MPR_COLL_SHM_BIG_SLOTS "$v"; done
refused MPR_CHECK yes
refused MPR_TUNING_DEBUG yes
refused MPR_TUNING_FILE /nonexistent/mpr-tuning.conf # bad files: tune.sh
expect_exit 1 "MPR_SPIN=abc without mprun (singleton): mpr_init fails" -- \
    env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
    -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 MPR_SPIN=abc \
    "$TESTS_BIN/env_probe"
grep -q "^mpr: MPR_SPIN=abc is not allowed: a whole number from 0 to" <<<"$LAST_OUTPUT" &&
    pass "singleton: one line says why" || fail "singleton: $LAST_OUTPUT"

# mprun's own: refused before any host is contacted (one line, exit 1)
for v in abc 0.1 90000; do
    expect_exit 1 "MPRUN_HEARTBEAT_TIMEOUT=$v refused by mprun" -- \
        env MPRUN_HEARTBEAT_TIMEOUT=$v "$MPRUN" --host mpr-nohost1:1,mpr-nohost2:1 /bin/true
    [ "$(grep -c . <<<"$LAST_OUTPUT")" -eq 1 ] &&
        grep -q "^mprun: MPRUN_HEARTBEAT_TIMEOUT=$v is not allowed: seconds from 0.2 to 86400$" \
            <<<"$LAST_OUTPUT" && pass "one line says why" || fail "heartbeat $v: $LAST_OUTPUT"
done

accepted MPR_UNEXPECTED_BYTES 64K
accepted MPR_SPIN 0
accepted MPR_TRANSPORT tcp
accepted MPR_SHM_EAGER_LIMIT 1K
accepted MPR_TCP_WIREUP_TIMEOUT 2.5
accepted MPR_TCP_IF lo
accepted MPR_COLL_SHM_SLOT 2K
accepted MPR_COLL_SHM_BIG_SLOTS 0
# every name the check accepts is an algorithm its collective knows: the
# names come from the refusal line; job i forces every collective's i-th
# name at once (a collective with fewer names: its last)
declare -A names
for c in BARRIER BCAST GATHER SCATTER ALLGATHER ALLTOALL REDUCE ALLREDUCE; do
    run 2 -x "MPR_COLL_$c=bogus" -- env_probe
    names[$c]=$(sed -n "s/.*MPR_COLL_$c=bogus is not allowed: one of //p" <<<"$LAST_OUTPUT" |
                head -1 | tr -d ',')
    [ -n "${names[$c]}" ] || fail "MPR_COLL_$c: no names listed: $LAST_OUTPUT"
done
for i in 1 2 3 4 5 6; do
    opts=()
    for c in "${!names[@]}"; do
        read -ra list <<<"${names[$c]}"
        k=$((i <= ${#list[@]} ? i - 1 : ${#list[@]} - 1))
        opts+=(-x "MPR_COLL_$c=${list[$k]}")
    done
    run 3 "${opts[@]}" -- env_probe
    if [ "$RC" -eq 0 ] && ! grep -q "^mpr: \|not a known algorithm" <<<"$LAST_OUTPUT"; then
        pass "names #$i accepted and known: ${opts[*]}"
    else
        fail "names #$i (${opts[*]}): exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
done
no_leftovers
finish
