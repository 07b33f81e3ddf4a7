#!/bin/bash
# A rank's output reaches mprun's stdout as it is printed (mprun sets
# MPR_OUTPUT_FORWARDED=1, libmpr line-buffers stdout when loaded), for mpr
# and MPI programs, lines printed before init included; lines of
# different ranks written in pieces never mix; the user can keep full
# buffering (-x MPR_OUTPUT_FORWARDED=0) and a program's own choice stands.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/output_lib.sh"

live_job "mpr program, 4 ranks" 4 "$TESTS_BIN/output_live" \
    "$MPRUN" --oversubscribe --timeout 120
live_job "MPI program, 3 ranks" 3 "$TESTS_BIN/output_live_mpi" \
    "$MPRUN" --oversubscribe --timeout 120
live_job "mpr program over tcp, 3 ranks" 3 "$TESTS_BIN/output_live" \
    "$MPRUN" --oversubscribe --timeout 120 -x MPR_TRANSPORT=tcp

expect_exit 0 "line buffering reported" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" \
    "$TESTS_BIN/output_live" --report
[ "$(grep -c 'stdout line-buffered: 1$' <<<"$LAST_OUTPUT")" -eq 2 ] &&
    pass "stdout line-buffered under mprun" || fail "not line-buffered: $LAST_OUTPUT"
expect_exit 0 "-x MPR_OUTPUT_FORWARDED=0" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" \
    -x MPR_OUTPUT_FORWARDED=0 "$TESTS_BIN/output_live_mpi" --report
[ "$(grep -c 'stdout line-buffered: 0$' <<<"$LAST_OUTPUT")" -eq 2 ] &&
    pass "MPR_OUTPUT_FORWARDED=0 keeps libc's buffering" || fail "opt-out: $LAST_OUTPUT"
expect_exit 0 "program choosing full buffering" -- "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" \
    "$TESTS_BIN/output_live" --report full
[ "$(grep -c 'stdout line-buffered: 0$' <<<"$LAST_OUTPUT")" -eq 2 ] &&
    pass "a program's own setvbuf in main stands (mpr_init does not undo it)" ||
    fail "own choice: $LAST_OUTPUT"
out=$("$TESTS_BIN/output_live" --report | cat)
[ "$out" = "rank 0 stdout line-buffered: 0" ] &&
    pass "a singleton outside mprun keeps libc's buffering" || fail "singleton: $out"
finish
