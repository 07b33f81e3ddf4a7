#!/bin/bash
# Multi-host jobs (hosts made of network namespaces): output of ranks on
# other hosts comes back in whole lines (--tag-output too), stdin reaches
# rank 0 on another host, --report-bindings comes from every host, -x and
# the working directory reach the other hosts, 'mprun | head' still ends
# the job.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

# Each rank writes LINES lines of 1-2 KiB (LINES_WRITER, launcher_lib.sh);
# two of the four ranks run on other hosts.
timeout 120 "${AT0[@]}" "$MH_MPRUN" --timeout 100 --host mprh0:2,mprh1,mprh2 awk -v n=$LINES \
    "$LINES_WRITER" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "4 ranks on 3 hosts writing $LINES long lines each" || fail "exit $rc"
expect_intact_lines "$TMP"

# Bytes pass through unchanged from another host: a 300 KiB unterminated line.
head -c 300000 /dev/urandom | base64 -w 0 > "$TMP/big"
timeout 60 "${AT0[@]}" "$MH_MPRUN" --timeout 50 --host mprh1 cat "$TMP/big" > "$TMP/big.out"
cmp -s "$TMP/big" "$TMP/big.out" && pass "a long unterminated line from another host passes unchanged" ||
    fail "the long line was altered"

# --tag-output, and last lines without a newline.
expect_exit 0 "--tag-output across hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 --tag-output \
    --host mprh0,mprh1,mprh2 sh -c \
    'echo "out $PMIX_RANK $(hostname)"; echo "err $PMIX_RANK" >&2; printf "partial $PMIX_RANK"'
expect_line "[1] out 1 mprh1" "a remote rank's stdout tagged"
expect_line "[2] err 2" "a remote rank's stderr tagged"
expect_count 3 '^\[[0-2]\] partial [0-2]$' "unterminated last lines tagged and ended"

# A remote rank's last words come before mprun's verdict on it.
expect_exit 9 "last words from another host" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh1 sh -c 'echo "last words" >&2; exit 9'
[ "$(printf '%s\n' "$LAST_OUTPUT" | head -1)" = "last words" ] &&
    pass "the remote rank's output precedes mprun's line" || fail "order: $LAST_OUTPUT"

# stdin goes to rank 0 on another host, EOF included; the others read nothing.
seq 1 20000 > "$TMP/in"
expect=$(md5sum < "$TMP/in")
out=$(timeout 60 "${AT0[@]}" "$MH_MPRUN" --timeout 50 --host mprh1,mprh2 sh -c \
    'if [ "$PMIX_RANK" = 0 ]; then md5sum; else echo "rank1 read $(wc -c)"; fi' < "$TMP/in")
LAST_OUTPUT=$out
expect_line "$expect" "rank 0 on another host reads all of stdin (a file), then EOF"
expect_line "rank1 read 0" "rank 1 reads nothing"
out=$(seq 1 20000 | timeout 60 "${AT0[@]}" "$MH_MPRUN" --timeout 50 --host mprh1 md5sum)
[ "$out" = "$expect" ] && pass "stdin from a pipe to another host" || fail "stdin from a pipe: $out"
out=$(echo hello | timeout 30 "${AT0[@]}" "$MH_MPRUN" --timeout 20 --host mprh2 sh -c \
    'read a; echo "got $a"; read b || echo eof')
[ "$out" = "$(printf 'got hello\neof')" ] && pass "a line, then EOF" || fail "stdin: $out"
out=$(timeout 30 "${AT0[@]}" "$MH_MPRUN" --timeout 20 --host mprh1 sh -c 'cat; echo end' </dev/null)
[ "$out" = end ] && pass "stdin from /dev/null" || fail "stdin from /dev/null: $out"
expect_exit 0 "rank 0 that ignores stdin" -- sh -c \
    "yes | head -c 2000000 | ${AT0[*]@Q} '$MH_MPRUN' --timeout 30 --host mprh1,mprh2 true"

# --report-bindings: one line per rank, from the host it runs on.
expect_exit 0 "--report-bindings across hosts" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --report-bindings --host mprh0,mprh1:2,mprh2 true
for r in 0 1 2 3; do
    host=mprh$(( r == 0 ? 0 : r == 3 ? 2 : 1 ))
    expect_count 1 "^mprun: rank $r on host $host (bound to cores [0-9,-]+ \(cpus [0-9,-]+\)|not bound)$" \
        "binding report of rank $r from $host"
done

# -x settings and the working directory reach the other hosts.
mkdir -p "$TMP/work dir"
out=$(cd "$TMP/work dir" && MPRTEST_A=from-mprun timeout 60 "${AT0[@]}" "$MH_MPRUN" --timeout 50 \
    -x MPRTEST_A -x MPRTEST_B=given --host mprh0,mprh1 sh -c \
    'echo "$PMIX_RANK $(hostname) $MPRTEST_A $MPRTEST_B $(pwd)"' | sort)
[ "$out" = "$(printf '0 mprh0 from-mprun given %s\n1 mprh1 from-mprun given %s' "$TMP/work dir" "$TMP/work dir")" ] &&
    pass "-x and the working directory on every host" || fail "-x/cwd: $out"

# A reader that goes away ends remote ranks' output too (SIGPIPE there).
timeout 30 "${AT0[@]}" "$MH_MPRUN" --timeout 20 --host mprh1,mprh2 yes 2>/dev/null | head -1 > "$TMP/head"
rc=${PIPESTATUS[0]}
out=$(cat "$TMP/head")
[ "$out" = y ] && [ "$rc" -eq 141 ] && pass "mprun ... | head ends remote ranks (exit $rc)" ||
    fail "mprun ... | head: exit $rc, output '$out'"

no_processes_anywhere "after the output tests"
no_leftovers
finish
