#!/bin/bash
# runtime_errors.sh - libmpr error returns (misc_errors.c) and jobs that end
# badly (misc_abort.c): mpr_abort, a crashing rank, a rank that exits
# without mpr_finalize. Nothing may hang, no process and no /dev/shm file
# may remain.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

ulimit -c 0    # no core files from the crash tests





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
# mprun names it and exits 1; with --enable-recovery the others run on and
# must see the failure themselves.
survivors_saw_it() {
    local n
    n=$(grep -c 'blocked call returned MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
    [ "$n" -eq "$1" ] && pass "the $1 other rank(s) saw the failure" ||
        fail "$n of $1 other rank(s) saw the failure"
    grep -q "^mprun: rank $2 (pid [0-9]*) on host .* exited without calling mpr_finalize$" \
        <<<"$LAST_OUTPUT" && pass "mprun named rank $2" || fail "mprun did not name rank $2"
}
run 2 misc_abort exit last "$MARK"
expect_rc 1 "rank 1 of 2 exits without finalizing, rank 0 in mpr_recv from it: the job ends"
no_procs "after a rank exited early"
no_leftovers
run 2 --enable-recovery -- misc_abort exit last "$MARK"
expect_rc 1 "--enable-recovery: rank 1 of 2 exits without finalizing, rank 0 in mpr_recv from it"
survivors_saw_it 1 1
no_procs "after a rank exited early"
no_leftovers
run 3 --enable-recovery -- misc_abort exit 0 "$MARK"
expect_rc 1 "--enable-recovery: rank 0 of 3 exits without finalizing, the others in mpr_recv from it"
survivors_saw_it 2 0
no_procs "after a rank exited early"
no_leftovers
run 3 --enable-recovery -- misc_abort exit-send 1 "$MARK"
expect_rc 1 "--enable-recovery: rank 1 of 3 exits without finalizing, the others in a 1 MiB mpr_send to it"
survivors_saw_it 2 1
no_procs "after a rank exited early"
no_leftovers

finish
