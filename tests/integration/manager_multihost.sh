#!/bin/bash
# manager_multihost.sh - the Manager containers on communicators spanning
# hosts made of network namespaces (netns_setup.sh; SKIP without root):
# ranks of the home host (that of rank 0) use the shared memory, the
# others rank 0's object service. obj_dict basic and obj_list by node and
# by slot and with the sleeping paths; examples/manager_dict by node; then a rank of the home host dying inside a
# dict call, holding the lock, while a rank of the other host (through
# the service) and one of the home host add to it: both get
# MPR_ERR_PROC_FAILED; and the same with the home rank itself dying.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=2
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

across mprh0:2,mprh1:2 --map-by node -- obj_dict basic 100
across mprh0:1,mprh1:2 --map-by slot -- obj_dict basic 100
across mprh0:1,mprh1:1 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_dict basic 60
across mprh0:2,mprh1:2 --map-by node -- obj_list 100
across mprh0:1,mprh1:2 --map-by slot -- obj_list 100
# the tutorial's program: workers on both hosts fill a dict, a list, a namespace
expect_exit 0 "--host mprh0:2,mprh1:2 --map-by node examples/manager_dict 400" -- \
    "${AT0[@]}" "$MH_MPRUN" --timeout "$JOB_TIMEOUT" --host mprh0:2,mprh1:2 --map-by node \
    "$EXAMPLES_BIN/manager_dict" 400

# ranks 0, 1 on mprh0, rank 2 on mprh1; rank 1 dies holding the dict's lock
timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" --enable-recovery --timeout "$JOB_TIMEOUT" \
    --host mprh0:2,mprh1:1 --map-by slot "$TESTS_BIN/obj_dict" die "$MARK" 1 \
    >"$TMP/die.out" 2>&1
RC=$?
LAST_OUTPUT=$(cat "$TMP/die.out")
expect_rc 1 "rank 1 of the home host dies holding the dict's lock"
n=$(grep -c 'dict saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
[ "$n" -eq 2 ] && pass "rank 0 (home) and rank 2 (other host) saw it" ||
    fail "$n of 2 ranks saw MPR_ERR_PROC_FAILED"
no_processes_anywhere "after rank 1 died (dict)"
no_leftovers
# the same with rank 0, the home itself: rank 2 loses the service too
timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" --enable-recovery --timeout "$JOB_TIMEOUT" \
    --host mprh0:2,mprh1:1 --map-by slot "$TESTS_BIN/obj_dict" die "$MARK" 0 \
    >"$TMP/die0.out" 2>&1
RC=$?
LAST_OUTPUT=$(cat "$TMP/die0.out")
expect_rc 1 "rank 0, the home, dies holding the dict's lock"
n=$(grep -c 'dict saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
[ "$n" -eq 2 ] && pass "rank 1 (home host) and rank 2 (other host) saw it" ||
    fail "$n of 2 ranks saw MPR_ERR_PROC_FAILED"
no_processes_anywhere "after rank 0 died (dict)"
no_leftovers
finish
