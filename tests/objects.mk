# The shared objects (runtime/objects): queue, event, semaphore, lock,
# rlock, barrier object, condition, array, pipe, pool, Manager containers
# (dict, list, namespace), on one host (objects.sh, pool.sh, manager.sh)
# and with ranks on 2-3 hosts made of network namespaces
# (objects_multihost.sh, pipe_multihost.sh, pool_multihost.sh,
# manager_multihost.sh; SKIP without root); the service's and the pool's
# wire formats and the queue's ring alone. Included from tests/local.mk, which
# says how to register a test.

UNIT_TESTS += tests/unit/test_objects_wire tests/unit/test_queue_ring tests/unit/test_pool_wire
tests_unit_test_pool_wire_SOURCES = tests/unit/test_pool_wire.c runtime/objects/pool_wire.c
tests_unit_test_pool_wire_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_pool_wire_LDADD = $(UNIT_LDADD)
tests_unit_test_objects_wire_SOURCES = tests/unit/test_objects_wire.c runtime/objects/objects_wire.c
tests_unit_test_objects_wire_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_objects_wire_LDADD = $(UNIT_LDADD)
tests_unit_test_queue_ring_SOURCES = tests/unit/test_queue_ring.c runtime/objects/queue_ring.c
tests_unit_test_queue_ring_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_queue_ring_LDADD = $(UNIT_LDADD) -lpthread

TEST_BINS += \
	tests/integration/obj_queue \
	tests/integration/obj_event \
	tests/integration/obj_semaphore \
	tests/integration/obj_lock \
	tests/integration/obj_rlock \
	tests/integration/obj_barrier \
	tests/integration/obj_condition \
	tests/integration/obj_array \
	tests/integration/obj_queue_limits \
	tests/integration/obj_die \
	tests/integration/obj_mixed \
	tests/integration/obj_pipe \
	tests/integration/obj_pool
# The Manager containers: dict, list, namespace (manager.sh, manager_multihost.sh)
TEST_BINS += tests/integration/obj_dict tests/integration/obj_list
EXTRA_DIST += tests/integration/obj_shared.h

TEST_SH += \
	tests/integration/objects.sh \
	tests/integration/objects_multihost.sh \
	tests/integration/pipe_multihost.sh \
	tests/integration/pool.sh \
	tests/integration/pool_multihost.sh
TEST_SH += tests/integration/manager.sh tests/integration/manager_multihost.sh
TEST_SH += tests/integration/queue_limits.sh tests/integration/queue_small_shm.sh
