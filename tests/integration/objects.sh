#!/bin/bash
# objects.sh - the shared objects of libmpr: queue (exactly-once delivery
# under contention, order per producer, timeouts, full/empty, join and
# task_done, items too big for the buffer), event (wake-ups with many
# waiters), semaphore (count never exceeded, bounded over-release), lock
# (mutual exclusion, ownership errors), bad arguments; and ranks dying
# while others are blocked on an object (programs: obj_*.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

ulimit -c 0 # no core files from the crash tests
# An extra argument carrying this marker makes the ranks of the crash jobs
# easy to find with pgrep (the programs ignore it).
MARK="mprtest_obj_$$_${RANDOM}"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# singleton PROGRAM [ARGS]: run without mprun (and without any PMIx
# environment), must exit 0.
singleton() {
    expect_exit 0 "$* without mprun (singleton)" -- \
        env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
        -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 \
        "$TESTS_BIN/$1" "${@:2}"
}

# run N PROGRAM [ARGS]: run a job, set RC and LAST_OUTPUT (through a file:
# ranks that outlived a killed mprun cannot hold this script on a pipe).
run() {
    local n=$1 opts=()
    shift
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    timeout -k 5 60 "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" \
        "$TESTS_BIN/$1" "${@:2}" >"$OUT" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$OUT")
}

# expect_ended WHAT: the job ended by itself (not by a timeout), non-zero
# or zero, and no rank printed a FAIL line.
expect_ended() {
    if [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "$1 (exit $RC)"
    else
        fail "$1: exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
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

# no_procs WHAT: no rank of the marked jobs is left.
no_procs() {
    local left i
    for i in $(seq 20); do
        left=$(pgrep -f "$MARK" || true)
        [ -z "$left" ] && break
        sleep 0.1
    done
    if [ -n "$left" ]; then
        fail "$1: processes left after mprun exited"
        kill -KILL $left 2>/dev/null # only the leftover ranks of these jobs
    else
        pass "$1: no process left"
    fi
}

# --- queue ----------------------------------------------------------------
singleton obj_queue basic
for n in 1 2 3 4 8; do
    job "$n" obj_queue basic
done
job 2 obj_queue stress 1 20000 64        # 1 -> 1
job 3 obj_queue stress 1 5000 1          # maxsize 1: every put waits for a get
job 4 obj_queue stress 2 5000 16         # 2 -> 2
job 8 obj_queue stress 4 2500 8          # 4 -> 4, oversubscribed
job 8 obj_queue stress 6 1500 0          # 6 -> 2, unbounded
job 5 obj_queue stress 1 4000 0          # 1 -> 4
# the sleeping paths alone: no spinning, no yielding
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_queue stress 2 3000 4
# large items share a small data area: puts wait for room, not for slots
job 3 -x MPR_QUEUE_DATA_BYTES=65536 -- obj_queue stress 2 3000 0
singleton obj_queue join
for n in 1 2 4; do
    job "$n" obj_queue join
done

# --- event ----------------------------------------------------------------
singleton obj_event 10
job 1 obj_event 10
job 2 obj_event 300 2
job 3 obj_event 200
job 8 obj_event 150 1
job 8 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_event 100

# --- semaphore ------------------------------------------------------------
singleton obj_semaphore 1 50
for n in 1 2 4 8; do
    job "$n" obj_semaphore 2 300
done
job 8 obj_semaphore 1 200
job 8 obj_semaphore 5 200
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_semaphore 2 200

# --- lock -----------------------------------------------------------------
singleton obj_lock 50
for n in 1 2 3 8; do
    job "$n" obj_lock 300
done
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_lock 200
no_leftovers

# --- the examples ---------------------------------------------------------
# example N PROGRAM [ARGS]: run PROGRAM from examples/ with N ranks, exit 0.
example() {
    local n=$1 opts=()
    shift
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    expect_exit 0 "example: -n $n $*" -- \
        "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" "$EXAMPLES_BIN/$1" "${@:2}"
}
example 1 prodcons 1000
example 4 prodcons 5000
example 5 prodcons 2000
example 1 workers 20
example 4 workers 60
example 4 event_start
example 4 semaphore_cap 2
LOCKFILE=$(mktemp)
example 1 lock_file "$LOCKFILE" 20
example 4 lock_file "$LOCKFILE" 50
rm -f "$LOCKFILE"

# --- a rank dies while the others are blocked on an object ----------------
for object in queue lock semaphore event; do
    run 3 obj_die crash "$object" "$MARK"
    expect_rc 139 "SIGSEGV in rank 2 of 3 while the others block on a $object"
    no_procs "after a crash"
    no_leftovers
done
for object in queue lock; do
    run 2 obj_die exit "$object" "$MARK"
    expect_ended "rank 1 of 2 exits without finalizing while rank 0 blocks on a $object"
    no_procs "after a rank exited early"
    no_leftovers
done
run 4 obj_die exit semaphore "$MARK"
expect_ended "rank 3 of 4 exits without finalizing while the others block on a semaphore"
no_procs "after a rank exited early"
no_leftovers

finish
