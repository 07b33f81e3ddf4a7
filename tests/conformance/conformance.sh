#!/bin/bash
# conformance.sh - the randomized differential conformance suite (issue 9)
# in make check: tests/conformance/conform (random programs of every
# collective, point-to-point traffic, split/dup communicators and shared
# objects, checked exactly on every rank) with automatic algorithms at 1..8 ranks, each forced algorithm
# value (MPR_COLL_*, one at a time) and a few combinations at a sample of
# sizes, over shared memory and over TCP, and on hosts made of network
# namespaces when they can be made (that part is skipped otherwise).
# Every job runs with -x MPR_CHECK=1 (but the barrier checks below) under
# mprun --timeout and timeout; a failure or a hang prints the command that
# replays it.
#
# CONFORM_SEED (default 1) moves every job to other programs;
# CONFORM_KNOWN_BUGS_OFF=1 stops steering around the bugs listed in
# known_bugs.sh. tools/soak-conformance runs the same program for longer.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/conformance/known_bugs.sh"
ulimit -c 0

CONFORM="$TOP_BUILDDIR/tests/conformance/conform"
SEED=${CONFORM_SEED:-1}
JOB_TIMEOUT=60 # mprun's limit for one job; a call stuck for HANG s is reported before
HANG=40
# make check kills the script after 180 s (tests/local.mk): on a loaded
# machine, jobs that would start after BUDGET s are left out (said in a note)
BUDGET=${CONFORM_BUDGET:-120}
skipped=0
job_no=0

# conform_job N "ENV SETTINGS" "MPRUN OPTIONS" CONFORM ARGS...: one job of
# N ranks on this host; it must exit 0.
conform_job() {
    local n=$1 envs=$2 mopts=$3
    shift 3
    job_no=$((job_no + 1))
    local seed=$((SEED + 1000 * job_no)) xs=() e
    if is_known_bad "$envs"; then
        echo "note: skipped (known_bugs.sh): $envs"
        return
    fi
    if [ $((SECONDS - start)) -ge "$BUDGET" ]; then
        skipped=$((skipped + 1))
        return
    fi
    for e in MPR_CHECK=1 $envs; do xs+=(-x "$e"); done
    local cmd=("$MPRUN" -n "$n" --oversubscribe --timeout "$JOB_TIMEOUT" $mopts "${xs[@]}"
               "$CONFORM" --seed "$seed" --avoid "$(known_avoid "$envs")" --hang-seconds "$HANG" "$@")
    run_conform "-n $n $envs" "${cmd[@]}"
}

# run_conform WHAT COMMAND...: run, report pass or the failure with its command
run_conform() {
    local what=$1 out rc
    shift
    out=$(mktemp)
    timeout -k 5 $((JOB_TIMEOUT + 20)) "$@" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^conform: .* passed' "$out"; then
        pass "$what: $(grep '^conform: .* passed' "$out" | tail -1 | sed 's/^conform: //')"
    else
        local why="exit $rc"
        [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="timed out: a hang"
        grep -q 'hung: no return' "$out" && why="a call hung"
        fail "$what: $why; replay with: $*"
        grep -E '^conform: (FAIL|replay)|^mprun:' "$out" | head -12 >&2
        tail -5 "$out" >&2
    fi
    rm -f "$out"
}

kinds_for() { # the calls that use the collective forced by MPR_COLL_<$1>
    case $1 in
    BARRIER) echo barrier,bcast,allreduce,objects,comms ;;
    BCAST) echo bcast,barrier,scatter,gather,comms ;;
    REDUCE) echo reduce,allreduce,barrier,objects,comms ;;
    ALLREDUCE) echo allreduce,reduce_scatter_block,scan,exscan,bcast,comms ;;
    GATHER) echo gather,gatherv,bcast,comms ;;
    SCATTER) echo scatter,scatterv,bcast,comms ;;
    ALLGATHER) echo allgather,allgatherv,barrier,comms ;;
    ALLTOALL) echo alltoall,alltoallv,barrier,comms ;;
    esac
}

