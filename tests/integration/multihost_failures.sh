#!/bin/bash
# Multi-host jobs that go wrong (hosts made of network namespaces): ranks on
# other hosts failing or killed, a daemon killed, a host cut off, Ctrl-C,
# --timeout, launch agents that fail, strangers knocking on the first
# mprun's port. Each time: one clear message naming the host, a non-zero
# exit, and nothing left running on any host.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"

HOSTS=mprh0,mprh1,mprh2

# A rank on another host exits non-zero: its code, its host, the rest stopped.
start=$(date +%s%N)
expect_exit 5 "a remote rank's exit code becomes mprun's" -- "${AT0[@]}" "$MH_MPRUN" \
    --timeout 60 --host mprh0:2,mprh1:2 sh -c \
    "if [ \"\$PMIX_RANK\" = 3 ]; then sleep 0.3; exit 5; fi; exec $SLEEP 300"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_line "mprun: rank 3 (pid " "the failing rank is reported"
expect_line "on host mprh1 exited with code 5" "with its host and code"
expect_count 1 '^mprun: ' "exactly one mprun line"
[ "$elapsed_ms" -lt 6000 ] && pass "stopped in ${elapsed_ms} ms" || fail "took ${elapsed_ms} ms"
no_processes_anywhere "after a remote failure"

expect_exit 139 "a remote rank killed by SIGSEGV" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host "$HOSTS" sh -c "[ \"\$PMIX_RANK\" = 2 ] && kill -SEGV \$\$; exec $SLEEP 300"
expect_line "on host mprh2 killed by signal 11 (Segmentation fault)" "the signal and host"
expect_count 1 '^mprun: ' "exactly one mprun line"
no_processes_anywhere "after a remote crash"

# A remote rank that exits without PMIx_Finalize: its daemon tells, mprun
# names it with its host and exits 1; --enable-recovery lets the others end.
CASES="$TESTS_BIN/pmix_client_cases"
expect_exit 1 "a remote rank exits without PMIx_Finalize" -- "${AT0[@]}" "$MH_MPRUN" \
    --timeout 60 --host mprh0,mprh1 "$CASES" nofinalize 1 300
expect_count 1 '^mprun: rank 1 \(pid [0-9]+\) on host mprh1 exited without calling mpr_finalize$' \
    "named with its host"
expect_count 1 '^mprun: ' "exactly one mprun line"
expect_exit 1 "the same with --enable-recovery" -- "${AT0[@]}" "$MH_MPRUN" --enable-recovery \
    --timeout 60 --host mprh0,mprh1,mprh2 "$CASES" nofinalize 1 1
expect_count 2 'finalizing: ok$' "the other two ran to their end"
expect_exit 0 "remote ranks that finalize" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh0,mprh1 "$CASES" nofinalize 99
no_processes_anywhere "after a remote rank left without finalizing"

# Coordinator only: every rank elsewhere, its output and code come back.
expect_exit 3 "sh -c 'hostname; exit 3' on another host" -- "${AT0[@]}" "$MH_MPRUN" \
    --timeout 60 --host mprh1 sh -c 'hostname; exit 3'
expect_line "mprh1" "the rank's output"
expect_line "mprun: rank 0 (pid " "its failure"
expect_line "on host mprh1 exited with code 3" "named with its host"

# A program that exists on no host: found missing by the daemon.
expect_exit 2 "a program missing on the other host" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --host mprh1 "no-such-program-$MARK"
expect_line "mprun: cannot find program 'no-such-program-$MARK' in PATH on host mprh1" \
    "reported by that host's daemon"
no_processes_anywhere "after a missing program"

# start_job ARGS...: a job of sleepers on every host, in the background; its
# output goes to $TMP/out, its pid to JOB.
start_job() {
    "${AT0[@]}" "$MH_MPRUN" --timeout 60 "$@" --host "$HOSTS" -n 6 --oversubscribe "$SLEEP" 300 \
        >"$TMP/out" 2>&1 &
    JOB=$!
    wait_for_sleepers 6
}

# finish_job CODE WHAT: the job ends with CODE within 10 s.
finish_job() {
    local rc i
    for i in $(seq 100); do
        kill -0 "$JOB" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$JOB" 2>/dev/null; then
        fail "$2: still running after 10 s"
        kill -KILL "$JOB"
    fi
    wait "$JOB"
    rc=$?
    [ "$rc" -eq "$1" ] && pass "$2: exit $rc" || fail "$2: exit $rc, wanted $1"
    LAST_OUTPUT=$(cat "$TMP/out")
}

# A daemon killed outright: the job ends, its ranks die with it.
start_job
kill -KILL "$(daemon_pid 1)"
finish_job 1 "a daemon killed with SIGKILL"
expect_line "mprun: lost the daemon on host mprh1" "the lost daemon is reported"
expect_count 1 '^mprun: ' "exactly one mprun line"
no_processes_anywhere "after a daemon was killed"

# A host cut off the network: silence past the heartbeat deadline.
export MPRUN_HEARTBEAT_TIMEOUT=2
start_job
ip -n "$(netns_name 2)" link set eth0 down
finish_job 1 "a host cut off"
expect_line "mprun: lost the daemon on host mprh2: no message for 2 s" "the silent host is reported"
ip -n "$(netns_name 2)" link set eth0 up
sleep 0.5
no_processes_anywhere "after a host was cut off"

# The first mprun frozen: each daemon ends its ranks by itself at the deadline.
start_job
kill -STOP "$JOB"
for _ in $(seq 100); do
    [ "$(pgrep -fc "^$SLEEP")" -le 2 ] && [ -z "$(daemon_pid 1)$(daemon_pid 2)" ] && break
    sleep 0.1
