# libmpr: the runtime library.
lib_LTLIBRARIES += runtime/libmpr.la
runtime_libmpr_la_SOURCES = \
	runtime/lifecycle.c
# core: state, start and end, wire-up, requests, matching, point-to-point,
# progress and the wait, liveness, communicators, datatypes, logging
runtime_libmpr_la_SOURCES += \
	runtime/core/mpr_internal.h \
	runtime/core/errors.c \
	runtime/core/log.c runtime/core/log.h \
	runtime/core/init.c \
	runtime/core/output.c \
	runtime/core/wireup.c \
	runtime/core/progress.c \
	runtime/core/wait.c runtime/core/wait.h runtime/core/cpu_relax.h runtime/core/futex.h \
	runtime/core/liveness.c runtime/core/failure_note.c \
	runtime/core/request.c \
	runtime/core/match.c runtime/core/match.h \
	runtime/core/p2p.c runtime/core/msgbuf.c \
	runtime/core/flow.c \
	runtime/core/env.c runtime/core/env.h \
	runtime/core/comm.c \
	runtime/core/datatype.c runtime/core/datatype.h \
	runtime/core/segment.c runtime/core/segment.h \
	runtime/core/net.c runtime/core/net.h runtime/core/endpoint.c \
	runtime/core/wire_bytes.h runtime/core/peer_copy.h
# transports: the interface, the table, and one folder each
runtime_libmpr_la_SOURCES += \
	runtime/transport/transport.h \
	runtime/transport/select.c \
	runtime/transport/self/self.c \
	runtime/transport/shm/shm.c \
	runtime/transport/shm/shm_ring.c runtime/transport/shm/shm_ring.h \
	runtime/transport/tcp/tcp.c runtime/transport/tcp/tcp.h \
	runtime/transport/tcp/tcp_conn.c \
	runtime/transport/tcp/tcp_wire.c runtime/transport/tcp/tcp_wire.h
# collectives, and the communicators they make
runtime_libmpr_la_SOURCES += \
	runtime/coll/coll.c runtime/coll/coll.h runtime/coll/coll_shm.h \
	runtime/coll/coll_select.c \
	runtime/coll/coll_tune.c \
	runtime/coll/coll_gather.c \
	runtime/coll/coll_reduce.c \
	runtime/coll/coll_util.c \
	runtime/coll/coll_shm.c \
	runtime/coll/coll_shm_reduce.c \
	runtime/coll/coll_shm_flat.c \
	runtime/coll/coll_check.c runtime/coll/coll_check.h \
	runtime/coll/comm_create.c
runtime_libmpr_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(PMIX_CFLAGS)
runtime_libmpr_la_LIBADD = $(PMIX_LIBS) -lrt
runtime_libmpr_la_LDFLAGS = -version-info 0:0:0 -export-symbols-regex '^(mpr_[a-z]|mpr__comm_world$$)'

# Shared objects: queue, event, semaphore, lock (docs/objects.md).
runtime_libmpr_la_SOURCES += \
	runtime/objects/objects.c runtime/objects/objects.h \
	runtime/objects/queue.c \
	runtime/objects/queue_ring.c runtime/objects/queue_ring.h \
	runtime/objects/event.c \
	runtime/objects/semaphore.c \
	runtime/objects/lock.c \
	runtime/objects/rlock.c \
	runtime/objects/barrier.c \
	runtime/objects/condition.c \
	runtime/objects/array.c \
	runtime/objects/store.c runtime/objects/store.h \
	runtime/objects/dict.c \
	runtime/objects/list.c \
	runtime/objects/namespace.c \
	runtime/objects/pipe.c runtime/objects/pipe.h \
	runtime/objects/pool.c runtime/objects/pool.h runtime/objects/pool_root.c \
	runtime/objects/pool_worker.c runtime/objects/pool_wire.c \
	runtime/objects/objects_wire.c runtime/objects/objects_wire.h \
	runtime/objects/objects_service.c \
	runtime/objects/objects_remote.c
runtime_libmpr_la_CFLAGS = $(AM_CFLAGS) -pthread
runtime_libmpr_la_LIBADD += -lpthread