# Every algorithm name, as runtime/coll*.c and README.md list them.
declare -A ALGS=(
    [BARRIER]="shm shm_leader dissemination hier"
    [BCAST]="shm binomial chain hier"
    [REDUCE]="shm binomial rabenseifner linear"
    [ALLREDUCE]="shm recursive_doubling rabenseifner ring reduce_bcast"
    [GATHER]="binomial linear"
    [SCATTER]="binomial linear"
    [ALLGATHER]="bruck ring linear shm"
    [ALLTOALL]="linear pairwise shm"
)

start=$SECONDS

# automatic choices, 1..8 ranks, every kind of call
for n in 1 2 3 4 5 6 7 8; do
    seqs=$((n <= 2 ? 8 : n <= 4 ? 5 : 2))
    conform_job "$n" "" "" --sequences "$seqs" --calls 40
done

# the shape of known_bugs.sh's reduce-runahead (a reduce, then a barrier or
# an object's create/free): steered around while listed, a sharp test of
# the fix once it is not
for n in 3 4; do
    conform_job "$n" "" "" --only reduce,barrier,objects --sequences 10 --calls 15
done

# Barriers checked for letting a rank leave before everyone arrived (half
# of them, colls.c): without MPR_CHECK=1 (the later setting wins), whose
# exchange before every collective is a barrier itself and hides one that
# is not. Automatic between bcasts and scatters where ranks share cores
# (said by MPR_OVERSUBSCRIBED=1 on any machine: such a barrier is released
# by the root of the call after the barrier before it), and every barrier
# algorithm.
for n in 3 4; do
    conform_job "$n" "MPR_CHECK=0 MPR_OVERSUBSCRIBED=1" "" --only barrier,bcast,scatter,scatterv \
        --sequences 5 --calls 30
done
for alg in shm shm_leader dissemination; do
    conform_job 4 "MPR_CHECK=0 MPR_COLL_BARRIER=$alg" "" --only barrier,bcast,allreduce \
        --sequences 3 --calls 30
done
# the shared objects and communicators only: more pipes (scripts across
# calls), arrays (1 MiB service pieces), conditions (group wake-ups) per second
conform_job 4 "" "" --only objects,comms --sequences 3 --calls 30
conform_job 3 "MPR_TRANSPORT=tcp" "" --only objects,comms --sequences 2 --calls 30

# point-to-point: every protocol of shared memory (CMA rendezvous, and the
# CTS one without CMA) and of TCP, with a flow-control bound small enough
# that many messages go by rendezvous; pipes and the objects' services too
conform_job 3 "MPR_SHM_CMA=0 MPR_UNEXPECTED_BYTES=4096" "" --only p2p,comms --sequences 2 --calls 30
conform_job 3 "MPR_SHM_CMA=0 MPR_UNEXPECTED_BYTES=4096" "" --only objects,comms --sequences 2 --calls 20
conform_job 4 "MPR_SHM_CMA=1 MPR_UNEXPECTED_BYTES=65536" "" --only p2p,comms --sequences 2 --calls 30
conform_job 3 "MPR_TRANSPORT=tcp MPR_UNEXPECTED_BYTES=4096" "" --only p2p,comms --sequences 2 --calls 30

