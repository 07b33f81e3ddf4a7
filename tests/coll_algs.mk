# Fast (shared-memory, hierarchical) collectives and forced algorithms (issue 4).

COLL_ALGS_BINS = \
	tests/integration/coll_algs \
	tests/integration/coll_algs_die \
	tests/integration/coll_skew \
	tests/integration/coll_check
check_PROGRAMS += $(COLL_ALGS_BINS)

tests_integration_coll_algs_SOURCES = tests/integration/coll_algs.c
tests_integration_coll_algs_LDADD = runtime/libmpr.la
tests_integration_coll_algs_die_SOURCES = tests/integration/coll_algs_die.c
tests_integration_coll_algs_die_LDADD = runtime/libmpr.la
tests_integration_coll_skew_SOURCES = tests/integration/coll_skew.c
tests_integration_coll_skew_LDADD = runtime/libmpr.la
tests_integration_coll_check_SOURCES = tests/integration/coll_check.c
tests_integration_coll_check_LDADD = runtime/libmpr.la

COLL_ALGS_TESTS = \
	tests/integration/coll_algs.sh \
	tests/integration/coll_algs_unchecked.sh \
	tests/integration/coll_algs_multihost.sh \
	tests/integration/coll_skew.sh \
	tests/integration/coll_check.sh \
	tests/integration/coll_check_multihost.sh
TESTS += $(COLL_ALGS_TESTS)
EXTRA_DIST += $(COLL_ALGS_TESTS)
