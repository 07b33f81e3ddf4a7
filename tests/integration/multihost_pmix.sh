#!/bin/bash
# Multi-host jobs (hosts made of network namespaces, see netns_setup.sh):
# the PMIx wire-up across hosts with the PMIx client API alone (job size,
# local peers, Put/Commit/Fence with data collected across the daemons, Get
# of a key of a rank on another host), --host, --hostfile, --map-by slot and
# node, the first mprun running ranks or only coordinating, PMIx_Abort.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=4
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

# check_wireup N WHAT mprun-arguments...: N ranks all report ok, on the
# hosts expected (EXPECT: "rank host" lines), with their host's peers.
check_wireup() {
    local n=$1 what=$2
    shift 2
    expect_exit 0 "$what" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 "$@" "$CHECK" hosts
    expect_count "$n" "^rank [0-9]+ of $n on mprh[0-9] with local peers [0-9,]+: ok$" \
        "$what: all $n ranks ok"
    local got
    got=$(printf '%s\n' "$LAST_OUTPUT" | sed -n 's/^rank \([0-9]*\) of .* on \(mprh[0-9]\) .*/\1 \2/p' |
        sort -n | tr '\n' ' ')
    [ "$got" = "$EXPECT" ] && pass "$what: placement $got" || fail "$what: placement '$got', wanted '$EXPECT'"
}

# Two hosts, by slot: 0,1 on mprh0 and 2,3 on mprh1; rank 1's neighbour is remote.
EXPECT="0 mprh0 1 mprh0 2 mprh1 3 mprh1 "
check_wireup 4 "2 hosts by slot" --host mprh0:2,mprh1:2
expect_line "rank 2 of 4 on mprh1 with local peers 2,3: ok" "local peers of mprh1"
# By node: every neighbour is on another host.
EXPECT="0 mprh0 1 mprh1 2 mprh0 3 mprh1 "
check_wireup 4 "2 hosts by node" --host mprh0:2,mprh1:2 --map-by node
expect_line "rank 1 of 4 on mprh1 with local peers 1,3: ok" "local peers by node"
# Three hosts, one rank each, -n from the slots.
EXPECT="0 mprh0 1 mprh1 2 mprh2 "
check_wireup 3 "3 hosts, -n from the slots" --host mprh0,mprh1,mprh2
# Uneven hosts, and the first mprun's host listed last.
EXPECT="0 mprh1 1 mprh1 2 mprh1 3 mprh2 4 mprh0 "
check_wireup 5 "first mprun's host listed last" --host mprh1:3,mprh2,mprh0
# The first mprun on a host not in the list: it only coordinates.
EXPECT="0 mprh1 1 mprh2 2 mprh3 3 mprh1 4 mprh2 5 mprh3 "
check_wireup 6 "coordinator only, 3 other hosts" --host mprh1:2,mprh2:2,mprh3:2 --map-by node
# Hosts by address.
EXPECT="0 mprh0 1 mprh1 "
check_wireup 2 "hosts given by address" --host "$(netns_address 0),$(netns_address 1)"
# A hostfile; ranks beyond the slots: oversubscribed, with a warning.
printf '# the test hosts\nmprh0 slots=1\n\n  mprh1   slots=2  # two\nmprh2\n' > "$TMP/hostfile"
EXPECT="0 mprh0 1 mprh1 2 mprh1 3 mprh2 "
check_wireup 4 "hostfile" --hostfile "$TMP/hostfile"
EXPECT="0 mprh0 1 mprh0 2 mprh1 3 mprh1 4 mprh1 5 mprh2 6 mprh2 "
check_wireup 7 "more ranks than slots" --hostfile "$TMP/hostfile" -n 7
expect_line "mprun: warning: 7 ranks on 4 slots: oversubscribed (use --oversubscribe to silence)" \
    "oversubscription warning"
expect_exit 0 "--oversubscribe" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 --hostfile "$TMP/hostfile" \
    -n 7 --oversubscribe sh -c 'test "$MPR_OVERSUBSCRIBED" = 1 || [ "$(hostname)" = mprh2 ]'
expect_count 0 '^mprun: ' "no warning with --oversubscribe"

# The daemons were started through the agent, with the secret kept off
# their command line.
grep -q "^mprh1 $MH_MPRUN --daemon [0-9]" "$MPRTEST_AGENT_LOG" &&
    pass "daemons started as 'AGENT HOST MPRUN --daemon ...'" ||
    fail "agent log: $(head -3 "$MPRTEST_AGENT_LOG")"
secret_seen=$(awk '{ for (i = 1; i <= NF; i++) if (length($i) >= 64) print $i }' "$MPRTEST_AGENT_LOG")
[ -z "$secret_seen" ] && pass "no secret on the daemons' command line" || fail "secret in: $secret_seen"

# The local host may also be named localhost; the other hosts keep their names.
EXPECT="0 mprh0 1 mprh1 "
check_wireup 2 "localhost and another host" --host localhost,mprh1

