#!/bin/bash
# transports.sh - every point-to-point and collective program over every
# transport: with -n 1 (a rank alone talks to itself through the self
# transport), with -n 2, 3, 4 over shared memory (the default) and with
# -n 2, 3, 4 over TCP (MPR_TRANSPORT=tcp). Collectives compare their calls
# first (MPR_CHECK=1), as in coll*.sh, unless the environment says
# otherwise: transports_unchecked.sh runs the collectives again with the
# checking mode off (MPR_CHECK=0, the default for users), and skips what
# does not depend on it. What only one transport or one job
# size has (CMA on and off, eager limits, larger jobs, forced algorithms,
# failures, stress, stray connections) stays in p2p.sh, coll*.sh, comm.sh,
# shm.sh and tcp.sh (programs: p2p_*.c, coll_*.c, comm_split.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
export MPR_CHECK="${MPR_CHECK-1}"
ulimit -c 0

# An argument @N stands for the number of ranks of the job.
SIZES=(2 3 4)

# on_self|on_shm|on_tcp [mprun options --] PROGRAM [ARGS]: run the job with
# one rank, or with each of SIZES over shared memory or TCP; must exit 0.
# After each job, $AFTER (if set) is run with a description of the job.
each_size() {
    local transport=$1 opts=() n
    shift
    local sizes=("${SIZES[@]}")
    [ "$transport" = self ] && sizes=(1)
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    [ "$transport" = tcp ] && opts+=(-x MPR_TRANSPORT=tcp)
    local args=("$@")
    for n in "${sizes[@]}"; do
        job "$n" "${opts[@]}" -- "${args[@]/#@N/$n}"
        [ -z "${AFTER:-}" ] || "$AFTER" "-n $n over $transport: $*"
    done
}
on_self() { each_size self "$@"; }
on_shm() { each_size shm "$@"; }
on_tcp() { each_size tcp "$@"; }

# every [mprun options --] PROGRAM [ARGS]: over self, shared memory and TCP.
every() {
    on_self "$@"
    on_shm "$@"
    on_tcp "$@"
}

# --- point-to-point -------------------------------------------------------
if [ "$MPR_CHECK" != 0 ]; then
    every p2p_basic @N
    every p2p_order 2000
    every p2p_trunc
    every p2p_large
fi

# --- collectives ----------------------------------------------------------
every coll_barrier
every coll_bcast @N
every coll_mix
for part in types roots large userop split scan errors; do
    every coll_reduce "$part"
done
for part in all split errors; do
    every coll_gather "$part"
done
every comm_split
# strict: a short receiver gets everything, as through self and shared memory
on_self coll_algs strict
on_shm coll_algs strict
on_tcp coll_algs quick
# matching calls: no line says a mismatch
no_mismatch_said() {
    if grep -q 'collective mismatch' <<<"$LAST_OUTPUT"; then
        fail "$1: matching calls reported as a mismatch: $LAST_OUTPUT"
    fi
}
AFTER=no_mismatch_said every coll_check matching
if [ "$MPR_CHECK" != 0 ]; then
    AFTER=expect_mismatch_lines every -x MPR_CHECK=1 -- coll_check mismatches
    # entered at different times; the checking mode would hide the race
    # (coll_skew.sh), so it is off here
    every -x MPR_CHECK=0 -- coll_skew mixed 4 5000
fi

no_leftovers
finish
