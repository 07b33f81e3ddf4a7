#!/bin/bash
# coll_algs.sh - the fast collectives on one host (coll_algs.c,
# coll_algs_die.c and the coll_*.c programs): shared-memory barrier and
# bcast on the world and on split communicators with 1..8 ranks, every
# forced algorithm (MPR_COLL_BARRIER, MPR_COLL_BCAST), tiny slots (the
# bcast ring wraps and flow control works), forced TCP, a /dev/shm too
# small for the collectives, a rank dying inside a collective, no /dev/shm
# leftovers. The hierarchical path across hosts:
# coll_algs_multihost.sh. coll_algs with 1..4 ranks over each transport:
# transports.sh.

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
# Collectives compare their calls first (MPR_CHECK=1) unless the
# environment says otherwise (coll_*_unchecked.sh run with it off).
export MPR_CHECK="${MPR_CHECK-1}"
ulimit -c 0

singleton coll_algs quick
for n in 5 6 7 8; do
    job "$n" coll_algs quick strict
done

# every forced algorithm
for alg in shm shm_leader dissemination hier; do
    job 4 -x MPR_COLL_BARRIER=$alg -- coll_barrier
    job 5 -x MPR_COLL_BARRIER=$alg -- coll_algs quick
done
for alg in shm binomial chain hier; do
    job 4 -x MPR_COLL_BCAST=$alg -- coll_bcast 4
    job 5 -x MPR_COLL_BCAST=$alg -- coll_algs quick
    job 3 -x MPR_COLL_BCAST=$alg -- coll_mix
done
job 3 -x MPR_COLL_BCAST=chain -x MPR_COLL_BARRIER=dissemination -- coll_algs quick strict

# two tiny slots: every bcast wraps the ring many times
job 4 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2 -- coll_algs quick strict
job 4 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2 -x MPR_COLL_SHM_BIG_SLOTS=3 -- coll_algs quick strict
job 2 -x MPR_COLL_SHM_SLOT=1024 -x MPR_COLL_SHM_SLOTS=2 -- coll_mix

# no shared memory: point-to-point over TCP (coll_algs itself: transports.sh);
# a forced shm algorithm says once it cannot
run 3 -x MPR_TRANSPORT=tcp -x MPR_COLL_BARRIER=shm -x MPR_COLL_BCAST=shm -- coll_barrier
expect_rc 0 "MPR_TRANSPORT=tcp with MPR_COLL_BARRIER=shm and MPR_COLL_BCAST=shm"
for c in BARRIER BCAST; do
    count=$(grep -c "MPR_COLL_$c=shm cannot serve" <<<"$LAST_OUTPUT")
    if [ "$count" -eq 1 ]; then
        pass "the $c fallback is said once"
    else
        fail "the $c fallback is said $count times: $LAST_OUTPUT"
    fi
done
run 2 -x MPR_COLL_BCAST=bogus -x MPR_COLL_BARRIER=auto -- coll_bcast 2
# (the same line from each rank that got that far)
if [ "$RC" -ne 0 ] && [ "$(grep -c 'MPR_COLL_BCAST=bogus is not allowed: one of auto, ' <<<"$LAST_OUTPUT")" -ge 1 ] &&
    [ "$(grep '^mpr: ' <<<"$LAST_OUTPUT" | sort -u | wc -l)" -eq 1 ]; then
    pass "an unknown algorithm is refused at mpr_init, in one line (exit $RC)"
else
    fail "an unknown algorithm: $LAST_OUTPUT"
fi

# /dev/shm too small for the collectives' segment (the transport's fits):
# MPR_ERR_SHM said on stderr, every collective over point-to-point, no SIGBUS
if [ "$(id -u)" -eq 0 ] && timeout 10 unshare -m --propagation private true 2>/dev/null; then
    expect_exit 0 "-n 2 coll_algs in a 1400 KiB /dev/shm" -- unshare -m --propagation private \
        /bin/bash -c 'mount -t tmpfs -o size=1400k tmpfs /dev/shm && exec "$@"' _ \
        "$MPRUN" -n 2 --timeout "$JOB_TIMEOUT" "$TESTS_BIN/coll_algs" quick strict
    if grep -q "shared memory in /dev/shm for collectives" <<<"$LAST_OUTPUT"; then
        pass "a full /dev/shm is said, then point-to-point"
    else
        fail "a full /dev/shm: no message in: $LAST_OUTPUT"
    fi
else
    echo "note: cannot make a small /dev/shm here (needs root and unshare -m)"
fi

# a rank dies inside a shared-memory collective: the others fail or are killed
JOB_TIMEOUT=30
for what in barrier bcast bcast_large; do
    run 4 coll_algs_die "$what" "$MARK"
    expect_ended "the last of 4 ranks dies during $what"
    if [ "$RC" -ne 0 ]; then pass "the job failed (exit $RC)"; else fail "exit 0 after a death"; fi
    no_procs "after a death during $what"
done

no_leftovers
finish
