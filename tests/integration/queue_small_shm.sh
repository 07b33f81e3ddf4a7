#!/bin/bash
# queue_small_shm.sh - shared queues in a /dev/shm of 64 MiB (Docker's
# default), made for each job with a mount namespace of its own (needs
# root: SKIP otherwise). Ten default (unbounded) queues at once fit,
# because a queue's data room grows on demand; a queue whose data room is
# larger than /dev/shm grows until /dev/shm is full, then puts find it full
# (never SIGBUS), one line says why, and every item comes back intact.
source "$TOP_SRCDIR/tests/integration/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! timeout 10 unshare -m --propagation private true 2>/dev/null; then
    echo "SKIP: needs root for a /dev/shm of its own"
    exit 77
fi
export MPR_CHECK="${MPR_CHECK-1}"

# small_shm N [mprun options] PROGRAM ARGS: a job in a 64 MiB /dev/shm;
# sets RC and LAST_OUTPUT. Nothing of mpr may be left in it afterwards.
small_shm() {
    local n=$1 out opts=()
    shift
    [ "$n" -gt 2 ] && opts+=(--oversubscribe)
    out=$(mktemp)
    timeout -k 5 120 unshare -m --propagation private /bin/bash -c '
        mount -t tmpfs -o size=64m,mode=1777 tmpfs /dev/shm || exit 99
        "$@"
        rc=$?
        ls /dev/shm | grep "^mpr-" && echo "FAIL: files left in the 64 MiB /dev/shm"
        exit $rc' _ "$MPRUN" -n "$n" --timeout "$JOB_TIMEOUT" "${opts[@]}" "$@" >"$out" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$out")
    rm -f "$out"
}

for n in 1 2 4; do
    small_shm "$n" "$TESTS_BIN/obj_queue_limits" ten
    expect_rc 0 "-n $n: ten default queues in a 64 MiB /dev/shm"
done
small_shm 2 -x MPR_QUEUE_DATA_BYTES=134217728 "$TESTS_BIN/obj_queue_limits" shmfull
expect_rc 0 "-n 2: a queue with 128 MiB of data room in a 64 MiB /dev/shm fills up cleanly"
n=$(grep -c "^mpr: rank 0: a queue's data room cannot grow past [0-9]* KiB (of 131072): /dev/shm: No space left on device; puts that need more find the queue full$" <<<"$LAST_OUTPUT")
[ "$n" -eq 1 ] && pass "one line says why" || fail "$n lines say why: $LAST_OUTPUT"
grep '^shmfull:' <<<"$LAST_OUTPUT"
small_shm 3 -x MPR_QUEUE_DATA_BYTES=134217728 "$TESTS_BIN/obj_queue_limits" shmfull
expect_rc 0 "-n 3: the same, oversubscribed"

finish
