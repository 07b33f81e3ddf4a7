#!/bin/bash
# coll_fin_multihost.sh - coll_fin.c across hosts made of network
# namespaces (netns_setup.sh; SKIP when they cannot be made): ranks that
# finalize once their part is done, while a slower rank is still in the
# hierarchical collectives (shared memory on each host, host leaders over
# TCP), the point-to-point ones, a message and a queue served by its home
# rank over TCP. The one-host cases: coll_fin.sh.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=2
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
export MPR_CHECK=0

SKEW=200000
for kind in barrier bcast bcast_large reduce allreduce allreduce_large gather scatter \
            allgather alltoall scan send queue; do
    across mprh0:2,mprh1:2 -- coll_fin "$kind" one 0 $SKEW
done
for kind in bcast reduce queue; do
    across mprh0:2,mprh1:2 -- coll_fin "$kind" root 3 $SKEW
done
across mprh0:2,mprh1:2 -x MPR_COLL_BARRIER=hier -- coll_fin barrier up 0 $SKEW
across mprh0:2,mprh1:2 -x MPR_COLL_BCAST=hier -- coll_fin bcast down 0 $SKEW

no_processes_anywhere "after the jobs"
no_leftovers
finish
