#!/bin/bash
# hostile_peers_multihost.sh - strangers on another host (network
# namespaces, netns_setup.sh) at every listener a job spanning two hosts
# opens to the network (issue 15): mprun's daemon port from before the
# daemon connects, the ranks' TCP ports from before their first connection
# to each other, the object service of a queue homed on rank 0 from its
# start; held connections, garbage, slow bytes and churn (hostile_flood.py)
# until the job has run for a while. The job must finish right
# (hostile_job.c with a queue across hosts checks every item), with the
# ranks' and mprun's fds and threads bounded. Then a pair of ranks that
# cannot connect (no route between their addresses) must end the job with a
# message.
source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
command -v ss >/dev/null || { echo "SKIP: no ss"; exit 77; }
source "$TOP_SRCDIR/tests/integration/launcher_lib.sh"
MH_HOSTS=3
source "$TOP_SRCDIR/tests/integration/multihost_lib.sh"
ulimit -c 0
FLOOD="$TOP_SRCDIR/tests/integration/hostile_flood.py"
STRANGER=(ip netns exec "$(netns_name 2)") # the attackers' host: mprh2
D="$TMP/hostile"
mkdir -p "$D"

# The launch agent waits for agent_go, so the daemon port is flooded first.
cat >"$TMP/slow_agent.sh" <<EOF
#!/bin/sh
i=0
while [ ! -f "$D/agent_go" ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done
exec "$TOP_SRCDIR/tests/integration/netns_agent.sh" "\$@"
EOF
chmod +x "$TMP/slow_agent.sh"
export MPRUN_LAUNCH_AGENT="$TMP/slow_agent.sh"

# listeners HOST PID...: the addresses PIDs listen on in mprh<HOST>, but
# loopback ones (a stranger cannot reach them).
listeners() {
    local host=$1 p
    shift
    for p in "$@"; do
        ip netns exec "$(netns_name "$host")" ss -ltnpH 2>/dev/null |
            awk -v p="pid=$p," -v me="$(netns_address "$host")" '
                index($0, p) && $4 !~ /^127\./ && $4 !~ /^\[::1\]/ {
                    sub(/^(0\.0\.0\.0|\*|\[::\]):/, me ":", $4); print $4 }'
    done
}
# count_fds PID, count_tasks PID: set N (globbing, no fork: cheap on a loaded machine)
count_fds() { local e=(/proc/$1/fd/*); N=${#e[@]}; }
count_tasks() { local e=(/proc/$1/task/*); N=${#e[@]}; }

flood_pids=()
# wait_flooding NAME: until that flooder has made its first round (20 s at most).
wait_flooding() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -f "$D/flooding.$1" ] && return 0
        sleep 0.1
    done
    fail "the flooder of $1 did not start"
}
flood() { # NAME ADDRESS...
    local name=$1
    shift
    echo "flooding $name: $*"
    HOSTILE_FLOOD_READY="$D/flooding.$name" \
        "${STRANGER[@]}" python3 "$FLOOD" "$D/stop_flood" 100 "$@" >"$D/flood.$name" 2>&1 &
    flood_pids+=($!)
    wait_flooding "$name"
}

echo "$(date +%T) start"
"${AT0[@]}" "$MH_MPRUN" --timeout 100 --host mprh0:2,mprh1:2 --map-by node \
    "$TESTS_BIN/hostile_job" "$D" 1 >"$D/out" 2>&1 &
JOB=$!
for ((i = 0; i < 100; i++)); do
    addrs=$(listeners 0 "$JOB")
    [ -n "$addrs" ] && break
    sleep 0.1
done
[ -n "$addrs" ] || fail "mprun listens on no address reachable from another host"
flood daemon-port $addrs
sleep 1.5 # the held connections fill mprun's queue of connections without a greeting
echo "$(date +%T) agent go"; touch "$D/agent_go"
for ((i = 0; i < 300; i++)); do
    [ "$(ls "$D" | grep -c '^ready\.[0-9]*$')" -eq 4 ] && break
    sleep 0.1
done
pids=()
for r in 0 1 2 3; do
    [ -f "$D/ready.$r" ] && pids+=("$(cat "$D/ready.$r")")
done
if [ "${#pids[@]}" -ne 4 ]; then
    fail "only ${#pids[@]} of 4 ranks started; output:"
    tail -20 "$D/out" >&2
else
    # by node: ranks 0 and 2 on mprh0, 1 and 3 on mprh1
    before=$(listeners 0 "${pids[0]}")
    flood rank-ports $before $(listeners 0 "${pids[2]}") $(listeners 1 "${pids[1]}" "${pids[3]}")
    sleep 1.5
    echo "$(date +%T) go"; touch "$D/go"
    for ((i = 0; i < 100; i++)); do # the queue's service opens a second port on rank 0
        svc=$(listeners 0 "${pids[0]}" | grep -vxF "$before")
        [ -n "$svc" ] && break
        sleep 0.05
    done
    if [ -n "$svc" ]; then
        flood object-service "$svc"
    else
        fail "rank 0 opened no port for the object service"
    fi
    max_fds=0 max_tasks=0 mprun_fds=0
    for ((i = 0; i < 8; i++)); do
        for p in "${pids[@]}"; do
            count_fds "$p"; f=$N
            count_tasks "$p"; t=$N
            [ "$f" -gt "$max_fds" ] && max_fds=$f
            [ "$t" -gt "$max_tasks" ] && max_tasks=$t
        done
        count_fds "$JOB"; f=$N
        [ "$f" -gt "$mprun_fds" ] && mprun_fds=$f
        sleep 0.3
    done
fi
echo "$(date +%T) stop"
touch "$D/stop"
rc=0
timeout 60 tail --pid="$JOB" -f /dev/null || rc=124
wait "$JOB" || rc=$?
touch "$D/stop_flood"
wait "${flood_pids[@]}"
echo "$(date +%T) the job has ended"
cat "$D"/flood.*
if [ "$rc" -eq 0 ] && grep -q '^hostile_job: ok' "$D/out"; then
    pass "the job finished right ($(grep '^hostile_job: ok' "$D/out"))"
else
    fail "the job: exit $rc; output:"
    grep -v 'refused connection from\|refused a connection' "$D/out" | tail -20 >&2
fi
if [ "${#pids[@]}" -eq 4 ]; then
    # a rank: its own ~20, 64 strangers at most per listener, its peers
    [ "$max_fds" -le 180 ] && pass "ranks held at most $max_fds fds" ||
        fail "a rank held $max_fds fds"
    # rank 0: the PMIx client's, the service's acceptor and one per client
    [ "$max_tasks" -le 12 ] && pass "ranks ran at most $max_tasks threads" ||
        fail "a rank ran $max_tasks threads"
    [ "$mprun_fds" -le 120 ] && pass "mprun held at most $mprun_fds fds" ||
        fail "mprun held $mprun_fds fds"
fi
no_processes_anywhere "after the job"

# A pair that cannot wire up ends the job with a message on every rank's
# behalf, never a hang: each rank listens on an address of its own host's
# loopback that the other host has no route to (connect: ENETUNREACH, tried
# again until MPR_TCP_WIREUP_TIMEOUT).
ip -n "$(netns_name 0)" addr add 10.214.0.10/32 dev lo
ip -n "$(netns_name 1)" addr add 10.214.0.11/32 dev lo
rm -rf "$D"/*
"${AT0[@]}" "$MH_MPRUN" --timeout 100 --host mprh0:1,mprh1:1 -x MPR_TCP_WIREUP_TIMEOUT=3 \
    /bin/sh -c 'h=$(hostname); export MPR_TCP_ADDR=10.214.0.1${h#mprh}; exec "$0" "$@"' \
    "$TESTS_BIN/hostile_job" "$D" >"$D/out" 2>&1 &
JOB=$!
for ((i = 0; i < 300; i++)); do
    [ -f "$D/ready.0" ] && [ -f "$D/ready.1" ] && break
    sleep 0.1
done
touch "$D/go" "$D/stop"
rc=0
timeout 60 tail --pid="$JOB" -f /dev/null || rc=124
wait "$JOB" || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
    grep -q "aborted the job with code 3: cannot wire up with rank [01] at 10.214.0.1[01]:[0-9]* within 3 s" "$D/out"; then
    pass "a pair that cannot wire up ends the job (exit $rc): $(grep -m1 'aborted the job' "$D/out")"
else
    fail "a pair that cannot wire up: exit $rc; output:"
    tail -20 "$D/out" >&2
fi
no_processes_anywhere "after the job that cannot wire up"
no_leftovers
echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
