#!/bin/bash
# blame_multihost.sh - mprun names the rank that died first (issue 15): the
# home rank of a queue (rank 0, on the first mprun's host mprh0) crashes
# while ranks of other hosts block on the queue through its service; they
# see it at once and exit with an error of their own, and their daemons'
# reports may reach mprun's loop together with the home rank's end. mprun
# must name rank 0 and exit 139 every time (it named a survivor and exited
# 4 in 2 of 4 runs when it judged whatever it read first). Hosts are
# network namespaces (netns_setup.sh); program: obj_die.c.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

for run in 1 2 3 4 5 6; do
    timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" --timeout "$JOB_TIMEOUT" --host mprh0:1,mprh1:1,mprh2:1 \
        --map-by node "$TESTS_BIN/obj_die" crash queue "$MARK" 0 >"$TMP/out" 2>&1
    RC=$?
    if [ "$RC" -eq 139 ] &&
        grep -q '^mprun: rank 0 (pid [0-9]*) on host mprh0 killed by signal 11' "$TMP/out"; then
        pass "run $run: the home rank's crash is named (exit 139)"
    else
        fail "run $run: exit $RC, wanted 139 and rank 0 named; output:"
        tail -10 "$TMP/out" >&2
    fi
    no_processes_anywhere "run $run"
done
no_leftovers
finish
