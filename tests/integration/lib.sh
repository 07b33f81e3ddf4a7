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

failures=0
checks=0

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

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$checks checks passed, $failures failed"
        exit 1
    fi
    echo "$checks checks passed"
    exit 0
}
