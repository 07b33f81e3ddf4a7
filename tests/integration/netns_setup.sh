# Hosts for multi-host tests on one machine: network namespaces (sourced by
# multihost_lib.sh; bash).
#
#   netns_up N    makes hosts mprh0 .. mprh<N-1>: namespace ${NETNS_RUN}h<i>
#                 with lo up and eth0 = 10.213.0.<10+i>/24, its peer in a hub
#                 namespace ${NETNS_RUN}hub where a bridge joins them all.
#   netns_down    kills what still runs in them and deletes them.
#
# Only these namespaces' own interfaces and addresses are made; nothing is
# changed in the machine's own network namespace. A host's name is its
# UTS name: the commands run there (on_host, netns_agent.sh) get their own
# UTS namespace with `unshare --uts` and set it.
# Without root, `ip` or `unshare`, or if namespaces cannot be made, it
# prints one "SKIP: <why>" line and exits 77 (automake's skip code).

NETNS_RUN="mpr$$"
NETNS_SUBNET=10.213.0
NETNS_HOSTS=0
NETNS_MADE=()

netns_skip() {
    echo "SKIP: $*"
    exit 77
}

netns_name() { echo "${NETNS_RUN}h$1"; }
netns_address() { echo "$NETNS_SUBNET.$((10 + $1))"; }

netns_up() {
    local n=$1 i hub="${NETNS_RUN}hub" ns
    [ "$(id -u)" -eq 0 ] || netns_skip "network namespaces need root"
    command -v ip >/dev/null || netns_skip "no 'ip' command (iproute2)"
    command -v unshare >/dev/null || netns_skip "no 'unshare' command (util-linux)"
    unshare --uts true 2>/dev/null || netns_skip "cannot create a UTS namespace (host names)"
    ip netns add "$hub" 2>/dev/null || netns_skip "cannot create a network namespace"
    NETNS_MADE+=("$hub")
    ip -n "$hub" link set lo up
    # Without STP a bridge forwards at once.
    ip -n "$hub" link add br0 type bridge stp_state 0 forward_delay 0 2>/dev/null ||
        netns_skip "cannot create a bridge"
    ip -n "$hub" link set br0 up
    for ((i = 0; i < n; i++)); do
        ns=$(netns_name $i)
        ip netns add "$ns" || netns_skip "cannot create namespace $ns"
        NETNS_MADE+=("$ns")
        ip -n "$ns" link set lo up
        ip -n "$hub" link add "v$i" type veth peer name eth0 netns "$ns" ||
            netns_skip "cannot create a veth pair"
        ip -n "$hub" link set "v$i" master br0 up
        ip -n "$ns" addr add "$(netns_address $i)/24" dev eth0
        ip -n "$ns" link set eth0 up
    done
    NETNS_HOSTS=$n
    export MPRTEST_NETNS_RUN=$NETNS_RUN MPRTEST_NETNS_SUBNET=$NETNS_SUBNET
}

netns_down() {
    local ns pid
    for ns in "${NETNS_MADE[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
    done
    for ns in "${NETNS_MADE[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    NETNS_MADE=()
}

# on_host I command...: run command on host mprh<I> (its namespace and name).
on_host() {
    local i=$1
    shift
    ip netns exec "$(netns_name "$i")" unshare --uts sh -c 'hostname "$0"; exec "$@"' \
        "mprh$i" "$@"
}
