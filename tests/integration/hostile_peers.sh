#!/bin/bash
# hostile_peers.sh - strangers at every listener of a job (issue 15): many
# held connections, garbage, slow bytes and churn at the ranks' TCP ports
# and at mprun's ports, from before the ranks' first connection to each
# other (start-up: wire-up happens under attack) until the job has run for
# a while. The job must finish right (hostile_job.c checks every result),
# and the ranks' and mprun's fds and threads must stay bounded
# (programs: hostile_job.c, hostile_flood.py).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
ulimit -c 0
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
command -v ss >/dev/null || { echo "SKIP: no ss"; exit 77; }
FLOOD="$TOP_SRCDIR/tests/integration/hostile_flood.py"
D=$(mktemp -d)
JOB_PID= FLOOD_PIDS=()
cleanup() {
    touch "$D/stop" "$D/stop_flood"
    [ "${#FLOOD_PIDS[@]}" -gt 0 ] && kill "${FLOOD_PIDS[@]}" 2>/dev/null
    [ -n "$JOB_PID" ] && kill "$JOB_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$D"
}
trap cleanup EXIT

# The listening TCP addresses of a process, one a line (host:port).
listeners_of() {
    ss -ltnpH 2>/dev/null | awk -v p="pid=$1," 'index($0, p) { print $4 }'
}

# wait_flooding NAME: until that flooder has made its first round (20 s at most).
wait_flooding() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -f "$D/flooding.$1" ] && return 0
        sleep 0.1
    done
    fail "the flooder of $1 did not start"
}

# count_fds PID, count_tasks PID: set N (globbing, no fork: cheap on a loaded machine)
count_fds() { local e=(/proc/$1/fd/*); N=${#e[@]}; }
count_tasks() { local e=(/proc/$1/task/*); N=${#e[@]}; }

# attack NAME TARGETS N PER_ADDR [mprun options --] [program args]: run
# hostile_job on N ranks over TCP and flood, with PER_ADDR connections per
# address, the ranks' ports from before their first connection to each
# other (go) and, with TARGETS = all, mprun's ports (its PMIx server's)
# from before the ranks' PMIx_Init (each rank waits for init_go before it
# execs hostile_job), until the job has run for a few seconds; check the
# job and the bounds.
attack() {
    local name=$1 targets=$2 n=$3 per=$4 opts=() prog=("$TESTS_BIN/hostile_job" "$D")
    shift 4
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    rm -rf "$D"/*
    [ "$targets" = all ] && prog=(/bin/sh -c \
        'i=0; while [ ! -f "$1/init_go" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
         exec "$0" "$@"' "${prog[@]}")
    "$MPRUN" -n "$n" --oversubscribe --timeout 100 -x MPR_TRANSPORT=tcp "${opts[@]}" \
        "${prog[@]}" "$@" >"$D/out" 2>&1 &
    JOB_PID=$!
    local i pids=() addrs=()
    FLOOD_PIDS=()
    if [ "$targets" = all ]; then
        for ((i = 0; i < 100; i++)); do
            mapfile -t addrs < <(listeners_of "$JOB_PID")
            [ "${#addrs[@]}" -gt 0 ] && break
            sleep 0.1
        done
        echo "$name: flooding mprun's ${#addrs[@]} listeners: ${addrs[*]}"
        HOSTILE_FLOOD_READY="$D/flooding.mprun" \
            python3 "$FLOOD" "$D/stop_flood" "$per" "${addrs[@]}" >"$D/flood.mprun" 2>&1 &
        FLOOD_PIDS+=($!)
        wait_flooding mprun
        sleep 1.5 # the held connections fill the queue of mprun's PMIx server
        touch "$D/init_go"
    fi
    local t0=$SECONDS
    for ((i = 0; i < 300; i++)); do
        [ "$(ls "$D" | grep -c '^ready\.[0-9]*$')" -eq "$n" ] && break
        sleep 0.1
    done
    for ((i = 0; i < n; i++)); do
        [ -f "$D/ready.$i" ] && pids+=("$(cat "$D/ready.$i")")
    done
    if [ "${#pids[@]}" -ne "$n" ]; then
        fail "$name: only ${#pids[@]} of $n ranks started"
        tail -20 "$D/out" >&2
        return
    fi
    echo "$name: the ranks were ready $((SECONDS - t0)) s after they could start"
    addrs=()
    for p in "${pids[@]}"; do
        mapfile -t -O "${#addrs[@]}" addrs < <(listeners_of "$p")
    done
    echo "$name: flooding the ranks' ${#addrs[@]} listeners: ${addrs[*]}"
    HOSTILE_FLOOD_READY="$D/flooding.ranks" \
        python3 "$FLOOD" "$D/stop_flood" "$per" "${addrs[@]}" >"$D/flood.ranks" 2>&1 &
    FLOOD_PIDS+=($!)
    wait_flooding ranks
    sleep 1.5 # the held connections fill the ranks' queues of strangers
    touch "$D/go"
    local max_fds=0 max_tasks=0 mprun_fds=0 f t
    for ((i = 0; i < 8; i++)); do
        for p in "${pids[@]}"; do
            count_fds "$p"; f=$N
            count_tasks "$p"; t=$N
            [ "$f" -gt "$max_fds" ] && max_fds=$f
            [ "$t" -gt "$max_tasks" ] && max_tasks=$t
        done
        count_fds "$JOB_PID"; f=$N
        [ "$f" -gt "$mprun_fds" ] && mprun_fds=$f
        sleep 0.3
    done
    touch "$D/stop"
    local rc=0
    timeout 60 tail --pid="$JOB_PID" -f /dev/null || rc=124
    wait "$JOB_PID" || rc=$?
    JOB_PID=
    touch "$D/stop_flood"
    wait "${FLOOD_PIDS[@]}"
    FLOOD_PIDS=()
    cat "$D"/flood.*
    if [ "$rc" -eq 0 ] && grep -q '^hostile_job: ok' "$D/out"; then
        pass "$name: the job finished right ($(grep '^hostile_job: ok' "$D/out"))"
    else
        fail "$name: exit $rc; output:"
        tail -20 "$D/out" >&2
    fi
    # a rank: its own ~20, 64 strangers at most per listener, its peers
    if [ "$max_fds" -le 120 ]; then
        pass "$name: ranks held at most $max_fds fds"
    else
        fail "$name: a rank held $max_fds fds"
    fi
    if [ "$max_tasks" -le 12 ]; then
        pass "$name: ranks ran at most $max_tasks threads"
    else
        fail "$name: a rank ran $max_tasks threads"
    fi
    if [ "$mprun_fds" -le 200 ]; then
        pass "$name: mprun held at most $mprun_fds fds"
    else
        fail "$name: mprun held $mprun_fds fds"
    fi
}

attack "rank ports, 3 ranks" ranks 3 100
attack "rank ports, 4 ranks, more strangers" ranks 4 200
attack "mprun's and the ranks' ports, 3 ranks" all 3 100

no_leftovers
echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
