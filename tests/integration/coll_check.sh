#!/bin/bash
# coll_check.sh - the collective checking mode, MPR_CHECK=1 (coll_check.c):
# mismatched kinds, roots, counts, datatypes, ops, objects and
# communicators fail with MPR_ERR_COLL_MISMATCH on every rank, with one
# line on stderr each, and nothing hangs; matching calls (v-variants,
# MPR_IN_PLACE, count 0, splits) succeed with the mode on and off; over
# shared memory and TCP, 1 to 8 ranks (1..4 over each transport, checking
# mode on: transports.sh).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"


for n in 5 6 7 8; do
    job "$n" -x MPR_CHECK=1 -- coll_check mismatches
    expect_mismatch_lines "-n $n"
done
job 3 -x MPR_CHECK=1 -x MPR_COLL_BARRIER=dissemination -x MPR_COLL_BCAST=binomial \
    -x MPR_COLL_REDUCE=binomial -- coll_check mismatches
expect_mismatch_lines "-n 3 point-to-point algorithms"

# the line of the report, word for word
job 2 -x MPR_CHECK=1 -- coll_check mismatches
if grep -q '^mpr: rank 0: collective mismatch on comm 0x0: rank 0 called queue_free(object 0-0), rank 1 called barrier$' <<<"$LAST_OUTPUT"; then
    pass "queue_free against barrier is said as such"
else
    fail "no queue_free/barrier line in: $LAST_OUTPUT"
fi
if grep -q 'rank 0 called bcast(root 0, 8 bytes), rank 1 called bcast(root 1, 8 bytes)' <<<"$LAST_OUTPUT" &&
   grep -q 'rank 0 called allreduce(4 x long, sum), rank 1 called allreduce(4 x long, max)' <<<"$LAST_OUTPUT"; then
    pass "roots and ops are named"
else
    fail "roots or ops not named in: $LAST_OUTPUT"
fi

job 8 -x MPR_CHECK=1 -- coll_check matching
if grep -q 'collective mismatch' <<<"$LAST_OUTPUT"; then
    fail "-n 8 matching calls reported as a mismatch: $LAST_OUTPUT"
fi
for n in 1 2 4 8; do
    job "$n" coll_check matching
done
job 4 -x MPR_CHECK=0 -- coll_check matching

no_leftovers
finish
