#!/bin/bash
# mpi.sh - the MPI layer over mpr: environment and error classes, point-
# to-point, collectives, communicators and groups, derived datatypes
# (programs mpi_*.c) at 1..8 ranks over shared memory and over TCP, the
# fatal default error handler ending the job with the rank, call and error
# named, and the classic programs (ring, halo exchange, matrix multiply,
# Monte Carlo pi).

source "$TOP_SRCDIR/tests/integration/lib.sh"
use_private_shm "$0" "$@"
ulimit -c 0

for prog in mpi_env mpi_p2p mpi_coll mpi_comm mpi_types; do
    singleton "$prog"
    for n in 2 3 4; do
        job "$n" "$prog"
    done
    job 2 -x MPR_TRANSPORT=tcp -- "$prog"
    job 3 -x MPR_TRANSPORT=tcp -- "$prog"
done
job 8 mpi_p2p
job 8 mpi_coll
for n in 2 4; do
    job "$n" mpi_coll finalize
done
job 3 -x MPR_TRANSPORT=tcp -- mpi_coll finalize
job 5 mpi_types
for level in single funneled serialized multiple; do
    job 2 mpi_env "$level"
done

# MPI_ERRORS_ARE_FATAL: the job ends (not hangs) with the error named
# expect_fatal N CASE PATTERN: run mpi_fatal CASE, want a non-zero exit
# and PATTERN in the output.
expect_fatal() {
    run "$1" mpi_fatal "$2" "$MARK"
    if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] && grep -q -- "$3" <<<"$LAST_OUTPUT"; then
        pass "fatal $2: job ended (exit $RC) naming '$3'"
    else
        fail "fatal $2: exit $RC, wanted the job to end with '$3'; output:"
        printf '%s\n' "$LAST_OUTPUT" | tail -20 >&2
    fi
}
expect_fatal 3 rank "mpr-mpi: rank 1: MPI_Send: MPI_ERR_RANK"
expect_fatal 2 truncate "mpr-mpi: rank 0: MPI_Recv: MPI_ERR_TRUNCATE"
expect_fatal 3 comm "mpr-mpi: rank 2: MPI_Bcast: MPI_ERR_COMM"
expect_fatal 3 dup "mpr-mpi: rank 1: MPI_Ssend: MPI_ERR_RANK"
run 3 -x MPR_TRANSPORT=tcp -- mpi_fatal rank "$MARK"
[ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q "rank 1: MPI_Send: MPI_ERR_RANK" <<<"$LAST_OUTPUT" &&
    pass "fatal over tcp" || fail "fatal over tcp: exit $RC: $LAST_OUTPUT"
run 3 mpi_fatal abort "$MARK"
expect_rc 7 "MPI_Abort(world, 7) ends the job with 7"
job 3 mpi_fatal return
# a rank that dies: the others' calls needing it return MPI_ERR_PROC_FAILED
run 3 --enable-recovery -- mpi_fatal died "$MARK"
if [ "$(grep -c 'died ok' <<<"$LAST_OUTPUT")" -eq 2 ] && ! grep -q FAIL: <<<"$LAST_OUTPUT"; then
    pass "a dead rank: receive, wildcard receive, allreduce return MPI_ERR_PROC_FAILED"
else
    fail "dead rank: exit $RC: $LAST_OUTPUT"
fi
no_procs "fatal jobs"

# classic programs
for n in 1 2 4 8; do
    job "$n" mpi_ring 50
    job "$n" mpi_halo 40 30
    job "$n" mpi_matmul 29
    job "$n" mpi_pi 50000
done
job 3 -x MPR_TRANSPORT=tcp -- mpi_halo 40 30
job 3 -x MPR_TRANSPORT=tcp -- mpi_matmul 29
no_leftovers
finish
