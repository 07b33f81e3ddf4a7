#!/bin/bash
# coll.sh - libmpr collectives: bcast from every root and size, barrier
# that really waits, collectives never matching point-to-point
# (programs: coll_*.c).

# make -j runs other tests at the same time: when we may (root, unshare),
# run in a private mount namespace with a /dev/shm of our own, so that the
# /dev/shm checks (no_leftovers) see only this script's jobs.
if [ -z "${MPR_TEST_OWN_SHM:-}" ] && [ "$(id -u)" -eq 0 ] &&
    timeout 10 unshare -m --propagation private true 2>/dev/null; then
    export MPR_TEST_OWN_SHM=1
    exec unshare -m --propagation private /bin/bash -c \
        'mount -t tmpfs -o mode=1777 tmpfs /dev/shm ||
             echo "note: using the shared /dev/shm"
         exec /bin/bash "$0" "$@"' "$0" "$@"
fi
source "$TOP_SRCDIR/tests/integration/lib.sh"

JOB_TIMEOUT=50 # mprun's own limit, below lib.sh's 60 s so mprun cleans up

# job N [mprun options --] PROGRAM [ARGS]: the job must exit 0.
job() {
    local n=$1 opts=()
    shift
    if [[ " $* " == *" -- "* ]]; then
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
    fi
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    expect_exit 0 "-n $n ${opts[*]:+${opts[*]} }$*" -- \
        "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" "$TESTS_BIN/$1" "${@:2}"
}

expect_exit 0 "coll_bcast without mprun (singleton)" -- \
    env -u PMIX_NAMESPACE -u PMIX_RANK -u PMIX_SERVER_URI4 -u PMIX_SERVER_URI41 \
    -u PMIX_SERVER_URI3 -u PMIX_SERVER_URI2 -u PMIX_SERVER_URI21 \
    "$TESTS_BIN/coll_bcast" 1
for n in 1 2 3 4 5 6 7 8; do
    job "$n" coll_bcast "$n"
    job "$n" coll_barrier
    job "$n" coll_mix
done
job 3 -x MPR_SHM_CMA=0 -- coll_bcast 3
job 2 -x MPR_SHM_CMA=1 -- coll_bcast 2

no_leftovers
finish
