# mpr-objbench: throughput and latency of the shared objects, and
# posix-objbench, the same hand-offs through raw POSIX semaphores, which
# bench/objbench-compare runs beside mpr and Python's multiprocessing.
bin_PROGRAMS += mpr-objbench
mpr_objbench_SOURCES = bench/mpr-objbench.c
mpr_objbench_LDADD = runtime/libmpr.la
noinst_PROGRAMS += bench/posix-objbench
bench_posix_objbench_SOURCES = bench/posix-objbench.c
bench_posix_objbench_LDADD = -lpthread
EXTRA_DIST += bench/objbench-compare

# make objbench-compare [OBJBENCH_COMPARE_FLAGS='--ranks 2,4 --repeat 5']
OBJBENCH_COMPARE_FLAGS =
.PHONY: objbench-compare
objbench-compare: mpr-objbench$(EXEEXT) bench/posix-objbench$(EXEEXT) mprun$(EXEEXT)
	python3 $(srcdir)/bench/objbench-compare --build $(abs_top_builddir) $(OBJBENCH_COMPARE_FLAGS)
