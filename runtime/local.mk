# libmpr: the runtime library.
lib_LTLIBRARIES += runtime/libmpr.la
runtime_libmpr_la_SOURCES = \
	runtime/mpr_internal.h \
	runtime/errors.c \
	runtime/init.c \
	runtime/wireup.c \
	runtime/progress.c runtime/cpu_relax.h runtime/futex.h \
	runtime/liveness.c \
	runtime/request.c \
	runtime/match.c runtime/match.h \
	runtime/p2p.c \
	runtime/comm.c \
	runtime/coll.c runtime/coll.h runtime/coll_shm.h \
	runtime/coll_select.c \
	runtime/coll_gather.c \
	runtime/coll_reduce.c \
	runtime/coll_util.c \
	runtime/datatype.c \
	runtime/coll_shm.c \
	runtime/coll_shm_reduce.c \
	runtime/coll_check.c runtime/coll_check.h \
	runtime/self.c \
	runtime/shm.c \
	runtime/shm_ring.c runtime/shm_ring.h \
	runtime/shm_segment.c runtime/shm_segment.h \
	runtime/tcp.c runtime/tcp.h \
	runtime/tcp_conn.c \
	runtime/tcp_endpoint.c \
	runtime/tcp_wire.c runtime/tcp_wire.h runtime/wire_bytes.h
runtime_libmpr_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(PMIX_CFLAGS)
runtime_libmpr_la_LIBADD = $(PMIX_LIBS) -lrt
runtime_libmpr_la_LDFLAGS = -version-info 0:0:0 -export-symbols-regex '^(mpr_[a-z]|mpr__comm_world$$)'

# Unit tests of the parts that stand alone.
check_PROGRAMS += tests/unit/test_match tests/unit/test_ring tests/unit/test_tcp_frame
TESTS += tests/unit/test_match tests/unit/test_ring tests/unit/test_tcp_frame
tests_unit_test_match_SOURCES = tests/unit/test_match.c runtime/match.c
tests_unit_test_match_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_match_LDADD = $(CMOCKA_LIBS)
tests_unit_test_ring_SOURCES = tests/unit/test_ring.c runtime/shm_ring.c
tests_unit_test_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_ring_LDADD = $(CMOCKA_LIBS) -lpthread
tests_unit_test_tcp_frame_SOURCES = tests/unit/test_tcp_frame.c runtime/tcp_wire.c
tests_unit_test_tcp_frame_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_tcp_frame_LDADD = $(CMOCKA_LIBS)

# Shared objects: queue, event, semaphore, lock (docs/objects.md).
runtime_libmpr_la_SOURCES += \
	runtime/objects.c runtime/objects.h \
	runtime/queue.c \
	runtime/queue_ring.c runtime/queue_ring.h \
	runtime/event.c \
	runtime/semaphore.c \
	runtime/lock.c \
	runtime/objects_wire.c runtime/objects_wire.h \
	runtime/objects_service.c \
	runtime/objects_remote.c
runtime_libmpr_la_CFLAGS = $(AM_CFLAGS) -pthread
runtime_libmpr_la_LIBADD += -lpthread
check_PROGRAMS += tests/unit/test_queue_ring
TESTS += tests/unit/test_queue_ring
tests_unit_test_queue_ring_SOURCES = tests/unit/test_queue_ring.c runtime/queue_ring.c
tests_unit_test_queue_ring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_queue_ring_LDADD = $(CMOCKA_LIBS) -lpthread
