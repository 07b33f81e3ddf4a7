#!/bin/bash
# coll.sh - libmpr collectives: bcast from every root and size, barrier
# that really waits, collectives never matching point-to-point; without
# mprun (singleton), in larger jobs, with CMA forced on or off (programs:
# coll_bcast.c, coll_barrier.c, coll_mix.c). With 1..4 ranks over each
# transport: transports.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# Collectives compare their calls first (MPR_CHECK=1) unless the
# environment says otherwise (coll_*_unchecked.sh run with it off).
export MPR_CHECK="${MPR_CHECK-1}"

expect_exit 0 "coll_bcast without mprun (singleton)" -- \
    env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
    -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 \
    "$TESTS_BIN/coll_bcast" 1
for n in 5 6 7 8; do
    job "$n" coll_bcast "$n"
    job "$n" coll_barrier
    job "$n" coll_mix
done
job 3 -x MPR_SHM_CMA=0 -- coll_bcast 3
job 2 -x MPR_SHM_CMA=1 -- coll_bcast 2

no_leftovers
finish
