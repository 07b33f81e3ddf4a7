#!/bin/bash
# tcp_multihost.sh - libmpr across hosts made of network namespaces
# (netns_setup.sh): ranks of one host talk through shared memory, ranks of
# different hosts through TCP, in the same job. The point-to-point and
# collective programs (wildcards across both transports, ordering, large
# and truncated messages) and tcp_stress, by slot and by node, with 2 and 3
# hosts, and oversubscribed (ranks sleep, woken by either transport).
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

# TCP is really in use between hosts: a bad interface fails mpr_init there
expect_exit 1 "--host mprh0:1,mprh1:1 -x MPR_TCP_IF=mpr-no-such-if0 p2p_basic 2 fails" -- \
    "${AT0[@]}" "$MH_MPRUN" --timeout "$JOB_TIMEOUT" --host mprh0:1,mprh1:1 \
    -x MPR_TCP_IF=mpr-no-such-if0 "$TESTS_BIN/p2p_basic" 2
expect_line "MPR_TCP_IF=mpr-no-such-if0 is not allowed: the name of a network interface" "it says why"

# 2 hosts x 2 ranks: by slot (0,1 | 2,3) and by node (0,2 | 1,3)
for map in slot node; do
    across mprh0:2,mprh1:2 --map-by "$map" -- p2p_basic 4
    across mprh0:2,mprh1:2 --map-by "$map" -- p2p_order 1000
    across mprh0:2,mprh1:2 --map-by "$map" -- p2p_trunc
    across mprh0:2,mprh1:2 --map-by "$map" -- p2p_large
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_bcast 4
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_barrier
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_mix
done
across mprh0:2,mprh1:2 --map-by node -x MPR_TCP_IF=eth0 -- tcp_stress 2
across mprh0:2,mprh1:2 -x MPR_TCP_EAGER_LIMIT=0 -- p2p_order 300
# 3 hosts, one of them with a single rank
across mprh0:2,mprh1:1,mprh2:2 -- p2p_basic 5
across mprh0:2,mprh1:1,mprh2:2 -- coll_bcast 5
across mprh0:2,mprh1:1,mprh2:2 -- tcp_stress 2
# communicators and the reduction/gather family across hosts
for map in slot node; do
    across mprh0:2,mprh1:2 --map-by "$map" -- comm_split
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_reduce roots
    across mprh0:2,mprh1:2 --map-by "$map" -- coll_gather all
done
across mprh0:2,mprh1:1,mprh2:2 -- coll_reduce types
across mprh0:2,mprh1:1,mprh2:2 -- coll_reduce large
across mprh0:2,mprh1:1,mprh2:2 -- coll_reduce split
across mprh0:2,mprh1:1,mprh2:2 -- coll_reduce scan
across mprh0:2,mprh1:1,mprh2:2 -- coll_gather split
across mprh0:2,mprh1:1,mprh2:2 -- comm_split
# more ranks than cores on each host: ranks sleep and are woken by a
# doorbell (shm) or a socket (TCP)
across mprh0:3,mprh1:3 --oversubscribe -- p2p_order 300
across mprh0:3,mprh1:3 --oversubscribe -- coll_mix
across mprh0:3,mprh1:3 --oversubscribe -- tcp_stress 2

no_processes_anywhere "after the jobs"
no_leftovers
finish
