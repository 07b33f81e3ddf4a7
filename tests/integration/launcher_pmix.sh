#!/bin/bash
# mprun's embedded PMIx server, with a client that uses the PMIx API alone:
# job size, rank, local rank, Put/Commit/Fence(collect)/Get, Finalize, Abort.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

CHECK="$TESTS_BIN/pmix_client_check"

for n in 1 2 3 4; do
    expect_exit 0 "PMIx wire-up with $n ranks" -- "$MPRUN" -n $n --oversubscribe "$CHECK"
    expect_count $n '^rank [0-9]+ of '$n': ok$' "all $n ranks report ok"
done

# With the local-only fence optimisation off, fences go through mprun's fence_nb.
expect_exit 0 "fence through the host's fence_nb" -- \
    env PMIX_MCA_pmix_server_fence_localonly_opt=0 "$MPRUN" -n 3 --oversubscribe "$CHECK"
expect_count 3 '^rank [0-9]+ of 3: ok$' "all 3 ranks report ok"

# Rank 0 finalizes and exits while the others enter a fence: the fence fails
# for them, never hangs, whichever comes first (it used to hang about half
# the time: libpmix still counted rank 0 as a participant to come). Rank 0
# waits in PMIx_Finalize up to libpmix's 2 s before it can leave.
CASES="$TESTS_BIN/pmix_client_cases"
hung=0 failed=0
for i in $(seq 20); do
    timeout -k 5 30 "$MPRUN" -n 4 --oversubscribe "$CASES" fence-gone >"$TMP/fence.out" 2>&1
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        hung=$((hung + 1))
    elif [ $rc -ne 0 ] || [ "$(grep -c 'the fence failed without rank 0: ok$' "$TMP/fence.out")" -ne 3 ]; then
        failed=$((failed + 1))
        tail -5 "$TMP/fence.out" >&2
    fi
done
[ $hung -eq 0 ] && pass "a fence over a rank that finalized never hung (20 runs)" ||
    fail "a fence over a rank that finalized hung $hung times in 20"
[ $failed -eq 0 ] && pass "and failed in each of the 3 others, every time" ||
    fail "it did not fail cleanly $failed times in 20"
# The same when rank 0 dies (exit 3, no finalize) and --enable-recovery
# keeps the others running.
bad=0
for i in $(seq 10); do
    timeout -k 5 30 "$MPRUN" -n 4 --oversubscribe --enable-recovery "$CASES" fence-die \
        >"$TMP/fence.out" 2>&1
    rc=$?
    if [ $rc -ne 3 ] || [ "$(grep -c 'the fence failed without rank 0: ok$' "$TMP/fence.out")" -ne 3 ]; then
        bad=$((bad + 1))
        tail -5 "$TMP/fence.out" >&2
    fi
done
[ $bad -eq 0 ] && pass "a fence over a rank that died fails for the 3 others (10 runs, exit 3)" ||
    fail "a fence over a rank that died: $bad bad runs of 10"
# The others enter the fence long after rank 0 has gone.
expect_exit 0 "a fence over a rank gone long before" -- \
    "$MPRUN" -n 3 --oversubscribe "$CASES" fence-gone 3
expect_count 2 'the fence failed without rank 0: ok$' "both others saw it fail"

# Publish, fence, lookup by every rank; a key never published is not found;
# unpublish, and it is gone. A lookup with PMIX_WAIT is answered once the
# key is published. Query answers what mprun knows, and refuses the rest at
# once. PMIx_Log is one line on mprun's stderr, naming the rank.
expect_exit 0 "PMIx_Publish, _Lookup, _Unpublish" -- "$MPRUN" -n 3 --oversubscribe "$CASES" publish
expect_count 3 'lookup of a published key: ok$' "every rank found the key"
expect_count 3 'lookup of a key never published: ok$' "and not one never published"
expect_count 3 'lookup of an unpublished key: ok$' "nor the key once unpublished"
expect_exit 0 "PMIx_Lookup with PMIX_WAIT" -- "$MPRUN" -n 4 --oversubscribe "$CASES" lookup-wait
expect_count 3 'lookup with PMIX_WAIT: ok$' "the 3 waiting ranks got the key"
expect_exit 0 "PMIx_Query_info" -- "$MPRUN" -n 2 "$CASES" query
expect_count 2 'query of the namespaces: ok$' "the namespace"
expect_count 2 'query of the job size: ok$' "the job size"
expect_count 2 'query of something mprun does not serve: ok$' "refused at once"
expect_exit 0 "PMIx_Log" -- "$MPRUN" -n 2 "$CASES" log
expect_count 1 '^mprun: rank 0: a log line from rank 0$' "rank 0's line"
expect_count 1 '^mprun: rank 1: a log line from rank 1$' "rank 1's line"
# Calls mprun does not serve come back with an error at once, never hang.
expect_exit 0 "calls mprun does not serve" -- "$MPRUN" -n 2 "$CASES" unsupported
expect_count 10 'refused \(.*\): ok$' "5 calls refused on each rank"
expect_count 2 'PMIx_Connect returned' "PMIx_Connect within the job returns"

# PMIx_Abort ends the job with the abort's code; ranks blocked in a fence die.
start=$(date +%s%N)
expect_exit 7 "PMIx_Abort(7)" -- "$MPRUN" -n 3 --oversubscribe "$CHECK" abort 7
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_line "mprun: rank 2 aborted the job with code 7" "the abort is reported"
expect_count 1 '^mprun: ' "and nothing else from mprun"
[ "$elapsed_ms" -lt 5000 ] && pass "aborted in ${elapsed_ms} ms" || fail "abort took ${elapsed_ms} ms"
expect_exit 0 "PMIx_Abort(0)" -- "$MPRUN" -n 2 "$CHECK" abort 0
expect_line "aborted the job with code 0" "abort with 0 is reported"

# The per-job directory of the PMIx server is removed.
mkdir "$TMP/tmpdir"
expect_exit 0 "a job with TMPDIR set" -- env TMPDIR="$TMP/tmpdir" "$MPRUN" -n 2 "$CHECK"
[ -z "$(ls -A "$TMP/tmpdir")" ] && pass "the server's directory is removed" ||
    fail "left in TMPDIR: $(ls -A "$TMP/tmpdir")"
expect_exit 139 "a crashing client" -- env TMPDIR="$TMP/tmpdir" "$MPRUN" -n 2 sh -c \
    "\"$CHECK\" && [ \"\$PMIX_RANK\" = 1 ] && kill -SEGV \$\$; exit 0"
[ -z "$(ls -A "$TMP/tmpdir")" ] && pass "removed after a crash too" ||
    fail "left in TMPDIR: $(ls -A "$TMP/tmpdir")"
no_leftovers

finish
