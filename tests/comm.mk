# Communicators (issue 4): dup, split, free, rank translation, isolation.
# Included from tests/local.mk.
check_PROGRAMS += tests/integration/comm_split
tests_integration_comm_split_SOURCES = tests/integration/comm_split.c tests/integration/check.h
tests_integration_comm_split_LDADD = runtime/libmpr.la

TESTS += tests/integration/comm.sh
EXTRA_DIST += tests/integration/comm.sh
