# Helpers of the multihost_*.sh tests (sourced after lib.sh and
# launcher_lib.sh): MH_HOSTS hosts (default 3) made of network namespaces
# (netns_setup.sh), named mprh0, mprh1...; netns_agent.sh stands in for ssh.
#
# The tests run a copy of mprun whose path carries the run's marker, so the
# daemons it starts on every host are found by pgrep like the ranks are.
# Tests start the first mprun on a host with "${AT0[@]}" mprun ... (AT1,
# AT2... for the others).
source "$TOP_SRCDIR/tests/integration/netns_setup.sh"

# Namespaces go on every way out, a timeout's SIGTERM included.
trap 'netns_down; pkill -KILL -f "$MARK" 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
netns_up "${MH_HOSTS:-3}"

MH_MPRUN="$TMP/mprun-$MARK"
cp "$MPRUN" "$MH_MPRUN"
CHECK="$TESTS_BIN/pmix_client_check"
export MPRUN_LAUNCH_AGENT="$TOP_SRCDIR/tests/integration/netns_agent.sh"
export MPRTEST_AGENT_LOG="$TMP/agent.log"

for ((mh_i = 0; mh_i < NETNS_HOSTS; mh_i++)); do
    eval "AT$mh_i=(ip netns exec $(netns_name $mh_i) unshare --uts sh -c 'hostname \"\$0\"; exec \"\$@\"' mprh$mh_i)"
done

# across HOSTS [mprun options --] PROGRAM [ARGS]: a job of PROGRAM (from
# tests/integration) on HOSTS (an mprun --host list) started from mprh0;
# it must exit 0.
across() {
    local hosts=$1 opts=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    expect_exit 0 "--host $hosts ${opts[*]:+${opts[*]} }$*" -- "${AT0[@]}" "$MH_MPRUN" \
        --timeout "$JOB_TIMEOUT" --host "$hosts" "${opts[@]}" "$TESTS_BIN/$1" "${@:2}"
}

# no_processes_anywhere WHAT: nothing of the run (daemons, ranks) is left,
# as seen from the machine and from inside every host.
no_processes_anywhere() {
    local i left=""
    for ((i = 0; i < NETNS_HOSTS; i++)); do
        left+=$(ip netns exec "$(netns_name $i)" pgrep -f "$MARK" 2>/dev/null)
    done
    if [ -n "$left" ]; then
        fail "$1: processes left in the hosts: $left"
    fi
    no_processes_left "$1"
}

# daemon_pid I: the pid of the daemon running on host mprh<I>, if any.
daemon_pid() {
    pgrep -f "^$MH_MPRUN --daemon $1 " | head -1
}

# wait_for_daemons N: until N daemons run (10 s at most).
wait_for_daemons() {
    local i
    for i in $(seq 100); do
        [ "$(pgrep -fc "^$MH_MPRUN --daemon ")" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "only $(pgrep -fc "^$MH_MPRUN --daemon ") of $1 daemons started"
    return 1
}