# one forced algorithm at a time, on a rotating sample of sizes
sizes=(3 4 5 2 6 7 8 4 3 5)
i=0
for coll in BARRIER BCAST REDUCE ALLREDUCE GATHER SCATTER ALLGATHER ALLTOALL; do
    for alg in ${ALGS[$coll]}; do
        n=${sizes[$((i % ${#sizes[@]}))]}
        i=$((i + 1))
        conform_job "$n" "MPR_COLL_$coll=$alg" "" --only "$(kinds_for $coll)" \
            --sequences 3 --calls 30 --max-size 1M
    done
done

# combinations
conform_job 5 "MPR_COLL_BARRIER=dissemination MPR_COLL_BCAST=chain MPR_COLL_REDUCE=linear MPR_COLL_ALLREDUCE=ring" "" \
    --sequences 3 --calls 40
conform_job 4 "MPR_COLL_GATHER=linear MPR_COLL_SCATTER=linear MPR_COLL_ALLGATHER=ring MPR_COLL_ALLTOALL=pairwise" "" \
    --sequences 3 --calls 40
conform_job 3 "MPR_COLL_BARRIER=shm_leader MPR_COLL_BCAST=shm MPR_COLL_SHM_SLOT=1024 MPR_COLL_SHM_SLOTS=2" "" \
    --sequences 3 --calls 40
conform_job 4 "MPR_COLL_BCAST=shm MPR_COLL_SHM_SLOT=1024 MPR_COLL_SHM_SLOTS=2 MPR_COLL_SHM_BIG_SLOTS=3" "" \
    --sequences 3 --calls 40
conform_job 6 "MPR_COLL_REDUCE=rabenseifner MPR_COLL_ALLREDUCE=rabenseifner MPR_SHM_CMA=1" "" \
    --sequences 2 --calls 40

# TCP between every rank
conform_job 3 "MPR_TRANSPORT=tcp" "" --sequences 3 --calls 40
conform_job 5 "MPR_TRANSPORT=tcp" "" --sequences 2 --calls 40
conform_job 4 "MPR_TRANSPORT=tcp MPR_COLL_ALLREDUCE=ring MPR_COLL_BCAST=chain" "" --sequences 2 --calls 40
conform_job 8 "MPR_TRANSPORT=tcp" "" --sequences 1 --calls 40

echo "note: one host: $((job_no - skipped)) jobs in $((SECONDS - start)) s"
[ "$skipped" -gt 0 ] && echo "note: $skipped jobs left out: the time budget of $BUDGET s was used (a loaded machine?)"

# Hosts of network namespaces: shared memory inside each, TCP between them.
# In a subshell, so that "cannot make namespaces" (exit 77) skips this part
# only; its counts come back through a file.
counts=$(mktemp)
(
    source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
    MH_HOSTS=3
    [ $((SECONDS - start)) -ge "$BUDGET" ] && exit 78
    source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
    checks=0 failures=0
    # across_conform HOSTS "ENV SETTINGS" "MPRUN OPTIONS" CONFORM ARGS...
    across_conform() {
        local hosts=$1 envs=$2 mopts=$3 xs=() e
        shift 3
        job_no=$((job_no + 1))
        for e in MPR_CHECK=1 $envs; do xs+=(-x "$e"); done
        run_conform "--host $hosts $mopts $envs" "${AT0[@]}" "$MH_MPRUN" --timeout "$JOB_TIMEOUT" \
            --host "$hosts" --oversubscribe $mopts "${xs[@]}" "$CONFORM" \
            --seed $((SEED + 1000 * job_no)) --avoid "$(known_avoid "$envs")" --hang-seconds "$HANG" "$@"
    }
    across_conform mprh0:2,mprh1:2 "" "" --sequences 2 --calls 40
    across_conform mprh0:2,mprh1:1,mprh2:2 "" "--map-by node" --sequences 2 --calls 40
    across_conform mprh0:2,mprh1:2 "MPR_COLL_BARRIER=hier MPR_COLL_BCAST=hier" "" --sequences 2 --calls 30
    across_conform mprh0:2,mprh1:1 "" "" --only objects,comms --sequences 1 --calls 20
    no_processes_anywhere "after the jobs across hosts"
    echo "$checks $failures" >"$counts"
)
mh_rc=$?
case $mh_rc in
0) read -r c f <"$counts"; checks=$((checks + c)); failures=$((failures + f)) ;;
77) echo "note: the part across hosts is skipped (no network namespaces here)" ;;
78) echo "note: the part across hosts is left out: the time budget of $BUDGET s was used" ;;
*) fail "the part across hosts ended with exit $mh_rc" ;;
esac
rm -f "$counts"

echo "note: $((SECONDS - start)) s in all"
no_leftovers
finish
