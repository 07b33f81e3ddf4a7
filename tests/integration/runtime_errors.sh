#!/bin/bash
# runtime_errors.sh - libmpr error returns (misc_errors.c) and jobs that end
# badly (misc_abort.c): mpr_abort, a crashing rank, a rank that exits
# without mpr_finalize. Nothing may hang, no process and no /dev/shm file
# may remain.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

ulimit -c 0    # no core files from the crash tests
# An extra argument carrying this marker makes the ranks of these jobs easy
# to find with pgrep (the programs ignore it).
MARK="mprtest_rt_$$_${RANDOM}"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

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
    timeout -k 5 60 "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" \
        "$TESTS_BIN/$1" "${@:2}" >"$OUT" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$OUT")
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

# --- error codes --------------------------------------------------------
expect_exit 0 "misc_errors without mprun (singleton)" -- \
    env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
    -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 \
    "$TESTS_BIN/misc_errors"
for n in 1 2 3; do
    job "$n" misc_errors
done

# --- mpr_abort while the others block in mpr_recv -----------------------
run 1 misc_abort abort 0 7 "$MARK"
expect_rc 7 "mpr_abort(7), 1 rank"
run 3 misc_abort abort last 7 "$MARK"
expect_rc 7 "mpr_abort(7) in the last of 3 ranks, the others in mpr_recv from it"
no_procs "after mpr_abort"
no_leftovers
run 4 misc_abort abort 0 300 "$MARK"
expect_rc 44 "mpr_abort(300) in rank 0 of 4: exit 300 mod 256"
no_procs "after mpr_abort"
no_leftovers

# --- a rank crashes while its peers block in mpr_recv from it -----------
run 2 misc_abort crash last "$MARK"
expect_rc 139 "SIGSEGV in rank 1 of 2, rank 0 in mpr_recv from it"
no_procs "after a crash"
no_leftovers
run 4 misc_abort crash 0 "$MARK"
expect_rc 139 "SIGSEGV in rank 0 of 4, the others in mpr_recv from it"
no_procs "after a crash"
no_leftovers

# --- a rank exits without mpr_finalize ----------------------------------
run 2 misc_abort exit last "$MARK"
expect_ended "rank 1 of 2 exits without finalizing, rank 0 in mpr_recv from it"
no_procs "after a rank exited early"
no_leftovers
run 3 misc_abort exit 0 "$MARK"
expect_ended "rank 0 of 3 exits without finalizing, the others in mpr_recv from it"
no_procs "after a rank exited early"
no_leftovers
run 3 misc_abort exit-send 1 "$MARK"
expect_ended "rank 1 of 3 exits without finalizing, the others in a 1 MiB mpr_send to it"
no_procs "after a rank exited early"
no_leftovers

finish
