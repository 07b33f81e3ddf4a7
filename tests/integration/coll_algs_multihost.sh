#!/bin/bash
# coll_algs_multihost.sh - the hierarchical barrier and bcast across hosts
# made of network namespaces (netns_setup.sh; SKIP when they cannot be
# made): shared memory on each host, host leaders over TCP; by slot and by
# node, uneven hosts, a host with one rank, forced algorithms, split
# communicators (coll_algs.c) and the coll_*.c programs. Without
# MPR_CHECK (coll_check_multihost.sh): it costs a message between every
# pair of ranks per collective, over TCP here.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

for map in slot node; do
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_algs quick
done
across mprh0:2,mprh1:2 -- coll_barrier
across mprh0:2,mprh1:1,mprh2:2 -- coll_algs quick
across mprh0:3,mprh1:3 --oversubscribe -- coll_algs quick
across mprh0:3,mprh1:2 --oversubscribe -- coll_mix
across mprh0:2,mprh1:2 -x MPR_COLL_BARRIER=dissemination -- coll_barrier
for alg in binomial chain shm; do
    across mprh0:2,mprh1:1,mprh2:2 -x MPR_COLL_BCAST=$alg -- coll_bcast 5
done

no_processes_anywhere "after the jobs"
no_leftovers
finish
