# Helpers of output_live.sh and output_live_multihost.sh (sourced after
# lib.sh): a job of output_live whose output the script watches while the
# ranks run.

OUTPUT_SEEN_LIMIT=${OUTPUT_SEEN_LIMIT:-60} # seconds for the ranks' first lines to show (a guard, not a measure)
PIECES=200

# live_job DESC N PROGRAM MPRUN_COMMAND...: run MPRUN_COMMAND -n N PROGRAM
# GOFILE PIECES in the background; pass if each rank's "early" and "waits"
# lines reach mprun's stdout while the ranks wait for GOFILE (they wait
# until it exists, so buffered output could only show at exit: then the
# bound expires and the check fails), then let them go on and check the
# exit status and that every line written in pieces came out whole, on
# stdout and on stderr.
live_job() {
    local what=$1 n=$2 prog=$3 dir pid rc seen=no i
    shift 3
    dir=$(mktemp -d)
    : >"$dir/out"
    "$@" -n "$n" "$prog" "$dir/go" "$PIECES" >"$dir/out" 2>"$dir/err" &
    pid=$!
    for ((i = 0; i < OUTPUT_SEEN_LIMIT * 10; i++)); do
        if [ "$(grep -c '^early line of pid [0-9]*$' "$dir/out")" -eq "$n" ] &&
            [ "$(grep -cE "^rank [0-9]+ of $n waits$" "$dir/out")" -eq "$n" ]; then
            seen=yes
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ $seen = yes ]; then
        pass "$what: lines printed before and after init show while the ranks run"
    else
        fail "$what: the ranks' lines did not show while they ran (held in their buffers?); stdout so far:"
        head -20 "$dir/out" >&2
    fi
    touch "$dir/go"
    wait "$pid"
    rc=$?
    [ $rc -eq 0 ] && pass "$what: exit 0" || { fail "$what: exit $rc"; tail -5 "$dir/err" >&2; }
    for stream in out err; do
        local whole mixed
        whole=$(grep -cE '^piece-line rank [0-9]+ number [0-9]+ end$' "$dir/$stream")
        mixed=$(grep 'piece-line' "$dir/$stream" | grep -cvE '^piece-line rank [0-9]+ number [0-9]+ end$')
        if [ "$whole" -eq $((n * PIECES)) ] && [ "$mixed" -eq 0 ]; then
            pass "$what: $whole lines written in 3 pieces each, whole on std$stream"
        else
            fail "$what: std$stream has $whole whole lines of $((n * PIECES)), $mixed broken:"
            grep 'piece-line' "$dir/$stream" | grep -vE '^piece-line rank [0-9]+ number [0-9]+ end$' |
                head -5 >&2
        fi
    done
    rm -rf "$dir"
}
