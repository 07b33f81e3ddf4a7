#!/bin/bash
# coll_fin.sh - ranks finalize as soon as their part of an operation is
# done, while slower ranks are still in it (coll_fin.c): every collective
# (small and large, so the shared-memory rounds and the single-copy paths
# run), an eager and a large message, a queue's items. In parts, one per
# script (each part is a few dozen jobs):
#   coll_fin.sh        3 ranks over shared memory, entered in rising and
#                      falling order of ranks
#   coll_fin_sizes.sh  2, 4 and 8 ranks, one rank late or the root
#   coll_fin_tcp.sh    over TCP (MPR_TRANSPORT=tcp)
#   coll_fin_algs.sh   each forced algorithm (MPR_COLL_*), the checking mode
#   coll_fin_multihost.sh  across hosts (its own script)
# A rank that dies inside a collective still fails the others:
# coll_algs.sh, fail_rule.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
export MPR_CHECK=0 # its exchange first would make every rank wait for the last
ulimit -c 0

part=${COLL_FIN_PART:-main}

ROOTED=(bcast bcast_large reduce reduce_large gather gather_large scatter scatter_large
        send send_large queue)
UNROOTED=(barrier allreduce allreduce_large scan exscan reduce_scatter allgather
          allgather_large alltoall alltoall_large)

# fin N SKEW_US KIND ORDER ROOT [mprun options]
fin() {
    local n=$1 skew=$2 kind=$3 order=$4 root=$5
    shift 5
    job "$n" "$@" -- coll_fin "$kind" "$order" "$root" "$skew"
}

# A waiting rank looks at who has ended every 0.1 s (liveness.c): a skew
# of SKEW microseconds lets it see the fast ranks finalize while it waits.
SKEW=200000

case $part in
main)
    for kind in "${ROOTED[@]}" "${UNROOTED[@]}"; do
        fin 3 $SKEW "$kind" up 0
        fin 3 $SKEW "$kind" down 0
    done
    ;;
sizes)
    for n in 2 4; do
        for kind in "${ROOTED[@]}" "${UNROOTED[@]}"; do
            fin "$n" $SKEW "$kind" one 0
        done
    done
    for kind in bcast reduce gather scatter send queue; do
        fin 4 $SKEW "$kind" root 3
    done
    for kind in barrier bcast reduce allreduce gather allgather alltoall send queue; do
        fin 8 $SKEW "$kind" one 0
    done
    ;;
tcp)
    for kind in "${ROOTED[@]}" "${UNROOTED[@]}"; do
        fin 3 $SKEW "$kind" one 0 -x MPR_TRANSPORT=tcp
    done
    for kind in bcast_large reduce gather_large allreduce send queue; do
        fin 4 $SKEW "$kind" down 0 -x MPR_TRANSPORT=tcp
    done
    ;;
algs)
    # every forced algorithm, 4 ranks (3 for the large ones), one rank late
    for alg in shm shm_leader dissemination; do
        fin 4 $SKEW barrier one 0 -x MPR_COLL_BARRIER=$alg
    done
    for alg in shm binomial chain; do
        fin 4 $SKEW bcast one 0 -x MPR_COLL_BCAST=$alg
        fin 3 $SKEW bcast_large one 0 -x MPR_COLL_BCAST=$alg
    done
    for alg in shm binomial rabenseifner linear; do
        fin 4 $SKEW reduce one 0 -x MPR_COLL_REDUCE=$alg
        fin 3 $SKEW reduce_large one 2 -x MPR_COLL_REDUCE=$alg
    done
    for alg in shm recursive_doubling rabenseifner ring reduce_bcast; do
        fin 4 $SKEW allreduce one 0 -x MPR_COLL_ALLREDUCE=$alg
        fin 3 $SKEW allreduce_large one 0 -x MPR_COLL_ALLREDUCE=$alg
    done
    for alg in binomial linear; do
        fin 4 $SKEW gather one 0 -x MPR_COLL_GATHER=$alg
        fin 3 $SKEW gather_large root 2 -x MPR_COLL_GATHER=$alg
        fin 4 $SKEW scatter one 0 -x MPR_COLL_SCATTER=$alg
        fin 3 $SKEW scatter_large one 1 -x MPR_COLL_SCATTER=$alg
    done
    for alg in bruck ring; do
        fin 4 $SKEW allgather one 0 -x MPR_COLL_ALLGATHER=$alg
        fin 3 $SKEW allgather_large one 0 -x MPR_COLL_ALLGATHER=$alg
    done
    for alg in linear pairwise; do
        fin 4 $SKEW alltoall one 0 -x MPR_COLL_ALLTOALL=$alg
        fin 3 $SKEW alltoall_large one 0 -x MPR_COLL_ALLTOALL=$alg
    done
    # tiny shared-memory slots (a bcast wraps the ring); every rank sleeping
    fin 3 $SKEW bcast_large one 0 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2
    fin 3 $SKEW reduce one 0 -x MPR_SPIN=0 -x MPR_YIELDS=0
    fin 3 $SKEW reduce_large up 0 -x MPR_SPIN=0 -x MPR_YIELDS=0
    # the checking mode's exchange before each collective and finalize
    fin 3 $SKEW reduce one 0 -x MPR_CHECK=1
    fin 3 $SKEW bcast_large up 0 -x MPR_CHECK=1
    ;;
*)
    fail "unknown COLL_FIN_PART $part"
    ;;
esac

no_leftovers
finish
