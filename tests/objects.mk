# Integration tests of the shared objects (queue, event, semaphore, lock,
# rlock, barrier object, condition):
# self-checking programs run under mprun by tests/integration/objects.sh.
# Included from tests/local.mk.

OBJECTS_TEST_BINS = \
	tests/integration/obj_queue \
	tests/integration/obj_event \
	tests/integration/obj_semaphore \
	tests/integration/obj_lock \
	tests/integration/obj_rlock \
	tests/integration/obj_barrier \
	tests/integration/obj_condition \
	tests/integration/obj_die \
	tests/integration/obj_mixed
check_PROGRAMS += $(OBJECTS_TEST_BINS)

tests_integration_obj_queue_SOURCES = tests/integration/obj_queue.c tests/integration/obj_shared.h
tests_integration_obj_queue_LDADD = runtime/libmpr.la
tests_integration_obj_event_SOURCES = tests/integration/obj_event.c tests/integration/obj_shared.h
tests_integration_obj_event_LDADD = runtime/libmpr.la
tests_integration_obj_semaphore_SOURCES = tests/integration/obj_semaphore.c tests/integration/obj_shared.h
tests_integration_obj_semaphore_LDADD = runtime/libmpr.la
tests_integration_obj_lock_SOURCES = tests/integration/obj_lock.c tests/integration/obj_shared.h
tests_integration_obj_lock_LDADD = runtime/libmpr.la
tests_integration_obj_rlock_SOURCES = tests/integration/obj_rlock.c tests/integration/obj_shared.h
tests_integration_obj_rlock_LDADD = runtime/libmpr.la
tests_integration_obj_barrier_SOURCES = tests/integration/obj_barrier.c tests/integration/obj_shared.h
tests_integration_obj_barrier_LDADD = runtime/libmpr.la
tests_integration_obj_condition_SOURCES = tests/integration/obj_condition.c tests/integration/obj_shared.h
tests_integration_obj_condition_LDADD = runtime/libmpr.la
tests_integration_obj_die_SOURCES = tests/integration/obj_die.c
tests_integration_obj_die_LDADD = runtime/libmpr.la
tests_integration_obj_mixed_SOURCES = tests/integration/obj_mixed.c tests/integration/check.h
tests_integration_obj_mixed_LDADD = runtime/libmpr.la

TESTS += tests/integration/objects.sh
EXTRA_DIST += tests/integration/objects.sh

# Across hosts (network namespaces; SKIP without root): the programs above
# with ranks on 2-3 hosts, and the service's wire format alone.
TESTS += tests/integration/objects_multihost.sh
EXTRA_DIST += tests/integration/objects_multihost.sh
check_PROGRAMS += tests/unit/test_objects_wire
TESTS += tests/unit/test_objects_wire
tests_unit_test_objects_wire_SOURCES = tests/unit/test_objects_wire.c runtime/objects/objects_wire.c
tests_unit_test_objects_wire_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_objects_wire_LDADD = $(CMOCKA_LIBS)
