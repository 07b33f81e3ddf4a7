# Reductions, gather/scatter family (issue 4): self-checking programs run
# under mprun by tests/integration/coll_family.sh. Included from tests/local.mk.

COLL_FAMILY_TEST_BINS = \
	tests/integration/coll_reduce \
	tests/integration/coll_gather
check_PROGRAMS += $(COLL_FAMILY_TEST_BINS)

tests_integration_coll_reduce_SOURCES = tests/integration/coll_reduce.c
tests_integration_coll_reduce_LDADD = runtime/libmpr.la
tests_integration_coll_gather_SOURCES = tests/integration/coll_gather.c
tests_integration_coll_gather_LDADD = runtime/libmpr.la

COLL_FAMILY_TESTS = \
	tests/integration/coll_family.sh \
	tests/integration/coll_family_unchecked.sh
TESTS += $(COLL_FAMILY_TESTS)
EXTRA_DIST += $(COLL_FAMILY_TESTS)

# Types and reduction ops alone, without a job.
check_PROGRAMS += tests/unit/test_datatype
TESTS += tests/unit/test_datatype
tests_unit_test_datatype_SOURCES = tests/unit/test_datatype.c runtime/core/datatype.c
tests_unit_test_datatype_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
tests_unit_test_datatype_LDADD = $(CMOCKA_LIBS)
