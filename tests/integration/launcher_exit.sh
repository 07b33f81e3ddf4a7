#!/bin/bash
# mprun's exit status and its one-line verdict: codes, signals, the first
# failure stops the rest, abort, exec failures, nothing left behind.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

expect_exit 0 "all ranks exit 0" -- "$MPRUN" -n 2 true
expect_exit 0 "one rank" -- "$MPRUN" -n 1 sh -c 'exit 0'
expect_exit 3 "a rank's exit code becomes mprun's" -- "$MPRUN" -n 1 sh -c 'exit 3'
expect_line "mprun: rank 0 (pid " "the failure is reported"
expect_line "on host $(hostname -s) exited with code 3" "with host and code"
expect_count 1 '^mprun: ' "exactly one mprun line"

expect_exit 5 "the failing rank is named" -- \
    "$MPRUN" -n 3 --oversubscribe sh -c '[ "$PMIX_RANK" = 2 ] && exit 5; exit 0'
expect_line "mprun: rank 2 (pid" "rank 2 named"

expect_exit 139 "a rank killed by SIGSEGV gives 128+11" -- \
    "$MPRUN" -n 2 sh -c '[ "$PMIX_RANK" = 1 ] && kill -SEGV $$; exit 0'
expect_line "mprun: rank 1 (pid" "the killed rank is named"
expect_line "killed by signal 11 (Segmentation fault)" "with its signal"
expect_count 1 '^mprun: ' "exactly one mprun line"

# The first failure stops the others, quickly, and nothing of the job remains.
start=$(date +%s%N)
expect_exit 7 "a failure stops ranks still sleeping" -- \
    "$MPRUN" -n 4 --oversubscribe sh -c \
    "if [ \"\$PMIX_RANK\" = 3 ]; then sleep 0.3; exit 7; fi; exec $SLEEP 300"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 5000 ] && pass "stopped in ${elapsed_ms} ms" || fail "took ${elapsed_ms} ms"
expect_count 1 '^mprun: rank' "only the failure is reported, not the ranks mprun stopped"
no_processes_left "after a failure"

# Ranks that ignore SIGTERM get SIGKILL after the grace period.
expect_exit 4 "ranks ignoring SIGTERM are killed" -- \
    "$MPRUN" -n 2 sh -c \
    "trap '' TERM; if [ \"\$PMIX_RANK\" = 1 ]; then sleep 0.2; exit 4; fi; $SLEEP 300"
no_processes_left "after SIGKILL"

# Grandchildren (a rank's background jobs) go too.
expect_exit 0 "a rank leaving a background process" -- \
    "$MPRUN" -n 2 bash -c "bash -c '$SLEEP 300; true' & sleep 0.2; exit 0"
no_processes_left "background processes of ranks"

# A rank's output written before it failed comes before the verdict.
expect_exit 9 "last words" -- "$MPRUN" -n 1 sh -c 'echo "last words" >&2; exit 9'
if [ "$(printf '%s\n' "$LAST_OUTPUT" | head -1)" = "last words" ]; then
    pass "the rank's output precedes mprun's line"
else
    fail "order: $LAST_OUTPUT"
fi

# Shared-memory files of the job are removed, even when ranks are killed.
expect_exit 137 "a rank killed with SIGKILL" -- \
    "$MPRUN" -n 2 sh -c 'touch "/dev/shm/mpr-$PMIX_NAMESPACE-$PMIX_RANK"; sleep 0.2; kill -KILL $$'
no_leftovers

# A rank that connected (PMIx_Init, as mpr_init does) and exits 0 without
# finalizing fails the job: named, exit 1, the others stopped. Programs that
# never connect are not concerned.
CASES="$TESTS_BIN/pmix_client_cases"
expect_exit 1 "a rank exits 0 without PMIx_Finalize" -- \
    "$MPRUN" -n 3 --oversubscribe "$CASES" nofinalize 1 300
expect_count 1 "^mprun: rank 1 \(pid [0-9]+\) on host $(hostname -s) exited without calling mpr_finalize$" \
    "the rank is named, with its host"
expect_count 1 '^mprun: ' "exactly one mprun line"
expect_count 0 'finalizing: ok$' "the others were stopped"
expect_exit 0 "hostname never connects: exit 0" -- "$MPRUN" -n 2 hostname
expect_exit 0 "ranks that finalize" -- "$MPRUN" -n 2 "$CASES" nofinalize 99

# --enable-recovery: a failure does not end the job; every failure is named
# as it happens, and mprun exits with the first one's code.
expect_exit 1 "--enable-recovery: a rank exits without finalizing" -- \
    "$MPRUN" -n 3 --oversubscribe --enable-recovery "$CASES" nofinalize 1 1
expect_count 2 'finalizing: ok$' "the other two ran to their end"
expect_count 1 '^mprun: rank 1 .* exited without calling mpr_finalize$' "the failure is named"
# Rank 1 exits after mprun has reaped rank 0, rank 2 after rank 1: the order is fixed.
cat > "$TMP/failures.sh" <<EOS
after() { until [ -s "$TMP/pid.\$1" ]; do $SLEEP 0.01; done
          while kill -0 "\$(cat "$TMP/pid.\$1")" 2>/dev/null; do $SLEEP 0.01; done; }
echo \$\$ > "$TMP/pid.tmp.\$PMIX_RANK" && mv "$TMP/pid.tmp.\$PMIX_RANK" "$TMP/pid.\$PMIX_RANK"
case \$PMIX_RANK in
0) exit 3 ;;
1) after 0; exit 5 ;;
2) after 1; kill -TERM \$\$ ;;
*) after 2; echo "rank \$PMIX_RANK ran on" ;;
esac
EOS
expect_exit 3 "--enable-recovery: three failures" -- \
    "$MPRUN" -n 4 --oversubscribe --enable-recovery sh "$TMP/failures.sh"
expect_line "mprun: rank 0 (pid " "the first failure is named"
expect_count 1 '^mprun: rank 0 .* exited with code 3$' "rank 0 named with its code"
expect_count 1 '^mprun: rank 1 .* exited with code 5$' "rank 1 too"
expect_count 1 '^mprun: rank 2 .* killed by signal 15 ' "rank 2 too"
expect_line "rank 3 ran on" "the last rank ran to its end"
no_processes_left "after --enable-recovery"

# A program that passes the checks but cannot be executed (bad interpreter).
printf '#!/nonexistent/interpreter\n' > "$TMP/badinterp"
chmod +x "$TMP/badinterp"
expect_exit 127 "exec failure gives 127" -- "$MPRUN" -n 2 "$TMP/badinterp"
expect_line "mprun: cannot run $TMP/badinterp: No such file or directory" "exec failure message"
expect_count 1 '^mprun: ' "exactly one mprun line"

finish
