#!/bin/bash
# Output forwarding (whole lines, never mixed between ranks), --tag-output,
# stdin to rank 0, -x, MPR_OVERSUBSCRIBED and the oversubscription warning.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

# Each rank writes LINES lines of 1-2 KiB (LINES_WRITER, launcher_lib.sh):
# mprun must put them together.
timeout 120 "$MPRUN" -n 4 --oversubscribe awk -v n=$LINES "$LINES_WRITER" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "4 ranks writing $LINES long lines each" || fail "exit $rc"
expect_intact_lines "$TMP"

# Bytes pass through unchanged: a 300 KiB line without a newline at the end.
head -c 300000 /dev/urandom | base64 -w 0 > "$TMP/big"
timeout 60 "$MPRUN" -n 1 cat "$TMP/big" > "$TMP/big.out"
cmp -s "$TMP/big" "$TMP/big.out" && pass "a long unterminated line passes unchanged" ||
    fail "the long line was altered"

# A reader that goes away ends the ranks' output too, as in a shell pipeline.
timeout 30 "$MPRUN" -n 2 yes 2>/dev/null | head -1 > "$TMP/head"
rc=${PIPESTATUS[0]}
out=$(cat "$TMP/head")
[ "$out" = y ] && [ "$rc" -eq 141 ] && pass "mprun ... | head ends the job (exit $rc)" ||
    fail "mprun ... | head: exit $rc, output '$out'"

# --tag-output
expect_exit 0 "--tag-output" -- "$MPRUN" -n 2 --tag-output sh -c \
    'echo "out $PMIX_RANK"; echo "err $PMIX_RANK" >&2; printf "partial $PMIX_RANK"'
expect_line "[0] out 0" "rank 0's stdout tagged"
expect_line "[1] err 1" "rank 1's stderr tagged"
expect_count 2 '^\[[01]\] partial [01]$' "unterminated last lines tagged and ended"
out=$(timeout 30 "$MPRUN" -n 2 sh -c 'echo "plain $PMIX_RANK"' 2>&1)
case "$out" in *"["*) fail "untagged output has tags: $out" ;; *) pass "no tags by default" ;; esac

# stdin goes to rank 0, EOF included; the others read /dev/null.
seq 1 20000 > "$TMP/in"
out=$(timeout 30 "$MPRUN" -n 2 sh -c \
    'if [ "$PMIX_RANK" = 0 ]; then md5sum; else echo "rank1 read $(wc -c)"; fi' < "$TMP/in")
expect=$(md5sum < "$TMP/in")
LAST_OUTPUT=$out
expect_line "$expect" "rank 0 reads all of stdin, then EOF"
expect_line "rank1 read 0" "rank 1 reads nothing"
out=$(echo hello | timeout 30 "$MPRUN" -n 1 sh -c 'read a; echo "got $a"; read b || echo eof')
[ "$out" = "$(printf 'got hello\neof')" ] && pass "stdin from a pipe" || fail "stdin: $out"
out=$(timeout 30 "$MPRUN" -n 1 sh -c 'cat; echo end' < /dev/null)
[ "$out" = end ] && pass "stdin from /dev/null" || fail "stdin from /dev/null: $out"
out=$(timeout 30 "$MPRUN" -n 1 sh -c 'cat; echo end' <&-)
[ "$out" = end ] && pass "closed stdin" || fail "closed stdin: $out"
expect_exit 0 "rank 0 that ignores stdin" -- sh -c "yes | head -c 2000000 | '$MPRUN' -n 2 true"
expect_exit 0 "rank 0 that closes stdin" -- sh -c "yes | '$MPRUN' -n 1 sh -c 'exec 0<&-; sleep 0.2'"

# -x VAR and -x VAR=value
out=$(MPRTEST_A=from-mprun timeout 30 "$MPRUN" -n 2 -x MPRTEST_A -x MPRTEST_B=given -x MPRTEST_C=1 \
    -x MPRTEST_C=2 sh -c 'echo "$PMIX_RANK $MPRTEST_A $MPRTEST_B $MPRTEST_C"' | sort)
[ "$out" = "$(printf '0 from-mprun given 2\n1 from-mprun given 2')" ] && pass "-x" || fail "-x: $out"
out=$(MPRTEST_B=old timeout 30 "$MPRUN" -n 1 -x MPRTEST_B=new sh -c 'env | grep -c ^MPRTEST_B=')
[ "$out" = 1 ] && pass "-x VAR=value replaces VAR" || fail "MPRTEST_B appears $out times"
out=$(PMIX_NAMESPACE=outer PMIX_RANK=9 PMIX_SERVER_URI4=bogus timeout 30 "$MPRUN" -n 1 \
    sh -c 'echo "$PMIX_RANK $PMIX_NAMESPACE $PMIX_SERVER_URI4 $PMIX_MCA_gds $PMIX_MCA_psec"')
case "$out" in "0 mprun-"*"tcp4://127.0.0.1:"*" hash native") pass "outer PMIX_* replaced" ;;
    *) fail "environment: $out" ;; esac

# Oversubscription: one warning, silenced by --oversubscribe; the ranks know.
n=$(($(nproc) + 2)) # more than cores, even with hyperthreads
expect_exit 0 "$n ranks" -- "$MPRUN" -n $n sh -c 'test "$MPR_OVERSUBSCRIBED" = 1'
expect_count 1 "^mprun: warning: $n ranks on [0-9]+ cores: oversubscribed \(use --oversubscribe to silence\)$" \
    "one oversubscription warning"
expect_count 1 '.' "and nothing else"
expect_exit 0 "--oversubscribe" -- "$MPRUN" -n $n --oversubscribe sh -c 'test "$MPR_OVERSUBSCRIBED" = 1'
[ -z "$LAST_OUTPUT" ] && pass "--oversubscribe silences the warning" || fail "output: $LAST_OUTPUT"
expect_exit 0 "no oversubscription" -- env MPR_OVERSUBSCRIBED=1 "$MPRUN" -n 1 \
    sh -c 'test -z "$MPR_OVERSUBSCRIBED"'
[ -z "$LAST_OUTPUT" ] && pass "no warning when ranks fit" || fail "output: $LAST_OUTPUT"

finish
