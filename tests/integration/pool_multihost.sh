#!/bin/bash
# pool_multihost.sh - the pool with its root and workers on different hosts
# made of network namespaces (netns_setup.sh; SKIP without root): obj_pool
# basic with workers on the root's host and on others, the sleeping paths,
# the examples, and a worker of another host exiting without finalizing in
# the middle of a map.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

across mprh0:1,mprh1:1 -- obj_pool basic
across mprh0:2,mprh1:1,mprh2:1 --map-by node -- obj_pool basic
across mprh0:1,mprh1:2 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_pool basic

# the examples, with workers on every host
for example in pool_map pool_async; do
    expect_exit 0 "--host mprh0:1,mprh1:1,mprh2:1 $example 5000" -- "${AT0[@]}" "$MH_MPRUN" \
        --timeout "$JOB_TIMEOUT" --host mprh0:1,mprh1:1,mprh2:1 "$EXAMPLES_BIN/$example" 5000
done

# rank 2, on another host, exits in the middle of a map; rank 1 goes on
timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" --enable-recovery --timeout "$JOB_TIMEOUT" \
    --host mprh0:1,mprh1:1,mprh2:1 "$TESTS_BIN/obj_pool" die "$MARK" >"$TMP/die.out" 2>&1
RC=$?
LAST_OUTPUT=$(cat "$TMP/die.out")
expect_rc 1 "--host mprh0:1,mprh1:1,mprh2:1: worker 2 exits in the middle of a map"
grep -q 'pool saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT" && pass "the root saw it" ||
    fail "the root did not see worker 2 go"
no_processes_anywhere "after worker 2 died (pool)"
no_leftovers
finish