done
left=$(pgrep -f "^$SLEEP" | wc -l)
[ "$left" -eq 2 ] && pass "daemons ended their ranks on their own" ||
    fail "$left sleepers left, wanted the first mprun's 2"
[ -z "$(daemon_pid 1)$(daemon_pid 2)" ] && pass "and exited" || fail "daemons still running"
kill -CONT "$JOB"
finish_job 1 "the first mprun, woken up"
expect_line "mprun: lost the daemon on host mprh" "it finds its daemons gone"
no_processes_anywhere "after the first mprun was frozen"
unset MPRUN_HEARTBEAT_TIMEOUT

# Ctrl-C (SIGINT) to the first mprun stops the ranks on every host.
start_job
kill -INT "$JOB"
finish_job 130 "SIGINT with remote ranks"
expect_line "mprun: caught signal 2 (Interrupt): stopping the job" "SIGINT is reported"
no_processes_anywhere "after SIGINT"

# A rank ignoring SIGTERM on another host is killed after the grace period.
"${AT0[@]}" "$MH_MPRUN" --timeout 60 --host "$HOSTS" sh -c "trap '' TERM; exec $SLEEP 300" \
    >"$TMP/out" 2>&1 &
JOB=$!
wait_for_sleepers 3
kill -TERM "$JOB"
finish_job 143 "SIGTERM, ranks ignoring it"
no_processes_anywhere "after SIGTERM"

# --timeout across hosts.
start=$(date +%s%N)
expect_exit 124 "--timeout with remote ranks" -- "${AT0[@]}" "$MH_MPRUN" --timeout 1 \
    --host "$HOSTS" "$SLEEP" 300
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 950 ] && [ "$elapsed_ms" -lt 6000 ] && pass "timed out after ${elapsed_ms} ms" ||
    fail "timeout took ${elapsed_ms} ms"
expect_line "mprun: job timed out after 1 s" "timeout message"
expect_count 1 '^mprun: ' "only the timeout is reported"
no_processes_anywhere "after the timeout"

# Launch agents that fail; --launch-agent beats MPRUN_LAUNCH_AGENT.
expect_exit 1 "a launch agent that fails" -- "${AT0[@]}" "$MH_MPRUN" --timeout 60 \
    --launch-agent false --host "$HOSTS" true
expect_count 1 '^mprun: cannot start the daemon on host mprh[12]: the launch agent exited with code 1$' \
    "the first failed agent is reported"
expect_count 1 '^mprun: ' "and only that"
no_processes_anywhere "after a failed agent"
expect_exit 0 "--launch-agent given" -- "${AT0[@]}" env MPRUN_LAUNCH_AGENT=false "$MH_MPRUN" \
    --timeout 60 --launch-agent "$MPRUN_LAUNCH_AGENT" --host "$HOSTS" true
expect_exit 1 "a launch agent that never starts a daemon" -- "${AT0[@]}" "$MH_MPRUN" \
    --timeout 60 --launch-agent "sh -c 'exit 255'" --host mprh0,mprh1 true
expect_line "on host mprh1: the launch agent exited with code 255" "its code is reported"

# Strangers connecting to the first mprun's port are refused; the job goes on.
"${AT0[@]}" "$MH_MPRUN" --timeout 60 --host mprh0,mprh1 sh -c 'sleep 3; echo "done $PMIX_RANK"' \
    >"$TMP/out" 2>&1 &
JOB=$!
wait_for_daemons 1
port=$(pgrep -af "^$MH_MPRUN --daemon 1 " | awk '{print $5}')
target=/dev/tcp/$(netns_address 0)/$port
# knock DESCRIPTION printf-FORMAT: send those bytes from host mprh2.
knock() {
    ip netns exec "$(netns_name 2)" bash -c "exec 3<>$target && printf '$2' >&3 && sleep 0.3" &&
        pass "$1 sent" || fail "$1: cannot connect to $target"
}
knock "garbage" 'GET / HTTP/1.0\r\n\r\n'
knock "an oversized first message" '\0\0\0\001\001\0\0\0'
secret0='\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
# (MPRUN_WIRE_VERSION 2 in launcher/wire.h, or it is refused for that)
knock "a greeting with a wrong secret" \
    "\0\0\0\001\0\0\0\070MPRD\0\0\0\002\0\0\0\001$secret0\0\0\0\007\0\0\0\004evil"
knock "a connection closed at once" ''
finish_job 0 "the job went on"
expect_count 2 '^done [01]$' "both ranks finished"
expect_line "mprun: warning: refused a connection from $(netns_address 2):" "strangers are reported"
expect_line "unknown message type" "garbage refused"
expect_line "a message of 16777216 bytes, more than the 512 allowed" "oversized message refused"
expect_line ": wrong secret" "wrong secret refused"
expect_count 3 '^mprun: warning: refused a connection' "one warning per stranger who spoke"

# mprun --daemon by hand: without a valid secret it does nothing.
out=$(echo "not-a-secret" | timeout 10 "$MH_MPRUN" --daemon 1 1 127.0.0.1 1000 2>&1); rc=$?
[ "$rc" -eq 1 ] && [[ "$out" == *"no valid secret on stdin"* ]] && pass "--daemon without a secret" ||
    fail "--daemon without a secret: exit $rc: $out"
out=$(timeout 10 "$MH_MPRUN" --daemon 2>&1 </dev/null); rc=$?
[ "$rc" -eq 2 ] && pass "--daemon with bad arguments" || fail "--daemon bad arguments: exit $rc: $out"

no_leftovers
finish
