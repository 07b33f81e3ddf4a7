# mpr-bench: point-to-point and collective micro-benchmarks.
# Its sources also build against MPI (shim_mpi.h), which is how
# bench/mpr-bench-compare sets mpr beside Open MPI and MPICH.
bin_PROGRAMS += mpr-bench
mpr_bench_SOURCES = bench/mpr-bench.c bench/mpr-bench.h bench/bench-p2p.c bench/bench-coll.c \
	bench/bench-reduce.c bench/shim.h bench/shim_mpr.h
mpr_bench_LDADD = runtime/libmpr.la
EXTRA_DIST += bench/shim_mpi.h bench/mpr-bench-compare bench/bench_smoke.sh bench/floor.c

# make check: mpr-bench checks its own results (every test at 2 ranks, the
# collectives at 3) on small sizes; no figure is judged.
TESTS += bench/bench_smoke.sh

# make bench-compare [BENCH_COMPARE_FLAGS='-n 4 --tests barrier']: mpr beside
# Open MPI and MPICH, with this build tree's mprun and mpr-bench.
BENCH_COMPARE_FLAGS =
.PHONY: bench-compare
bench-compare: mpr-bench$(EXEEXT) mprun$(EXEEXT)
	$(srcdir)/bench/mpr-bench-compare --mprun $(abs_top_builddir)/mprun \
	  --mpr-bench $(abs_top_builddir)/mpr-bench $(BENCH_COMPARE_FLAGS)
include $(srcdir)/bench/objects.mk
