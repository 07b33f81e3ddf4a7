# Helpers sourced by the integration test scripts (bash).
# Each script runs under `timeout` (see tests/local.mk); these helpers add
# per-command timeouts so one hung job fails with a message.
set -u
: "${MPRUN:?MPRUN is set by make check}"
: "${TOP_BUILDDIR:?}"
: "${TOP_SRCDIR:?}"
TESTS_BIN="$TOP_BUILDDIR/tests/integration"
EXAMPLES_BIN="$TOP_BUILDDIR/examples"
export PMIX_MCA_pmix_server_fence_localonly_opt="${PMIX_MCA_pmix_server_fence_localonly_opt:-1}"
# A tuning file mpr-tune left in this user's cache would change what every
# job chooses: the tests choose as built in (tune.sh tests the files).
export MPR_TUNING_FILE=

failures=0
checks=0
JOB_TIMEOUT=50 # mprun's own limit, below expect_exit's 60 s so mprun cleans up

# use_private_shm "$0" "$@": when root may, re-run the calling script in a
# private mount namespace with a /dev/shm of its own, so that make -j's other
# tests cannot confuse its /dev/shm checks (no_leftovers).
use_private_shm() {
    [ -z "${MPR_TEST_OWN_SHM:-}" ] && [ "$(id -u)" -eq 0 ] || return 0
    timeout 10 unshare -m --propagation private true 2>/dev/null || return 0
    export MPR_TEST_OWN_SHM=1
    exec unshare -m --propagation private /bin/bash -c \
        'mount -t tmpfs -o mode=1777 tmpfs /dev/shm ||
             echo "note: using the shared /dev/shm"
         exec /bin/bash "$0" "$@"' "$@"
}

# job N [mprun options --] PROGRAM [ARGS]: run PROGRAM from tests/integration
# with N ranks; the job must exit 0.
job() {
    local n=$1 opts=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    expect_exit 0 "-n $n ${opts[*]:+${opts[*]} }$*" -- \
        "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" "$TESTS_BIN/$1" "${@:2}"
}

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

pass() {
    checks=$((checks + 1))
    echo "ok: $*"
}

# expect_exit CODE DESCRIPTION -- command...: run with a 60 s limit, check the code.
expect_exit() {
    local want=$1 what=$2
    shift 3
    local out rc
    out=$(timeout -k 5 60 "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$what (exit $rc)"
    else
        fail "$what: exit $rc, wanted $want; output:"
        printf '%s\n' "$out" | tail -20 >&2
    fi
    LAST_OUTPUT=$out
}

# no_leftovers: no shared-memory file of mpr and no process of a job remain.
no_leftovers() {
    local shm
    shm=$(ls /dev/shm 2>/dev/null | grep '^mpr-' || true)
    if [ -n "$shm" ]; then
        fail "files left in /dev/shm: $shm"
    else
        pass "no files left in /dev/shm"
    fi
}

# An extra argument carrying this marker makes the ranks of a script's jobs
# easy to find with pgrep (the test programs ignore it).
MARK="mprtest_$(basename "$0" .sh)_$$_${RANDOM}"

# singleton PROGRAM [ARGS]: run without mprun (and without any PMIx
# environment), must exit 0.
singleton() {
    expect_exit 0 "$* without mprun (singleton)" -- \
        env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
        -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 \
        "$TESTS_BIN/$1" "${@:2}"
}

# run N [mprun options --] PROGRAM [ARGS]: run a job, set RC and LAST_OUTPUT.
# The output goes through a file: ranks that outlived a killed mprun cannot
# keep this script waiting for the end of a pipe.
run() {
    local n=$1 opts=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    local out
    out=$(mktemp)
    timeout -k 5 60 "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" \
        "$TESTS_BIN/$1" "${@:2}" >"$out" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$out")
    rm -f "$out"
}

# expect_rc WANT WHAT: RC is WANT and no rank printed a FAIL line.
expect_rc() {
    if [ "$RC" -eq "$1" ] && ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "$2 (exit $RC)"
    else
        fail "$2: exit $RC, wanted $1; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
}

# expect_ended WHAT: the job ended by itself (not by a timeout) and no rank
# printed a FAIL line; any exit code is fine.
expect_ended() {
    if [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "$1 (exit $RC)"
    else
        fail "$1: exit $RC ($([ "$RC" -eq 124 ] || [ "$RC" -eq 137 ] && echo "timed out: a rank hung" || echo "a rank failed")); output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
}

# no_procs WHAT: no rank of the marked jobs is left (mprun has exited, so
# its ranks must be gone; allow a moment for the kernel to finish them).
no_procs() {
    local left i
    for i in $(seq 20); do
        left=$(pgrep -f "$MARK" || true)
        [ -z "$left" ] && break
        sleep 0.1
    done
    if [ -n "$left" ]; then
        fail "$1: processes left after mprun exited: $(ps -o pid=,stat=,args= -p "$(echo $left | tr ' ' ,)")"
        kill -KILL $left 2>/dev/null # only the leftover ranks of these jobs
    else
        pass "$1: no process left"
    fi
}

# After a coll_check job (MPR_CHECK=1): rank 0 said "mismatches: K" and
# exactly K lines "collective mismatch" were printed.
expect_mismatch_lines() {
    local want got
    want=$(sed -n 's/^mismatches: //p' <<<"$LAST_OUTPUT")
    got=$(grep -c 'collective mismatch on comm' <<<"$LAST_OUTPUT")
    if [ -n "$want" ] && [ "$got" -eq "$want" ]; then
        pass "$1: $got mismatch lines"
    else
        fail "$1: ${want:-no} mismatches expected, $got lines: $LAST_OUTPUT"
    fi
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$checks checks passed, $failures failed"
        exit 1
    fi
    echo "$checks checks passed"
    exit 0
}
