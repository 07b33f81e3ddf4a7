#!/bin/bash
# shm.sh - libmpr and shared memory: /dev/shm is clean after every job
# (also after crashes and aborts); a full or missing /dev/shm gives a clear
# error naming shared memory, never a SIGBUS (programs: misc_shm.c,
# misc_abort.c).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"

ulimit -c 0
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# --- /dev/shm is clean after good and bad jobs ---------------------------
for n in 1 2 4 8; do
    job "$n" misc_shm
    no_leftovers
done
job 2 -x MPR_SHM_CMA=0 -- misc_shm
no_leftovers
expect_exit 139 "a crash in rank 1 of 3" -- \
    "$MPRUN" -n 3 --oversubscribe --timeout "$JOB_TIMEOUT" "$TESTS_BIN/misc_abort" crash 1
no_leftovers
expect_exit 5 "mpr_abort(5) in rank 0 of 2" -- \
    "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" "$TESTS_BIN/misc_abort" abort 0 5
no_leftovers

# --- a full or missing /dev/shm, in a private mount namespace -------------
# in_private_shm MOUNT-OPTIONS N: mount a fresh tmpfs with MOUNT-OPTIONS on
# /dev/shm in a private mount namespace, run misc_shm with N ranks there,
# then list what is left in that /dev/shm. Sets RC and LAST_OUTPUT. The
# output goes through a file: ranks that outlived a killed mprun cannot keep
# this script waiting for the end of a pipe.
in_private_shm() {
    timeout -k 5 65 unshare -m --propagation private /bin/bash -c '
        mount -t tmpfs -o "$1" tmpfs /dev/shm || exit 99
        timeout -k 5 55 "$2" -n "$3" --oversubscribe --timeout "$4" "$5"
        rc=$?
        echo "left in /dev/shm: [$(ls -A /dev/shm 2>/dev/null | tr "\n" " ")]"
        exit $rc' _ "$1" "$MPRUN" "$2" "$JOB_TIMEOUT" "$TESTS_BIN/misc_shm" >"$OUT" 2>&1
    RC=$?
    LAST_OUTPUT=$(cat "$OUT")
}

# expect_shm_error WHAT: a non-zero exit that is neither a signal nor a
# timeout, a message naming shared memory, MPR_ERR_SHM from mpr_init, and
# nothing left behind.
expect_shm_error() {
    local why=
    if [ "$RC" -eq 0 ]; then
        why="the job succeeded"
    elif [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
        why="timed out"
    elif [ "$RC" -gt 128 ]; then
        why="killed by signal $((RC - 128))"
    elif ! grep -qi 'shared memory' <<<"$LAST_OUTPUT"; then
        why="no message names shared memory"
    elif ! grep -q 'MPR_ERR_SHM' <<<"$LAST_OUTPUT"; then
        why="mpr_init did not return MPR_ERR_SHM"
    elif ! grep -q '^left in /dev/shm: \[\]' <<<"$LAST_OUTPUT"; then
        why="files left in that /dev/shm"
    fi
    if [ -z "$why" ]; then
        pass "$1 (exit $RC, says: $(grep -i -m1 'shared memory' <<<"$LAST_OUTPUT"))"
    else
        fail "$1: $why (exit $RC); output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
}

if ! timeout 20 unshare -m --propagation private /bin/bash -c \
        'mount -t tmpfs -o size=16k tmpfs /dev/shm' >/dev/null 2>&1; then
    echo "SKIP: full or missing /dev/shm: cannot mount a tmpfs in a private mount namespace (needs root and unshare)"
else
    for n in 2 4; do
        in_private_shm size=16k "$n"
        expect_shm_error "a 16 KiB /dev/shm, -n $n"
    done
    in_private_shm ro,size=16k 2
    expect_shm_error "a read-only empty /dev/shm (as good as missing), -n 2"
fi
no_leftovers

finish
