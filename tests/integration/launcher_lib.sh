# Helpers shared by the launcher_*.sh tests (sourced after lib.sh).
#
# Jobs started by these tests sleep with $SLEEP, a link to sleep(1) whose
# name carries a marker unique to this test run: "is anything of the job
# still running?" is then a pgrep away, even for grandchildren of ranks.
MARK="mprtest_$$_${RANDOM}"
TMP=$(mktemp -d)
trap 'pkill -KILL -f "$MARK" 2>/dev/null; rm -rf "$TMP"' EXIT
SLEEP="$TMP/sleep-$MARK"
ln -s "$(command -v sleep)" "$SLEEP"

# no_processes_left WHAT: no process has the marker in its command line
# (zombies have none, so they do not count).
no_processes_left() {
    local left
    left=$(pgrep -f "$MARK" || true)
    if [ -n "$left" ]; then
        fail "$1: processes left: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" 2>/dev/null)"
        pkill -KILL -f "$MARK" 2>/dev/null
    else
        pass "$1: no process left"
    fi
}

# wait_for_sleepers COUNT: until COUNT $SLEEP processes run (10 s at most).
wait_for_sleepers() {
    local i
    for i in $(seq 100); do
        [ "$(pgrep -fc "^$SLEEP")" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "only $(pgrep -fc "^$SLEEP") of $1 sleepers started"
    return 1
}

# expect_line TEXT DESCRIPTION: LAST_OUTPUT holds a line containing TEXT.
expect_line() {
    if printf '%s\n' "$LAST_OUTPUT" | grep -qF -- "$1"; then
        pass "$2"
    else
        fail "$2: no line with '$1' in:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
}

# expect_count N PATTERN DESCRIPTION: N lines of LAST_OUTPUT match PATTERN (ERE).
expect_count() {
    local n
    n=$(printf '%s\n' "$LAST_OUTPUT" | grep -cE -- "$2")
    if [ "$n" -eq "$1" ]; then
        pass "$3"
    else
        fail "$3: $n lines match '$2', wanted $1, in:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
}

# Each rank of a 4-rank job run as `awk -v n=$LINES "$LINES_WRITER"` writes
# LINES lines of 1-2 KiB to stdout and to stderr; awk's buffered writes cut
# lines anywhere, so mprun must put them together.
LINES=3000
LINES_WRITER='BEGIN {
    r = ENVIRON["PMIX_RANK"]; pad = "";
    for (k = 0; k < 2048; k++) pad = pad "x";
    for (i = 0; i < n; i++) {
        len = 1024 + (i * 37 + r * 101) % 1024;
        line = r ":" i ":" substr(pad, 1, len) ":end";
        print line; print line > "/dev/stderr";
    }
}'

# check_lines FILE: every line intact, each rank's lines all there and in order.
check_lines() {
    awk -v n=$LINES -F: '
        NF != 4 || $4 != "end" || length($3) != 1024 + ($2 * 37 + $1 * 101) % 1024 ||
            $3 !~ /^x+$/ { bad++; next }
        $2 != next_line[$1] + 0 { order++ }
        { next_line[$1] = $2 + 1; count[$1]++ }
        END {
            for (r = 0; r < 4; r++) if (count[r] != n) missing++;
            printf "%d %d %d\n", bad, order, missing
        }' "$1"
}

# expect_intact_lines DIR: the LINES_WRITER output in DIR/out and DIR/err
# is intact and complete (check_lines), each checked once.
expect_intact_lines() {
    local stream result
    for stream in out err; do
        result=$(check_lines "$1/$stream")
        [ "$result" = "0 0 0" ] && pass "std$stream lines intact and complete" ||
            fail "std$stream: bad, out-of-order, incomplete ranks = $result"
    done
}
