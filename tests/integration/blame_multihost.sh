#!/bin/bash
# blame_multihost.sh - mprun names the rank that failed first, not the ones
# that reacted to it (issue 15). A queue's home rank (rank 0) dies, killed
# or exiting with an error of its own, while the others block on the queue;
# they see it at once and fail in turn (exit 8, or mpr_abort), and their
# ends may reach mprun first: from its own host, or from a host whose
# daemon reads faster. libmpr notes the peer each saw fail, and mprun
# follows the notes to rank 0 whatever the order it hears things in. Runs
# are repeated: judging by order, the old mprun named a reactor in most of
# them. Hosts are network namespaces (netns_setup.sh); programs:
# blame_react.c, obj_die.c.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

# blamed WHAT WANT_RC WANT_LINE -- COMMAND...: COMMAND exits WANT_RC and
# mprun says one line, WANT_LINE (an extended regex after "mprun: ").
blamed() {
    local what=$1 want_rc=$2 want_line=$3 rc lines
    shift 4
    timeout -k 5 60 "$@" >"$TMP/out" 2>&1
    rc=$?
    lines=$(grep -c '^mprun: ' "$TMP/out")
    if [ "$rc" -eq "$want_rc" ] && [ "$lines" -eq 1 ] &&
        grep -Eq "^mprun: $want_line\$" "$TMP/out"; then
        pass "$what: exit $rc, the right rank named"
    else
        fail "$what: exit $rc (wanted $want_rc), $lines mprun lines; output:"
        tail -12 "$TMP/out" >&2
    fi
    no_processes_anywhere "$what"
}

MPRUN_AT0=("${AT0[@]}" "$MH_MPRUN" --timeout "$JOB_TIMEOUT")
KILLED0='rank 0 \(pid [0-9]+\) on host mprh1 killed by signal 9 \(Killed\)'
EXITED0='rank 0 \(pid [0-9]+\) on host mprh1 exited with code 5'

# One host: the reactors' pidfds and the victim's are read in one loop.
for run in 1 2 3; do
    blamed "one host, run $run: rank 0 killed, the others exit 8" 137 \
        'rank 0 \(pid [0-9]+\) on host mprh0 killed by signal 9 \(Killed\)' -- \
        "${MPRUN_AT0[@]}" -n 3 --oversubscribe "$TESTS_BIN/blame_react" kill exit "$MARK"
done

# Rank 0 on mprh1 (a daemon's host), rank 1 on mprh0 beside mprun, rank 2
# on mprh2: rank 1's end is read at once, rank 0's comes over a link.
ACROSS=(--host mprh1:1,mprh0:1,mprh2:1 --map-by node "$TESTS_BIN/blame_react")
for run in 1 2 3 4 5 6 7 8; do
    blamed "across hosts, run $run: rank 0 killed, the others exit 8" 137 "$KILLED0" -- \
        "${MPRUN_AT0[@]}" "${ACROSS[@]}" kill exit "$MARK"
done
for run in 1 2 3 4; do
    blamed "across hosts, run $run: rank 0 exits 5 on its own, the others exit 8" 5 \
        "$EXITED0" -- "${MPRUN_AT0[@]}" "${ACROSS[@]}" exit exit "$MARK"
done
for run in 1 2 3; do
    blamed "across hosts, run $run: rank 0 killed, the others abort" 137 "$KILLED0" -- \
        "${MPRUN_AT0[@]}" "${ACROSS[@]}" kill abort "$MARK"
    blamed "across hosts, run $run: rank 0 exits 5, the others abort" 5 "$EXITED0" -- \
        "${MPRUN_AT0[@]}" "${ACROSS[@]}" exit abort "$MARK"
done

# The home rank beside mprun crashes; the others (obj_die) finalize and
# exit 0 after MPR_ERR_PROC_FAILED.
for run in 1 2 3; do
    blamed "home beside mprun, run $run: rank 0 crashes" 139 \
        'rank 0 \(pid [0-9]+\) on host mprh0 killed by signal 11 \(Segmentation fault\)' -- \
        "${MPRUN_AT0[@]}" --host mprh0:1,mprh1:1,mprh2:1 --map-by node "$TESTS_BIN/obj_die" \
        crash queue "$MARK" 0
done
no_leftovers
finish
