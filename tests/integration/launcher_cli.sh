#!/bin/bash
# mprun's command line: --help, --version, and every kind of bad input gives
# one clear line, a usage hint, exit code 2, and starts nothing.
source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"

tmp=$TMP
started="$tmp/started"
probe=(sh -c "touch '$started'")

out=$(timeout 10 "$MPRUN" --help 2>"$tmp/err"); rc=$?
[ "$rc" -eq 0 ] && pass "--help exits 0" || fail "--help exits $rc"
case "$out" in *"Usage: mprun"*--bind-to*--timeout*) pass "--help prints usage on stdout" ;;
    *) fail "--help output: $out" ;; esac
[ -s "$tmp/err" ] && fail "--help wrote to stderr" || pass "--help leaves stderr empty"

out=$(timeout 10 "$MPRUN" --version); rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "mprun (mpr) 0.1.0" ] && pass "--version" || fail "--version: $rc '$out'"

# bad_command DESCRIPTION EXPECTED-TEXT -- mprun arguments...
bad_command() {
    local what=$1 text=$2 out rc lines
    shift 3
    rm -f "$started"
    out=$(timeout 20 "$MPRUN" "$@" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [ "$rc" -ne 2 ]; then
        fail "$what: exit $rc, wanted 2 ($out)"
    elif [ "$lines" -ne 2 ] || ! printf '%s\n' "$out" | head -1 | grep -qF -- "mprun: $text" ||
        [ "$(printf '%s\n' "$out" | tail -1)" != "Try 'mprun --help' for more information." ]; then
        fail "$what: wanted 'mprun: $text' and the hint, got: $out"
    elif [ -e "$started" ]; then
        fail "$what: a rank was started"
    else
        pass "$what"
    fi
}

bad_command "unknown option" "unknown option '--frobnicate'" -- --frobnicate "${probe[@]}"
bad_command "unknown short option" "unknown option '-q'" -- -q "${probe[@]}"
bad_command "missing -n value" "option '-n' needs a value" -- -n
bad_command "missing --timeout value" "option '--timeout' needs a value" -- --timeout
bad_command "missing program" "no program to run" -- -n 2
bad_command "nothing at all" "no program to run" --
bad_command "-n 0" "invalid number of ranks '0'" -- -n 0 "${probe[@]}"
bad_command "-n negative" "invalid number of ranks '-3'" -- -n -3 "${probe[@]}"
bad_command "-n not a number" "invalid number of ranks 'two'" -- -n two "${probe[@]}"
bad_command "-n absurd" "invalid number of ranks '100000'" -- -n 100000 "${probe[@]}"
bad_command "-np absurd" "invalid number of ranks '4097'" -- -np 4097 "${probe[@]}"
bad_command "bad --bind-to" "invalid --bind-to value 'cache'" -- --bind-to cache "${probe[@]}"
bad_command "bad --map-by" "invalid --map-by value 'board'" -- --map-by board "${probe[@]}"
bad_command "bad --timeout" "invalid --timeout value 'soon'" -- --timeout soon "${probe[@]}"
bad_command "bad --host slots" "invalid --host value 'h1:0': slots must be an integer from 1 to 4096" \
    -- --host h1:0 "${probe[@]}"
bad_command "bad --host name" "invalid --host value '-oProxyCommand=x': a host name starting with '-'" \
    -- --host -oProxyCommand=x "${probe[@]}"
bad_command "--host and --hostfile" "--host and --hostfile cannot be used together" -- \
    --host a --hostfile b "${probe[@]}"
bad_command "missing hostfile" "cannot read hostfile '$tmp/none': No such file or directory" -- \
    --hostfile "$tmp/none" "${probe[@]}"
printf 'h1 slots=2\n# comment\nh2 slots=two\n' > "$tmp/hostfile"
bad_command "bad hostfile line" "$tmp/hostfile:3: invalid 'slots=two'" -- \
    --hostfile "$tmp/hostfile" "${probe[@]}"
bad_command "negative --timeout" "invalid --timeout value '-5'" -- --timeout -5 "${probe[@]}"
bad_command "bad -x" "invalid -x value '=oops'" -- -x =oops "${probe[@]}"
bad_command "flag with a value" "option '--tag-output' takes no value" -- --tag-output=1 "${probe[@]}"
bad_command "program not in PATH" "cannot find program 'no-such-program-$MARK' in PATH" -- \
    -n 2 "no-such-program-$MARK"
bad_command "missing path" "cannot run '$tmp/absent': No such file or directory" -- \
    -n 2 "$tmp/absent"
printf '#!/bin/sh\ntouch "%s"\n' "$started" > "$tmp/noexec"
chmod 644 "$tmp/noexec"
bad_command "not executable" "cannot run '$tmp/noexec': Permission denied" -- -n 2 "$tmp/noexec"
bad_command "a directory" "cannot run '$tmp': Is a directory" -- -n 2 "$tmp"
mkdir "$tmp/bin" && cp "$tmp/noexec" "$tmp/bin/noexec-$MARK"
PATH="$tmp/bin:$PATH" bad_command "not executable in PATH" \
    "cannot run '$tmp/bin/noexec-$MARK': Permission denied" -- -n 1 "noexec-$MARK"

# The same program found in PATH, made executable, runs; so do relative names.
chmod +x "$tmp/bin/noexec-$MARK"
expect_exit 0 "program found in PATH" -- env PATH="$tmp/bin:$PATH" "$MPRUN" "noexec-$MARK"
[ -e "$started" ] && pass "and it ran" || fail "the PATH program did not run"
out=$(cd "$tmp/bin" && PATH=":/usr/bin:/bin" timeout 20 "$MPRUN" "noexec-$MARK" 2>&1); rc=$?
[ "$rc" -eq 0 ] && pass "an empty PATH element is the current directory" || fail "empty PATH element: $rc $out"
expect_exit 0 "options end at the program" -- "$MPRUN" -n 1 sh -c 'test "$1" = -n' sh -n
expect_exit 0 "-- ends options" -- "$MPRUN" -n 1 -- sh -c 'exit 0'
expect_exit 0 "glued -n" -- "$MPRUN" -n1 true
expect_exit 0 "--np=" -- "$MPRUN" --np=2 true

# Hosts that are all this machine: a one-host job, -n from their slots, no
# daemon, no launch agent.
expect_exit 0 "--host naming this machine" -- env MPRUN_LAUNCH_AGENT=false "$MPRUN" \
    --host "localhost:2,127.0.0.1,$(hostname)" --oversubscribe sh -c 'echo "rank $PMIX_RANK of $PMIX_JOB_SIZE"'
expect_count 4 '^rank [0-3] of ' "-n defaults to the 4 slots"
printf 'localhost slots=3\n' > "$tmp/hostfile"
expect_exit 0 "a hostfile naming this machine" -- env MPRUN_LAUNCH_AGENT=false "$MPRUN" \
    --hostfile "$tmp/hostfile" sh -c 'echo "rank $PMIX_RANK"'
expect_count 3 '^rank [0-2]$' "-n defaults to its 3 slots"
expect_exit 0 "-n below the slots" -- "$MPRUN" --host localhost:8 -n 2 sh -c 'echo "rank $PMIX_RANK"'
expect_count 2 '^rank [01]$' "-n wins"
expect_exit 0 "more ranks than slots" -- "$MPRUN" --host localhost:1 -n 2 true
expect_line "mprun: warning: 2 ranks on 1 slot: oversubscribed (use --oversubscribe to silence)" \
    "slots, not cores, decide the warning"

finish
