#!/bin/bash
# --report-bindings against the affinity each rank really has, for the
# default placement, every --bind-to and --map-by, oversubscription, and a
# restricted affinity (taskset).
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

AFFINITY="$TESTS_BIN/print_affinity"
ncpus=$(nproc)

# check_bindings WHAT N [launcher prefix...] -- [mprun options...]: every rank
# reported, and each rank's real cpus equal its report (or mprun's own cpus
# when not bound). Sets REPORTED[rank] to the cpus or "none".
check_bindings() {
    local what=$1 n=$2 prefix=() opts=() out err rank expected actual ok=1
    shift 2
    while [ "$1" != -- ]; do prefix+=("$1"); shift; done
    shift
    opts=("$@")
    REPORTED=()
    out=$(timeout 60 "${prefix[@]}" "$MPRUN" -n "$n" --oversubscribe --report-bindings \
        "${opts[@]}" "$AFFINITY" 2>"$TMP/err")
    err=$(cat "$TMP/err")
    for ((rank = 0; rank < n; rank++)); do
        local report
        report=$(printf '%s\n' "$err" | grep "^mprun: rank $rank on host [^ ]* ")
        if [ -z "$report" ] || [ "$(printf '%s\n' "$report" | wc -l)" -ne 1 ]; then
            fail "$what: rank $rank has no single report line in: $err"
            return
        fi
        case "$report" in
            *" not bound") # what the launcher prefix (taskset) left to mprun
                           expected=$("${prefix[@]}" "$AFFINITY" | sed 's/^rank -1 cpus //')
                           REPORTED[$rank]=none ;;
            *" bound to cores "*" (cpus "*")") expected=${report##*(cpus }
                           expected=${expected%)}
                           REPORTED[$rank]=$expected ;;
            *) fail "$what: malformed report: $report"; return ;;
        esac
        actual=$(printf '%s\n' "$out" | sed -n "s/^rank $rank cpus //p")
        if [ "$actual" != "$expected" ]; then
            fail "$what: rank $rank runs on cpus '$actual' but the report says '$report'"
            ok=0
        fi
    done
    [ "$ok" = 1 ] && pass "$what: reports match the real affinity (${REPORTED[*]})"
}

check_bindings "-n 1" 1 --
[ "${REPORTED[0]}" != none ] && pass "one rank is bound by default" || fail "rank 0 not bound"

if [ "$ncpus" -ge 2 ]; then
    check_bindings "-n 2" 2 --
    [ "${REPORTED[0]}" != none ] && [ "${REPORTED[1]}" != none ] &&
        [ "${REPORTED[0]}" != "${REPORTED[1]}" ] && pass "two ranks on two different cores" ||
        fail "default binding of 2 ranks: ${REPORTED[*]}"
fi

check_bindings "--bind-to none" 2 -- --bind-to none
[ "${REPORTED[0]}${REPORTED[1]}" = nonenone ] && pass "--bind-to none binds nothing" ||
    fail "--bind-to none: ${REPORTED[*]}"
check_bindings "--bind-to socket" 2 -- --bind-to socket
check_bindings "--bind-to numa" 2 -- --bind-to numa
check_bindings "--map-by socket" 2 -- --map-by socket
check_bindings "--map-by numa --bind-to core" 2 -- --map-by numa --bind-to core
check_bindings "--bind-to core --map-by core" 2 -- --bind-to core --map-by core

# More ranks than cores: unbound by default, round-robin when asked.
n=$((ncpus + 1))
check_bindings "oversubscribed, default" $n --
[ "${REPORTED[0]}" = none ] && pass "oversubscribed ranks are not bound by default" ||
    fail "oversubscribed default: ${REPORTED[*]}"
check_bindings "oversubscribed, --bind-to core" $n -- --bind-to core
[ "${REPORTED[0]}" != none ] && [ "${REPORTED[$((n - 1))]}" = "${REPORTED[0]}" ] &&
    pass "--bind-to core wraps around" || fail "wrap-around: ${REPORTED[*]}"

# mprun's own affinity is respected.
if [ "$ncpus" -ge 2 ] && command -v taskset >/dev/null; then
    last=$((ncpus - 1))
    check_bindings "taskset -c $last, -n 1" 1 taskset -c $last --
    [ "${REPORTED[0]}" = "$last" ] && pass "the one usable cpu is used" ||
        fail "under taskset: ${REPORTED[*]}"
    check_bindings "taskset -c $last, -n 2" 2 taskset -c $last --
    [ "${REPORTED[0]}" = none ] && pass "two ranks on one usable core are not bound" ||
        fail "under taskset, 2 ranks: ${REPORTED[*]}"
    expect_exit 0 "oversubscription counted on usable cores" -- \
        taskset -c $last "$MPRUN" -n 2 true
    expect_line "mprun: warning: 2 ranks on 1 core: oversubscribed" "warning under taskset"
    check_bindings "taskset -c $last, -n 2 --bind-to core" 2 taskset -c $last -- --bind-to core
    [ "${REPORTED[0]}${REPORTED[1]}" = "$last$last" ] && pass "both ranks on the usable cpu" ||
        fail "under taskset, --bind-to core: ${REPORTED[*]}"
fi

finish