# PMIx_Abort on another host ends the job with its code; ranks in a fence die.
start=$(date +%s%N)
expect_exit 7 "PMIx_Abort(7) on another host" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh0,mprh1,mprh2 "$CHECK" abort 7
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_line "mprun: rank 2 aborted the job with code 7: pmix_client_check was asked to abort" \
    "the abort is reported"
expect_count 1 '^mprun: ' "and nothing else from mprun"
[ "$elapsed_ms" -lt 8000 ] && pass "aborted in ${elapsed_ms} ms" || fail "abort took ${elapsed_ms} ms"
no_processes_anywhere "after an abort"

# With libpmix's local-only shortcut off on every host (as for one host in
# launcher_pmix.sh), the fence still completes through the daemons.
expect_exit 0 "fence with the local-only shortcut off" -- "${AT0[@]}" env \
    PMIX_MCA_pmix_server_fence_localonly_opt=0 "$MH_MPRUN" --timeout 60 -x \
    PMIX_MCA_pmix_server_fence_localonly_opt --host mprh0:2,mprh1:2 "$CHECK"
expect_count 4 '^rank [0-9]+ of 4: ok$' "all ranks ok"
no_processes_anywhere "after the wire-up jobs"

# Rank 0 finalizes and leaves while the others fence: the fence fails on
# every host, never hangs; rank 0 alone on its host (that host contributes
# nothing), on a daemon's host, or beside another participant.
CASES="$TESTS_BIN/pmix_client_cases"
for hosts in mprh0,mprh1,mprh2 mprh1,mprh0,mprh2 mprh0:2,mprh1:2 mprh1:2,mprh0:2; do
    n=$(( $(tr ',' '\n' <<<"$hosts" | sed -n 's/.*:\([0-9]*\)$/\1/p' | paste -sd+ | sed 's/^$/0/') +
          $(tr ',' '\n' <<<"$hosts" | grep -vc ':') ))
    expect_exit 0 "a fence over a rank that left, --host $hosts" -- "${AT0[@]}" "$MH_MPRUN" \
        --timeout 60 --host "$hosts" "$CASES" fence-gone
    expect_count $((n - 1)) 'the fence failed without rank 0: ok$' "--host $hosts: $((n - 1)) ranks saw it fail"
done
expect_exit 3 "a fence over a rank that died, --enable-recovery" -- "${AT0[@]}" "$MH_MPRUN" \
    --timeout 60 --enable-recovery --host mprh0:2,mprh1:2 "$CASES" fence-die
expect_count 3 'the fence failed without rank 0: ok$' "the 3 others saw it fail"
no_processes_anywhere "after the fences without rank 0"

# The job's published data is kept by the first mprun for every host, even
# when it runs no rank; queries and logs are served on each host.
for hosts in mprh0,mprh1,mprh2 mprh1:2,mprh2; do
    expect_exit 0 "publish, lookup, unpublish, --host $hosts" -- "${AT0[@]}" "$MH_MPRUN" \
        --timeout 60 --host "$hosts" "$CASES" publish
    expect_count 3 'lookup of an unpublished key: ok$' "--host $hosts: every step on every rank"
    expect_exit 0 "lookup with PMIX_WAIT, --host $hosts" -- "${AT0[@]}" "$MH_MPRUN" \
        --timeout 60 --host "$hosts" "$CASES" lookup-wait
    expect_count 2 'lookup with PMIX_WAIT: ok$' "--host $hosts: both waiting ranks got it"
done
expect_exit 0 "query on other hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh0,mprh1 "$CASES" query
expect_count 2 'query of the job size: ok$' "the job size on both hosts"
expect_exit 0 "log on other hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh0,mprh1,mprh2 "$CASES" log
expect_count 1 '^mprun: rank 2: a log line from rank 2$' "a remote rank's line, named"
no_processes_anywhere "after publish, lookup, query and log"

# libmpr's own programs across hosts, once the library speaks TCP between hosts.
if [ -e "$TOP_SRCDIR/runtime/tcp.c" ] && [ -x "$EXAMPLES_BIN/ring" ] && [ -x "$EXAMPLES_BIN/bcast" ]; then
    expect_exit 0 "examples/ring on 2 hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
        --host mprh0:2,mprh1:2 --map-by node -x MPR_TCP_IF=eth0 "$EXAMPLES_BIN/ring"
    expect_line "token came back as 4 after 4 ranks: ok" "the token went around"
    expect_exit 0 "examples/bcast on 3 hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
        --host mprh0:2,mprh1:2,mprh2:2 "$EXAMPLES_BIN/bcast"
    expect_count 6 '^bcast: rank [0-5]: .* all ok$' "every rank got every broadcast"
    no_processes_anywhere "after the examples"
else
    echo "note: libmpr has no TCP transport here: examples across hosts not run"
fi
no_leftovers
finish
