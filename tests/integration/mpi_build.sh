#!/bin/bash
# mpi_build.sh - mprcc builds MPI programs as mpicc does (from this build
# tree: see mpi_lib.sh), and a call outside the subset is a compile-time
# error that names it.

source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/mpi_lib.sh"
# A program mprcc builds without -fsanitize cannot load a sanitized libmpr
# (ASan's runtime must come first): nothing to check in such a build.
if [ -n "${MPR_TEST_SANITIZED:-}" ]; then
    echo "SKIP: programs built by mprcc cannot load the sanitized libmpr"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi_stage_mprcc "$work" || { echo "SKIP: libraries not built shared"; exit 77; }

"$MPRCC" --showme -c x.c | grep -q -- "-Werror=implicit-function-declaration" &&
    pass "mprcc --showme -c: undeclared calls are errors" || fail "showme -c lacks -Werror=implicit-function-declaration"
"$MPRCC" --showme x.c | grep -q -- "-lmpr-mpi -lmpr" &&
    pass "mprcc --showme links libmpr-mpi" || fail "showme does not link libmpr-mpi: $("$MPRCC" --showme x.c)"

cat >"$work/hello.c" <<'C'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    int rank, size, len;
    char name[MPI_MAX_PROCESSOR_NAME];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(name, &len);
    int sum = 0;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    printf("hello from %d of %d, sum %d\n", rank, size, sum);
    MPI_Finalize();
    return sum == size * (size - 1) / 2 ? 0 : 1;
}
C
expect_exit 0 "mprcc -Wall -Wextra -Werror builds an MPI program" -- \
    "$MPRCC" -Wall -Wextra -Werror -O2 -o "$work/hello" "$work/hello.c"
out=$(timeout 60 "$MPRUN" -n 3 --oversubscribe --timeout 50 "$work/hello" 2>&1)
[ "$(grep -c '^hello from' <<<"$out")" -eq 3 ] && pass "it runs under mprun" || fail "hello: $out"
expect_exit 0 "separate compile and link" -- sh -c \
    "'$MPRCC' -c -o '$work/hello.o' '$work/hello.c' && '$MPRCC' -o '$work/hello2' '$work/hello.o'"

cat >"$work/outside.c" <<'C'
#include <mpi.h>
int main(int argc, char **argv)
{
    MPI_Win win;
    MPI_Init(&argc, &argv);
    MPI_Win_create(0, 0, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
    MPI_Finalize();
    return 0;
}
C
cat >"$work/outside_call.c" <<'C'
#include <mpi.h>
int main(int argc, char **argv)
{
    MPI_Request r;
    MPI_Init(&argc, &argv);
    MPI_Ibarrier(MPI_COMM_WORLD, &r);
    MPI_Finalize();
    return 0;
}
C
for prog in outside outside_call; do
    out=$("$MPRCC" -o "$work/$prog" "$work/$prog.c" 2>&1)
    rc=$?
    name=$([ "$prog" = outside ] && echo MPI_Win || echo MPI_Ibarrier)
    if [ "$rc" -ne 0 ] && grep -q "$name" <<<"$out"; then
        pass "$name (not provided) fails at build time, named"
    else
        fail "$prog: exit $rc, output: $out"
    fi
done
finish
