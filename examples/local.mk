# Small programs a user would copy; each says in its header how to run it.
noinst_PROGRAMS += examples/hello examples/ring examples/pingpong examples/bcast examples/pi
examples_hello_SOURCES = examples/hello.c
examples_hello_LDADD = runtime/libmpr.la
examples_ring_SOURCES = examples/ring.c
examples_ring_LDADD = runtime/libmpr.la
examples_pingpong_SOURCES = examples/pingpong.c
examples_pingpong_LDADD = runtime/libmpr.la
examples_bcast_SOURCES = examples/bcast.c
examples_bcast_LDADD = runtime/libmpr.la
examples_pi_SOURCES = examples/pi.c
examples_pi_LDADD = runtime/libmpr.la -lm
include $(srcdir)/examples/objects.mk

# make install puts every example's source under $(docdir)/examples
# (share/doc/mpr/examples), for users to copy; tests/integration/install.sh
# checks that none is missing from this list.
examplesdir = $(docdir)/examples
dist_examples_DATA = \
	examples/hello.c examples/ring.c examples/pingpong.c examples/bcast.c examples/pi.c \
	examples/prodcons.c examples/workers.c examples/event_start.c examples/semaphore_cap.c \
	examples/lock_file.c examples/rlock_log.c examples/barrier_phases.c \
	examples/condition_buffer.c examples/pipe_prodcons.c examples/array_counters.c \
	examples/pool_map.c examples/pool_async.c examples/manager_dict.c examples/example_util.h
