#!/bin/bash
# mpi_osu.sh - the OSU Micro-Benchmarks 5.3, unmodified, built with this
# build tree's mprcc in a temporary directory, and each benchmark the MPI
# layer must carry run once at 2 ranks on small sizes: point-to-point
# (latency, bw, bibw, mbw_mr, multi_lat) and the blocking collectives;
# then a few at 4 ranks over tcp. Exit 77 when the tarball is not there:
# set OSU_TARBALL, or keep it in ../shared/third_party (or
# ../../shared/third_party) beside the source tree.

source "$TOP_SRCDIR/tests/integration/lib.sh"
source "$TOP_SRCDIR/tests/integration/mpi_lib.sh"

name=osu-micro-benchmarks-5.3
tarball=${OSU_TARBALL:-}
for dir in "$TOP_SRCDIR/../shared/third_party" "$TOP_SRCDIR/../../shared/third_party"; do
    [ -z "$tarball" ] && [ -f "$dir/$name.tar.gz" ] && tarball="$dir/$name.tar.gz"
done
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
    echo "SKIP: $name.tar.gz not found (set OSU_TARBALL)"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpi_stage_mprcc "$work/stage" || { echo "SKIP: libraries not built shared"; exit 77; }
tar -xzf "$tarball" -C "$work" || { fail "cannot unpack $tarball"; finish; }
mkdir -p "$work/build/mpi/pt2pt" "$work/build/mpi/collective"
cd "$work/build" || exit 1

pt2pt=(osu_latency osu_bw osu_bibw osu_mbw_mr osu_multi_lat)
coll=(osu_barrier osu_bcast osu_reduce osu_allreduce osu_gather osu_gatherv osu_scatter
      osu_scatterv osu_allgather osu_allgatherv osu_alltoall osu_alltoallv osu_reduce_scatter)
# Each program from the C sources its Makefile.am names (else PROG.c),
# with mprcc and the two settings OSU's configure defines, as its
# makefiles do; the configure itself (CC=mprcc CXX=mprcc) is left to
# bench/osu-compare, as it takes minutes on a loaded machine. Only these:
# the directories also hold the non-blocking collectives, which are
# outside the subset.
build_osu() {
    local d=$1 p src="$work/$name/mpi/$1" files
    shift
    for p in "$@"; do
        files=($(sed -n "s/^${p}_SOURCES *= *//p" "$src/Makefile.am" | tr ' ' '\n' | grep '\.c$'))
        [ ${#files[@]} -gt 0 ] || files=("$p.c")
        "$MPRCC" -O2 -DFIELD_WIDTH=18 -DFLOAT_PRECISION=2 -I"$src" -o mpi/$d/$p \
            "${files[@]/#/$src/}" -lm 2>>build-$d.log || return 1
    done
}
build_osu pt2pt "${pt2pt[@]}" &
pt2pt_build=$!
build_osu collective "${coll[@]}"
coll_rc=$?
if wait $pt2pt_build && [ $coll_rc -eq 0 ]; then
    pass "built with mprcc: ${pt2pt[*]} ${coll[*]}"
else
    fail "building with mprcc failed:"
    cat build-*.log | grep -E "error|undefined" | head -20 >&2
    finish
fi

# run_osu PROG ARGS...: one run at $OSU_N ranks (2 unless set) with the
# mprun options $OSU_MPRUN_OPTS; its table must have rows.
OSU_N=2
OSU_MPRUN_OPTS=()
run_osu() {
    local prog=$1 out rc what
    shift
    what="$(basename "$prog") $* (-n $OSU_N${OSU_MPRUN_OPTS[*]:+ ${OSU_MPRUN_OPTS[*]}})"
    out=$(timeout -k 5 60 "$MPRUN" -n $OSU_N --oversubscribe --timeout 50 "${OSU_MPRUN_OPTS[@]}" \
        "$prog" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && grep -qE '^[0-9]+ +[0-9.]+' <<<"$out" || { [ $rc -eq 0 ] && grep -qE '^ +[0-9.]+$' <<<"$out"; }; then
        pass "$what"
    else
        fail "$what: exit $rc; output:"
        tail -10 <<<"$out" >&2
    fi
}
# osu_bw and osu_bibw send windows of 64 messages up to 4 MiB (no -m in 5.3).
run_osu mpi/pt2pt/osu_latency -i 10 -x 2
run_osu mpi/pt2pt/osu_multi_lat -i 10 -x 2
run_osu mpi/pt2pt/osu_bw -i 1 -x 1
run_osu mpi/pt2pt/osu_bibw -i 1 -x 1
run_osu mpi/pt2pt/osu_mbw_mr -w 8
for p in "${coll[@]}"; do
    if [ $p = osu_barrier ]; then
        run_osu mpi/collective/$p -i 10 -x 2
    else
        run_osu mpi/collective/$p -m 1:4096 -i 10 -x 2
    fi
done
# Two at 4 ranks over TCP (pairs; uneven counts to every rank);
# bench/osu-compare runs them all at 2, 4 and 8 ranks over shm and tcp.
OSU_N=4
OSU_MPRUN_OPTS=(-x MPR_TRANSPORT=tcp)
run_osu mpi/pt2pt/osu_multi_lat -i 10 -x 2
run_osu mpi/collective/osu_alltoallv -m 1:16384 -i 5 -x 1
finish
