#!/bin/bash
# Signals to mprun reach every rank; --timeout; nothing of the job remains.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

# signal_job SIGNAL EXPECTED-CODE [extra sh code]: start a 2-rank job of
# sleepers, send SIGNAL to mprun once they run, check the exit code.
signal_job() {
    local sig=$1 want=$2 prelude=${3:-} pid rc
    "$MPRUN" -n 2 sh -c "$prelude $SLEEP 300" >"$TMP/out" 2>&1 &
    pid=$!
    wait_for_sleepers 2
    kill "-$sig" "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" -eq "$want" ] && pass "SIG$sig: exit $rc" || fail "SIG$sig: exit $rc, wanted $want"
    LAST_OUTPUT=$(cat "$TMP/out")
    no_processes_left "after SIG$sig"
}

signal_job INT 130
expect_line "mprun: caught signal 2 (Interrupt): stopping the job" "SIGINT is reported"
signal_job TERM 143
signal_job HUP 129
# Ranks that ignore the forwarded signal are killed after the grace period.
start=$(date +%s)
signal_job TERM 143 "trap '' TERM;"
[ $(( $(date +%s) - start )) -lt 10 ] && pass "stubborn ranks killed in time" || fail "too slow"

# A rank that forks its own children: the whole rank goes.
"$MPRUN" -n 2 bash -c "bash -c '$SLEEP 300; true' & $SLEEP 300; true" >/dev/null 2>&1 &
pid=$!
wait_for_sleepers 4
kill -INT "$pid"
wait "$pid"
no_processes_left "ranks with children, after SIGINT"

# mprun killed outright: the ranks die with it (PR_SET_PDEATHSIG).
"$MPRUN" -n 2 "$SLEEP" 300 >/dev/null 2>&1 &
pid=$!
wait_for_sleepers 2
kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 0.3
no_processes_left "after mprun was SIGKILLed"

start=$(date +%s%N)
expect_exit 124 "--timeout stops the job with 124" -- \
    "$MPRUN" -n 2 --timeout 0.5 "$SLEEP" 300
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 450 ] && [ "$elapsed_ms" -lt 4000 ] && pass "timed out after ${elapsed_ms} ms" ||
    fail "timeout took ${elapsed_ms} ms"
expect_line "mprun: job timed out after 0.5 s" "timeout message"
expect_count 1 '^mprun: ' "only the timeout is reported"
no_processes_left "after the timeout"
expect_exit 0 "a job shorter than its timeout" -- "$MPRUN" -n 2 --timeout 30 true

finish
