#!/bin/bash
# tcp.sh - the TCP transport, on one host with MPR_TRANSPORT=tcp: the
# point-to-point and collective programs with every message eager, or every
# message by rendezvous (with the default limit and N = 2, 3, 4, they run in
# transports.sh); the interface and address
# settings; ranks that die while their peers block on them; and connections
# from outside the job, which must be refused and logged while the job goes
# on unharmed (programs: p2p_*.c, coll_*.c, misc_abort.c, tcp_stress.c,
# tcp_stray_client.c, p2p_lazy.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
ulimit -c 0
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# tcpjob N [mprun options --] PROGRAM [ARGS]: job() over TCP.
tcpjob() {
    local n=$1 opts=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    job "$n" -x MPR_TRANSPORT=tcp "${opts[@]}" -- "$@"
}

# tcprun N [mprun options --] PROGRAM [ARGS]: a TCP job; sets RC and LAST_OUTPUT.
tcprun() {
    local n=$1 opts=(-x MPR_TRANSPORT=tcp)
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    timeout -k 5 60 "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" \
        "$TESTS_BIN/$1" "${@:2}" >"$OUT" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$OUT")
}

# --- point-to-point and collectives -------------------------------------
# every message by rendezvous; every message up to 1 MiB eager
tcpjob 3 -x MPR_TCP_EAGER_LIMIT=0 -- p2p_order 500
tcpjob 2 -x MPR_TCP_EAGER_LIMIT=0 -- p2p_trunc
tcpjob 2 -x MPR_TCP_EAGER_LIMIT=1048576 -- p2p_large
tcpjob 3 -x MPR_TCP_EAGER_LIMIT=1048576 -- coll_bcast 3

# endpoints exchanged through mprun's own fence (as across hosts), not the
# one libpmix completes by itself on a single host
PMIX_MCA_pmix_server_fence_localonly_opt=0 tcpjob 3 p2p_basic 3

# --- where ranks listen ---------------------------------------------------
tcpjob 2 -x MPR_TCP_IF=lo -- p2p_basic 2
tcpjob 2 -x MPR_TCP_ADDR=127.0.0.1 -- p2p_basic 2
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
    tcpjob 2 -x MPR_TCP_ADDR=::1 -- p2p_basic 2
fi
tcprun 2 -x MPR_TCP_IF=mpr-no-such-if0 -- p2p_basic 2
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] &&
    grep -q 'MPR_TCP_IF=mpr-no-such-if0' <<<"$LAST_OUTPUT"; then
    pass "an unknown MPR_TCP_IF fails mpr_init with a message naming it (exit $RC)"
else
    fail "an unknown MPR_TCP_IF: exit $RC; output:"
    printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
fi

