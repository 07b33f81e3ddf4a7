#!/bin/bash
# coll_check_multihost.sh - the collective checking mode (MPR_CHECK=1,
# coll_check.c) on hosts made of network namespaces (netns_setup.sh; SKIP
# when they cannot be made): mismatches found and reported on every rank
# of every host, over shared memory and TCP together; matching calls pass.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

across mprh0:2,mprh1:1,mprh2:2 -x MPR_CHECK=1 -- coll_check mismatches
across mprh0:2,mprh1:2 --map-by node -x MPR_CHECK=1 -- coll_check mismatches
across mprh0:1,mprh1:2 -x MPR_CHECK=1 -- coll_check matching
across mprh0:2,mprh1:2 --map-by node -x MPR_CHECK=1 -- obj_queue basic

no_processes_anywhere "after the jobs"
no_leftovers
finish
