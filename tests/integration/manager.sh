#!/bin/bash
# manager.sh - the Manager containers of libmpr on one host: the dict
# (Python's semantics call by call, concurrent updates with no update lost,
# setdefault races, key snapshots, a full store refused without damage;
# programs obj_dict.c), the list (Python's semantics, negative indexes,
# concurrent appends in order and pops each once; obj_list.c), at 1-4 ranks, over TCP and with the sleeping paths
# alone; and a rank killed inside a call, holding a container's lock: the
# others get MPR_ERR_PROC_FAILED, never hang.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
export MPR_CHECK="${MPR_CHECK-1}"
ulimit -c 0

# --- dict -------------------------------------------------------------------
singleton obj_dict basic 50
for n in 1 2 3 4; do
    job "$n" obj_dict basic 300
done
job 3 -x MPR_TRANSPORT=tcp -- obj_dict basic 200
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_dict basic 200
no_leftovers

# --- list -------------------------------------------------------------------
singleton obj_list 50
for n in 1 2 3 4; do
    job "$n" obj_list 300
done
job 3 -x MPR_TRANSPORT=tcp -- obj_list 200
job 4 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_list 200
no_leftovers

# --- a rank dies holding a container's lock ----------------------------------
saw() {
    local n
    n=$(grep -c "$1 saw MPR_ERR_PROC_FAILED" <<<"$LAST_OUTPUT")
    [ "$n" -eq "$2" ] && pass "$3" || fail "$3: $n of $2 saw MPR_ERR_PROC_FAILED"
}
for n in 2 4; do
    run "$n" --enable-recovery -- obj_dict die "$MARK"
    expect_rc 1 "rank $((n - 1)) of $n dies inside mpr_dict_set holding the dict's lock"
    saw dict $((n - 1)) "the $((n - 1)) others saw it"
    no_procs "after a rank died"
    no_leftovers
done

finish
