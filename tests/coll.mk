# The collectives (runtime/coll): every family, every forced algorithm,
# the shared-memory and hierarchical paths, the checking mode (MPR_CHECK),
# collectives entered at different times, ranks dying inside one, ranks
# finalizing while slower ones are still inside one (coll_fin*.sh). Most
# scripts run again with the checking mode off (*_unchecked.sh). The
# programs also run over every transport in tests/integration/transports.sh.
# Included from tests/local.mk, which says how to register a test.

# The tuning file's parser, lookup and precedence (runtime/coll/coll_tune.c)
UNIT_TESTS += tests/unit/test_tune
tests_unit_test_tune_SOURCES = tests/unit/test_tune.c runtime/coll/coll_tune.c \
	runtime/coll/coll_select.c runtime/coll/coll_util.c runtime/core/env.c runtime/core/log.c
tests_unit_test_tune_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_tune_LDADD = $(UNIT_LDADD) -lm

TEST_BINS += \
	tests/integration/coll_barrier \
	tests/integration/coll_bcast \
	tests/integration/coll_mix \
	tests/integration/coll_reduce \
	tests/integration/coll_gather \
	tests/integration/coll_algs \
	tests/integration/coll_algs_die \
	tests/integration/coll_skew \
	tests/integration/coll_check \
	tests/integration/coll_fin

TEST_SH += \
	tests/integration/coll.sh \
	tests/integration/coll_family.sh \
	tests/integration/coll_family_unchecked.sh \
	tests/integration/coll_algs.sh \
	tests/integration/coll_algs_unchecked.sh \
	tests/integration/coll_algs_multihost.sh \
	tests/integration/coll_skew.sh \
	tests/integration/coll_check.sh \
	tests/integration/coll_check_multihost.sh \
	tests/integration/coll_fin.sh \
	tests/integration/coll_fin_sizes.sh \
	tests/integration/coll_fin_tcp.sh \
	tests/integration/coll_fin_algs.sh \
	tests/integration/coll_fin_multihost.sh \
	tests/integration/tune.sh
