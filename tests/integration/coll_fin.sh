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
# A rank killed before a reduce still fails its root, beside ranks that
# finalized (fin_die below); more deaths: coll_algs.sh, fail_rule.sh.

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

# fin_die N [mprun options]: the highest rank is killed before a reduce
# that the others enter, the fast ones finalizing: the root alone fails
# (coll_fin.c, reduce_die); every survivor reports "reduce_die ok".
fin_die() {
    local n=$1 ok
    shift
    run "$n" --enable-recovery "$@" -- coll_fin reduce_die one 0 $SKEW
    ok=$(grep -c "reduce_die ok" <<<"$LAST_OUTPUT")
    if [ "$ok" -eq "$((n - 1))" ] && ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "-n $n $* reduce_die: the root failed, the others did not (exit $RC)"
    else
        fail "-n $n $* reduce_die: $ok survivors ok, wanted $((n - 1)); output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
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
    fin_die 4
    fin_die 4 -x MPR_COLL_REDUCE=binomial
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
    fin_die 4 -x MPR_TRANSPORT=tcp
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
    for alg in bruck ring linear; do
        fin 4 $SKEW allgather one 0 -x MPR_COLL_ALLGATHER=$alg
        fin 3 $SKEW allgather_large one 0 -x MPR_COLL_ALLGATHER=$alg
    done
    for alg in linear pairwise; do
        fin 4 $SKEW alltoall one 0 -x MPR_COLL_ALLTOALL=$alg
        fin 3 $SKEW alltoall_large one 0 -x MPR_COLL_ALLTOALL=$alg
    done
    # tiny shared-memory slots (a bcast wraps the ring); every rank sleeping
    fin 3 $SKEW bcast_large one 0 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2
    fin 3 $SKEW bcast_large one 0 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2 \
        -x MPR_COLL_SHM_BIG_SLOTS=3
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