# --- a rank dies while its peers block on it ------------------------------
# The peers see the connection break: their call returns
# MPR_ERR_PROC_FAILED (or mprun ends the job first), never a hang. A rank
# that exits without mpr_finalize ends the job with exit 1 unless
# --enable-recovery, with which both survivors must see it.
for what in "exit last" "exit 0" "exit-send 1" "crash last"; do
    if [ "${what%% *}" = crash ]; then
        tcprun 3 misc_abort $what
    else
        tcprun 3 --enable-recovery -- misc_abort $what
    fi
    if [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "misc_abort $what, 3 ranks over TCP: the job ended (exit $RC)"
    else
        fail "misc_abort $what, 3 ranks over TCP: exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -10 >&2
    fi
    if [ "${what%% *}" != crash ]; then
        n=$(grep -c 'blocked call returned MPR_ERR_PROC_FAILED' <<<"$LAST_OUTPUT")
        [ "$RC" -eq 1 ] && [ "$n" -eq 2 ] &&
            pass "misc_abort $what over TCP, --enable-recovery: exit 1, both others saw it" ||
            fail "misc_abort $what over TCP, --enable-recovery: exit $RC, $n of 2 saw it"
    fi
done

# --- connections from outside the job -------------------------------------
# While a 3-rank job exchanges checked traffic for a few seconds, a client
# connects to the ranks' ports and misbehaves in each way below. Each
# connection must be closed by the rank and logged once, with its reason;
# the job must finish with correct results.
declare -A reason=(
    [nothing]='closed without sending a hello'
    [silent]='no hello within'
    [garbage]='unknown frame type 71'
    [wrong-secret]='wrong secret'
    [truncated]='closed after 20 of the 64 bytes of a hello'
    [huge-length]='larger than allowed'
    [bad-rank]='rank 100000 out of range'
    [bad-type]='unknown frame type 77'
)
cases=(silent nothing garbage wrong-secret truncated huge-length bad-rank bad-type)
if ! command -v ss >/dev/null; then
    echo "SKIP: stray connections: no ss(8) to find the ranks' ports"
else
    "$MPRUN" -n 3 --oversubscribe --timeout "$JOB_TIMEOUT" -x MPR_TRANSPORT=tcp \
        "$TESTS_BIN/tcp_stress" 9 >"$OUT" 2>&1 &
    job_pid=$!
    declare -A port_of=() addr_of=()
    for i in $(seq 100); do
        pids=$(sed -n 's/^tcp_stress: rank \([0-9]*\) pid \([0-9]*\)$/\1:\2/p' "$OUT")
        if [ "$(wc -w <<<"$pids")" -eq 3 ]; then
            listening=$(ss -Hltnp 2>/dev/null)
            for rp in $pids; do
                local_addr=$(grep "pid=${rp#*:}," <<<"$listening" | awk '{print $4}' | head -1)
                [ -n "$local_addr" ] || continue
                port_of[${rp%%:*}]=${local_addr##*:}
                addr=${local_addr%:*}
                addr=${addr#[}
                addr_of[${rp%%:*}]=${addr%]}
            done
            [ "${#port_of[@]}" -eq 3 ] && break
        fi
        sleep 0.1
    done
    if [ "${#port_of[@]}" -ne 3 ]; then
        fail "stray connections: could not find the 3 ranks' ports; output:"
        tail -10 "$OUT" >&2
    else
        client_pids=()
        k=0
        for what in "${cases[@]}"; do
            r=$((k % 3))
            k=$((k + 1))
            "$TESTS_BIN/tcp_stray_client" "${addr_of[$r]}" "${port_of[$r]}" "$what" "$r" &
            client_pids+=($!)
        done
        k=0
        for pid in "${client_pids[@]}"; do
            if wait "$pid"; then
                pass "stray connection '${cases[$k]}' was closed by the rank"
            else
                fail "stray connection '${cases[$k]}' was not closed by the rank"
            fi
            k=$((k + 1))
        done
    fi
    wait "$job_pid"
    RC=$?
    LAST_OUTPUT=$(cat "$OUT")
    if [ "$RC" -eq 0 ] && grep -q '^tcp_stress: OK after' <<<"$LAST_OUTPUT" &&
        ! grep -q 'FAIL:' <<<"$LAST_OUTPUT"; then
        pass "the job under stray connections completed: $(grep '^tcp_stress: OK' <<<"$LAST_OUTPUT")"
    else
        fail "the job under stray connections: exit $RC; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
    if [ "${#port_of[@]}" -eq 3 ]; then
        for what in "${cases[@]}"; do
            count=$(grep -c "^mpr: rank [0-9]*: refused connection from .*: .*${reason[$what]}" \
                <<<"$LAST_OUTPUT")
            if [ "$count" -eq 1 ]; then
                pass "stray connection '$what' logged once: $(grep -m1 "${reason[$what]}" <<<"$LAST_OUTPUT")"
            else
                fail "stray connection '$what': $count log lines with '${reason[$what]}'"
            fi
        done
        total=$(grep -c 'refused connection' <<<"$LAST_OUTPUT")
        if [ "$total" -eq "${#cases[@]}" ]; then
            pass "no other connection was refused"
        else
            fail "$total refusals logged for ${#cases[@]} stray connections:"
            grep 'refused connection' <<<"$LAST_OUTPUT" >&2
        fi
    fi
fi

# A rank that sends its first messages and then computes for longer than a
# stranger may stay silent (2 s) is delivered once it waits, and its peer
# logs no refused connection (the hello leaves with the connect).
tcprun 2 p2p_lazy 3
expect_rc 0 "a rank computing 3 s after its first sends"
if grep -q 'refused connection' <<<"$LAST_OUTPUT"; then
    fail "a rank computing after its first sends was refused as a stranger:"
    grep 'refused connection' <<<"$LAST_OUTPUT" >&2
else
    pass "no connection of the job was refused"
fi
no_leftovers
finish
