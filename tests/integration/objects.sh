#!/bin/bash
# objects.sh - the shared objects of libmpr: queue (exactly-once delivery
# under contention, order per producer, timeouts, full/empty, join and
# task_done, items too big for the buffer), event (wake-ups with many
# waiters), semaphore (count never exceeded, bounded over-release), lock
# (mutual exclusion, ownership errors), rlock (recursion, ownership),
# barrier object (rounds, indexes, timeout, abort, reset), condition
# (bounded buffer, notify counts, timeouts), pipe (order, sizes, truncate,
# poll, timeouts, EOF, reopening), bad arguments; and ranks dying
# while others are blocked on an object (programs: obj_*.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# Collectives compare their calls first (MPR_CHECK=1) unless the
# environment says otherwise (coll_*_unchecked.sh run with it off).
export MPR_CHECK="${MPR_CHECK-1}"

ulimit -c 0 # no core files from the crash tests






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

# --- rlock, barrier object, condition -------------------------------------
singleton obj_rlock 50
for n in 1 2 3 4; do
    job "$n" obj_rlock 300
done
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_rlock 200
singleton obj_barrier 20
for n in 1 2 3 4; do
    job "$n" obj_barrier 300
done
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_barrier 200
singleton obj_condition 20
for n in 1 2 3 4; do
    job "$n" obj_condition 100
done
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_condition 50

# --- shared array and value -----------------------------------------------
singleton obj_array 50
for n in 1 2 3 4; do
    job "$n" obj_array 300
done
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_array 100
# --- pipe -----------------------------------------------------------------
singleton obj_pipe basic
for n in 1 2 3 4; do
    job "$n" obj_pipe basic
done
job 2 -x MPR_TRANSPORT=tcp -- obj_pipe basic
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_pipe basic
job 2 -x MPR_SHM_CMA=1 -- obj_pipe basic
job 2 obj_pipe stress 20000
job 4 obj_pipe stress 5000
job 2 -x MPR_TRANSPORT=tcp -- obj_pipe stress 20000

# messages reach ranks asleep on an object or in a barrier
job 2 obj_mixed
job 3 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_mixed
job 2 -x MPR_TRANSPORT=tcp -- obj_mixed
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
example 1 rlock_log "$LOCKFILE" 5
example 4 rlock_log "$LOCKFILE" 20
example 1 barrier_phases 3 0.2
example 4 barrier_phases 5 0.5
example 2 condition_buffer "$LOCKFILE" 30 2
example 4 condition_buffer "$LOCKFILE" 20 3
example 1 pipe_prodcons 10
example 2 pipe_prodcons 10000
example 5 pipe_prodcons 3000
rm -f "$LOCKFILE"
example 1 array_counters 200
example 4 array_counters 1000
example 1 manager_dict 50
example 4 manager_dict 500

# --- a rank dies while the others are blocked on an object ----------------
for object in queue lock semaphore event rlock barrier condition array; do
    run 3 obj_die crash "$object" "$MARK"
    expect_rc 139 "SIGSEGV in rank 2 of 3 while the others block on a $object"
    no_procs "after a crash"
    no_leftovers
done
# (--enable-recovery: mprun leaves the others running, they must see it)
saw_it() {
    local n
    n=$(grep -c 'blocked call returned MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
    [ "$n" -eq "$1" ] && pass "$2" || fail "$2: $n of $1 saw MPR_ERR_PROC_FAILED"
}
for object in queue lock rlock barrier condition array; do
    run 2 --enable-recovery -- obj_die exit "$object" "$MARK"
    expect_rc 1 "rank 1 of 2 exits without finalizing while rank 0 blocks on a $object"
    saw_it 1 "rank 0 saw it"
    no_procs "after a rank exited early"
    no_leftovers
done
run 4 --enable-recovery -- obj_die exit semaphore "$MARK"
expect_rc 1 "rank 3 of 4 exits without finalizing while the others block on a semaphore"
saw_it 3 "the 3 others saw it"
no_procs "after a rank exited early"
no_leftovers
for transport in auto tcp; do
    run 2 --enable-recovery -x MPR_TRANSPORT=$transport -- obj_pipe die "$MARK"
    expect_rc 1 "rank 1 of 2 exits without finalizing while rank 0 reads a pipe ($transport)"
    n=$(grep -c 'pipe saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
    [ "$n" -eq 1 ] && pass "rank 0 saw it ($transport)" || fail "rank 0 did not see it ($transport)"
    no_procs "after a rank exited early"
    no_leftovers
done

finish
