#!/bin/bash
# mpi_osu.sh - the OSU Micro-Benchmarks 5.3, unmodified, built with this
# build tree's mprcc (configure CC=mprcc CXX=mprcc) in a temporary
# directory, and each benchmark the MPI layer must carry run once at 2
# ranks on small sizes: point-to-point (latency, bw, bibw, mbw_mr,
# multi_lat) and the blocking collectives. Exit 77 when the tarball is
# not there: set OSU_TARBALL, or keep it in ../shared/third_party (or
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
mkdir "$work/build"
cd "$work/build" || exit 1
if ! "$work/$name/configure" CC="$MPRCC" CXX="$MPRCC" >configure.log 2>&1; then
    fail "configure CC=mprcc failed:"
    tail -20 configure.log >&2
    finish
fi
pass "configure CC=mprcc CXX=mprcc"

pt2pt=(osu_latency osu_bw osu_bibw osu_mbw_mr osu_multi_lat)
coll=(osu_barrier osu_bcast osu_reduce osu_allreduce osu_gather osu_gatherv osu_scatter
      osu_scatterv osu_allgather osu_allgatherv osu_alltoall osu_alltoallv osu_reduce_scatter)
# Only these: the directory also holds the non-blocking collectives,
# which are outside the subset.
for d in pt2pt collective; do
    if [ $d = pt2pt ]; then progs=("${pt2pt[@]}"); else progs=("${coll[@]}"); fi
    if make -C mpi/$d -j2 "${progs[@]}" >make-$d.log 2>&1; then
        pass "built ${progs[*]}"
    else
        fail "make in mpi/$d failed:"
        grep -E "error|undefined" make-$d.log | head -20 >&2
    fi
done

# run_osu PROG ARGS...: one run at 2 ranks; its table must have rows.
run_osu() {
    local prog=$1 out rc
    shift
    out=$(timeout -k 5 60 "$MPRUN" -n 2 --timeout 50 "$prog" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && grep -qE '^[0-9]+ +[0-9.]+' <<<"$out" || { [ $rc -eq 0 ] && grep -qE '^ +[0-9.]+$' <<<"$out"; }; then
        pass "$(basename "$prog") $*"
    else
        fail "$(basename "$prog") $*: exit $rc; output:"
        tail -10 <<<"$out" >&2
    fi
}
for p in osu_latency osu_bw osu_bibw osu_multi_lat; do
    run_osu mpi/pt2pt/$p -i 10 -x 2
done
run_osu mpi/pt2pt/osu_mbw_mr -w 8
for p in "${coll[@]}"; do
    if [ $p = osu_barrier ]; then
        run_osu mpi/collective/$p -i 10 -x 2
    else
        run_osu mpi/collective/$p -m 1:4096 -i 10 -x 2
    fi
done
finish
