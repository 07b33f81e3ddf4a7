#!/bin/bash
# pipe_multihost.sh - pipes between ranks of hosts made of network
# namespaces (netns_setup.sh; SKIP without root): obj_pipe basic (order,
# sizes up to 4 MiB, truncate-then-retry, poll, timeouts, EOF, send after
# close, reopening, closed ends releasing large senders, finalize) and
# stress with pairs across hosts (by node) and within hosts (by slot),
# the sleeping paths, and a rank of the other host exiting without
# finalizing while its peer reads. Apart from objects_multihost.sh, which
# is close to the per-script time limit on a loaded machine.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0

# pairs (2k, 2k+1) on two hosts (by node) or on one (by slot)
across mprh0:2,mprh1:2 --map-by node -- obj_pipe basic
across mprh0:2,mprh1:2 --map-by slot -- obj_pipe basic
across mprh0:1,mprh1:1 -x MPR_SPIN=0 -x MPR_YIELDS=0 -- obj_pipe basic
across mprh0:1,mprh1:1 -- obj_pipe stress 10000
across mprh0:2,mprh1:1,mprh2:1 --map-by node -- obj_pipe stress 3000
# rank 1, on the other host, exits without finalizing while rank 0 reads
timeout -k 5 60 "${AT0[@]}" "$MH_MPRUN" --enable-recovery --timeout "$JOB_TIMEOUT" \
    --host mprh0:1,mprh1:1 "$TESTS_BIN/obj_pipe" die "$MARK" >"$TMP/die.out" 2>&1
RC=$?
LAST_OUTPUT=$(cat "$TMP/die.out")
expect_rc 1 "--host mprh0:1,mprh1:1: rank 1 exits early while rank 0 reads a pipe"
grep -q 'pipe saw MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT" && pass "rank 0 saw it" ||
    fail "rank 0 did not see rank 1 go"
no_processes_anywhere "after rank 1 died (pipe)"
no_leftovers
finish
