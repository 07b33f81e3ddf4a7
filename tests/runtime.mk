# Integration tests of libmpr: self-checking programs run under mprun by the
# scripts below (each program exits 0 when all its checks pass, else prints
# "rank R: FAIL: ..." and exits 1). Included from tests/local.mk.

RUNTIME_TEST_BINS = \
	tests/integration/p2p_basic \
	tests/integration/p2p_order \
	tests/integration/p2p_trunc \
	tests/integration/p2p_large \
	tests/integration/coll_bcast \
	tests/integration/coll_barrier \
	tests/integration/coll_mix \
	tests/integration/misc_errors \
	tests/integration/misc_abort \
	tests/integration/misc_shm \
	tests/integration/fail_rule
check_PROGRAMS += $(RUNTIME_TEST_BINS)

tests_integration_p2p_basic_SOURCES = tests/integration/p2p_basic.c
tests_integration_p2p_basic_LDADD = runtime/libmpr.la
tests_integration_p2p_order_SOURCES = tests/integration/p2p_order.c
tests_integration_p2p_order_LDADD = runtime/libmpr.la
tests_integration_p2p_trunc_SOURCES = tests/integration/p2p_trunc.c
tests_integration_p2p_trunc_LDADD = runtime/libmpr.la
tests_integration_p2p_large_SOURCES = tests/integration/p2p_large.c
tests_integration_p2p_large_LDADD = runtime/libmpr.la
tests_integration_coll_bcast_SOURCES = tests/integration/coll_bcast.c
tests_integration_coll_bcast_LDADD = runtime/libmpr.la
tests_integration_coll_barrier_SOURCES = tests/integration/coll_barrier.c
tests_integration_coll_barrier_LDADD = runtime/libmpr.la
tests_integration_coll_mix_SOURCES = tests/integration/coll_mix.c
tests_integration_coll_mix_LDADD = runtime/libmpr.la
tests_integration_misc_errors_SOURCES = tests/integration/misc_errors.c
tests_integration_misc_errors_LDADD = runtime/libmpr.la
tests_integration_misc_abort_SOURCES = tests/integration/misc_abort.c
tests_integration_misc_abort_LDADD = runtime/libmpr.la
tests_integration_misc_shm_SOURCES = tests/integration/misc_shm.c
tests_integration_misc_shm_LDADD = runtime/libmpr.la
tests_integration_fail_rule_SOURCES = tests/integration/fail_rule.c
tests_integration_fail_rule_LDADD = runtime/libmpr.la

RUNTIME_TESTS = \
	tests/integration/p2p.sh \
	tests/integration/coll.sh \
	tests/integration/runtime_errors.sh \
	tests/integration/shm.sh \
	tests/integration/fail_rule.sh \
	tests/integration/fail_rule_multihost.sh
TESTS += $(RUNTIME_TESTS)
EXTRA_DIST += $(RUNTIME_TESTS) tests/integration/check.h
