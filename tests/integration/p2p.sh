#!/bin/bash
# p2p.sh - libmpr point-to-point: every call, ordering, truncation, large
# and many messages, for several job sizes (programs: p2p_*.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"


singleton p2p_basic 1
for n in 1 2 3 4 5 6 7 8; do
    job "$n" p2p_basic "$n"
done

for n in 2 3 4 8; do
    job "$n" p2p_order 2000
done
job 3 -x MPR_SHM_CMA=0 -- p2p_order 2000
job 8 -x MPR_SHM_CMA=0 -- p2p_order 2000
job 2 -x MPR_SHM_CMA=1 -- p2p_order 2000

singleton p2p_trunc
for n in 1 2 3; do
    job "$n" p2p_trunc
done
job 2 -x MPR_SHM_CMA=0 -- p2p_trunc
job 2 -x MPR_SHM_CMA=1 -- p2p_trunc

singleton p2p_large
for n in 1 2 3 4 8; do
    job "$n" p2p_large
done
job 2 -x MPR_SHM_CMA=0 -- p2p_large
job 3 -x MPR_SHM_CMA=0 -- p2p_large
job 2 -x MPR_SHM_CMA=1 -- p2p_large

no_leftovers
finish
