#!/bin/bash
# p2p.sh - libmpr point-to-point: every call, ordering, truncation, large
# and many messages, without mprun (singleton), in larger jobs and with the
# cross-memory copy (CMA) forced on or off, and shared memory's wake-ups
# without membarrier (programs: p2p_*.c). With 1..4
# ranks over each transport: transports.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"


singleton p2p_basic 1
for n in 5 6 7 8; do
    job "$n" p2p_basic "$n"
done

job 8 p2p_order 2000
job 3 -x MPR_SHM_CMA=0 -- p2p_order 2000
job 8 -x MPR_SHM_CMA=0 -- p2p_order 2000
job 2 -x MPR_SHM_CMA=1 -- p2p_order 2000
# every shm sender fences before it looks whether the receiver sleeps
# (the default leaves that to the sleeper's membarrier where the kernel has it)
job 8 -x MPR_SHM_MEMBARRIER=0 -- p2p_order 2000

singleton p2p_trunc
job 2 -x MPR_SHM_CMA=0 -- p2p_trunc
job 2 -x MPR_SHM_CMA=1 -- p2p_trunc

singleton p2p_large
job 8 p2p_large
job 2 -x MPR_SHM_CMA=0 -- p2p_large
job 3 -x MPR_SHM_CMA=0 -- p2p_large
job 2 -x MPR_SHM_CMA=1 -- p2p_large

no_leftovers
finish
