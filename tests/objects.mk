# The shared objects (runtime/objects): queue, event, semaphore, lock,
# rlock, barrier object, condition, pipe, Manager containers (dict, list,
# namespace), on one host (objects.sh, manager.sh) and with ranks on 2-3
# hosts made of network namespaces (objects_multihost.sh,
# pipe_multihost.sh, manager_multihost.sh; SKIP without root); the service's wire
# format and the queue's ring alone. Included from tests/local.mk, which
# says how to register a test.

UNIT_TESTS += tests/unit/test_objects_wire tests/unit/test_queue_ring
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
	tests/integration/obj_pipe
# The Manager containers: dict, list, namespace (manager.sh, manager_multihost.sh)
TEST_BINS += tests/integration/obj_dict tests/integration/obj_list
EXTRA_DIST += tests/integration/obj_shared.h

TEST_SH += \
	tests/integration/objects.sh \
	tests/integration/objects_multihost.sh \
	tests/integration/pipe_multihost.sh
TEST_SH += tests/integration/manager.sh tests/integration/manager_multihost.sh
TEST_SH += tests/integration/queue_limits.sh tests/integration/queue_small_shm.sh
