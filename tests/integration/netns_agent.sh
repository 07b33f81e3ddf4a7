#!/bin/sh
# A launch agent for mprun that stands in for ssh in the multi-host tests:
#     netns_agent.sh HOST COMMAND...
# runs COMMAND on HOST, one of the network namespaces of netns_setup.sh
# (HOST is mprh<i> or its address), with HOST as its host name.
# MPRTEST_AGENT_LOG, if set, gets one line per start: HOST COMMAND...
host=$1
shift
: "${MPRTEST_NETNS_RUN:?set by netns_setup.sh}"
case "$host" in
    mprh[0-9]*) i=${host#mprh} ;;
    "$MPRTEST_NETNS_SUBNET".*) i=$((${host##*.} - 10)) ;;
    *) echo "netns_agent.sh: unknown host $host" >&2; exit 255 ;;
esac
[ -n "${MPRTEST_AGENT_LOG:-}" ] && echo "$host $*" >> "$MPRTEST_AGENT_LOG"
exec ip netns exec "${MPRTEST_NETNS_RUN}h$i" unshare --uts \
    sh -c 'hostname "$0"; exec "$@"' "mprh$i" "$@"
