#!/bin/bash
# coll_family.sh - reductions, scans and the gather family: every collective for
# 5..8 ranks, every forced algorithm, TCP, split communicators, bad input
# (programs: coll_reduce.c, coll_gather.c; each run checks one part). Every
# part with 1..4 ranks over each transport: transports.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# Collectives compare their calls first (MPR_CHECK=1) unless the
# environment says otherwise (coll_*_unchecked.sh run with it off).
export MPR_CHECK="${MPR_CHECK-1}"

singleton coll_reduce roots
singleton coll_gather all

for n in 5 6 7 8; do
    job "$n" coll_reduce types
    job "$n" coll_reduce roots
    job "$n" coll_gather all
done
job 8 coll_reduce large
for n in 5 6 8; do
    job "$n" coll_reduce scan
done
for n in 5 8; do
    job "$n" coll_reduce userop
    job "$n" coll_reduce errors
    job "$n" coll_gather errors
done
job 7 coll_reduce split
job 7 coll_gather split

# Every algorithm that can be forced, on a power of two and on other sizes.
for alg in recursive_doubling rabenseifner ring reduce_bcast shm; do
    for n in 3 6; do
        job "$n" -x MPR_COLL_ALLREDUCE=$alg -- coll_reduce roots
        job "$n" -x MPR_COLL_ALLREDUCE=$alg -- coll_reduce userop
    done
done
job 5 -x MPR_COLL_ALLREDUCE=recursive_doubling -- coll_reduce large
job 6 -x MPR_COLL_ALLREDUCE=ring -- coll_reduce large
job 7 -x MPR_COLL_REDUCE=rabenseifner -- coll_reduce large
job 4 -x MPR_COLL_ALLREDUCE=reduce_bcast -- coll_reduce large
for alg in binomial rabenseifner linear shm; do
    for n in 3 6; do
        job "$n" -x MPR_COLL_REDUCE=$alg -- coll_reduce roots
        job "$n" -x MPR_COLL_REDUCE=$alg -- coll_reduce userop
    done
    job 5 -x MPR_COLL_REDUCE=$alg -- coll_reduce errors
done
for opt in GATHER=binomial GATHER=linear SCATTER=binomial SCATTER=linear \
           ALLGATHER=bruck ALLGATHER=ring ALLGATHER=linear ALLGATHER=shm \
           ALLTOALL=linear ALLTOALL=pairwise ALLTOALL=shm; do
    for n in 3 4; do
        job "$n" -x "MPR_COLL_$opt" -- coll_gather all
    done
done
# lens that differ take the flat areas' rule (coll_shm_flat.c)
for n in 3 5; do
    job "$n" -x MPR_COLL_ALLGATHER=shm -x MPR_COLL_ALLTOALL=shm -- coll_gather flat
done

# An unknown name: one line on stderr (from rank 0), and mpr_init refuses.
run 2 -x MPR_COLL_ALLREDUCE=fastest -- coll_reduce roots
lines=$(grep -c 'MPR_COLL_ALLREDUCE=fastest is not allowed' <<<"$LAST_OUTPUT")
if [ "$RC" -ne 0 ] && [ "$lines" -ge 1 ] &&
    [ "$(grep '^mpr: ' <<<"$LAST_OUTPUT" | sort -u | wc -l)" -eq 1 ]; then
    pass "unknown MPR_COLL_ALLREDUCE refused, in one line (the same from each rank)"
else
    fail "unknown MPR_COLL_ALLREDUCE reported $lines times: $LAST_OUTPUT"
fi

# Over TCP, more ranks than transports.sh has.
job 5 -x MPR_TRANSPORT=tcp -- coll_reduce split

no_leftovers
finish
