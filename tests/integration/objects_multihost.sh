#!/bin/bash
# objects_multihost.sh - the shared objects on communicators spanning hosts
# made of network namespaces (netns_setup.sh): ranks on the home host (that
# of rank 0) use the object's shared memory, the others the home rank's
# service over TCP. The obj_* programs of objects.sh, by slot and by node
# (producers, waiters and lock holders on every host): exactly-once queue
# delivery with per-producer order, join/task_done, timeouts, event
# wake-ups, semaphore bound, lock and rlock mutual exclusion, barrier
# rounds, abort and reset, condition bounded buffer and notify counts (checked in a file
# every host maps: the namespaces share the file system); then a rank of
# another host, or the home rank itself, dying while the others block.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

for map in slot node; do
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_queue basic
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_queue stress 2 1500 16
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_queue join
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_event 60 2
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_semaphore 2 100
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_lock 100
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_rlock 100
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_barrier 100
    across mprh0:2,mprh1:2 --map-by "$map" -- obj_condition 40
done
# 3 hosts, producers on all of them (by node: ranks 0, 1, 2 on mprh0..2)
across mprh0:2,mprh1:1,mprh2:2 --map-by node -- obj_queue stress 3 1000 8
across mprh0:2,mprh1:1,mprh2:2 --map-by node -- obj_queue stress 3 800 1
across mprh0:2,mprh1:1,mprh2:2 --map-by node -- obj_queue stress 2 800 0
across mprh0:1,mprh1:1,mprh2:1 -- obj_queue basic
across mprh0:2,mprh1:1,mprh2:2 -- obj_event 50
across mprh0:2,mprh1:1,mprh2:2 --map-by node -- obj_semaphore 1 60
across mprh0:2,mprh1:1,mprh2:2 --map-by node -- obj_lock 80
across mprh0:1,mprh1:1,mprh2:2 --map-by node -- obj_rlock 60
across mprh0:1,mprh1:1,mprh2:2 --map-by node -- obj_barrier 60
across mprh0:1,mprh1:1,mprh2:2 --map-by node -- obj_condition 30
# every wait sleeps, on both sides
across mprh0:2,mprh1:2 --map-by node -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_queue stress 2 800 4
across mprh0:2,mprh1:2 --map-by node -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_lock 60
across mprh0:2,mprh1:2 --map-by node -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_condition 20
# the service's address follows MPR_TCP_IF like the transport's
across mprh0:1,mprh1:1 -x MPR_TCP_IF=eth0 -- obj_queue join
no_processes_anywhere "after the jobs"
no_leftovers

# die HOSTS VICTIM HOW OBJECT: rank VICTIM crashes or exits early while
# the others block on OBJECT; the job must end, nothing may be left. A rank
# exiting early (without mpr_finalize) runs under --enable-recovery: the
# others must see it themselves, and mprun exits 1.
die() {
    local hosts=$1 victim=$2 how=$3 object=$4 opts=() nranks=0 slots n
    [ "$how" = exit ] && opts=(--enable-recovery)
    for slots in $(tr ',' '\n' <<<"$hosts" | sed 's/.*://'); do nranks=$((nranks + slots)); done
    timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" "${opts[@]}" --timeout "$JOB_TIMEOUT" \
        --host "$hosts" --map-by node "$TESTS_BIN/obj_die" "$how" "$object" "$MARK" "$victim" \
        >"$TMP/die.out" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$TMP/die.out")
    if [ "$how" = crash ]; then
        expect_rc 139 "--host $hosts: rank $victim crashes while the others block on a $object"
    else
        expect_rc 1 "--host $hosts: rank $victim exits early while the others block on a $object"
        n=$(grep -c 'blocked call returned MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
        [ "$n" -eq $((nranks - 1)) ] && pass "the $n others saw it" ||
            fail "$n of $((nranks - 1)) others saw rank $victim go"
        grep -q "^mprun: rank $victim (pid [0-9]*) on host .* exited without calling mpr_finalize$" \
            <<<"$LAST_OUTPUT" && pass "mprun named rank $victim" || fail "mprun did not name rank $victim"
    fi
    no_processes_anywhere "after rank $victim died ($how, $object)"
}
for object in queue lock semaphore event rlock barrier condition; do
    die mprh0:1,mprh1:1,mprh2:1 2 crash "$object"   # a rank of another host
    die mprh0:1,mprh1:1,mprh2:1 0 crash "$object"   # the home rank
done
die mprh0:1,mprh1:1 1 exit queue
die mprh0:1,mprh1:1 0 exit queue
die mprh0:2,mprh1:1 0 exit lock
die mprh0:1,mprh1:1,mprh2:1 2 exit barrier
die mprh0:1,mprh1:1,mprh2:1 2 exit condition
no_leftovers
finish
