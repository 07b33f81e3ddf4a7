# The core (runtime/core): point-to-point, matching, communicators,
# datatypes, error returns, jobs that end badly, the failure rule.
# Included from tests/local.mk, which says how to register a test.

UNIT_TESTS += tests/unit/test_match tests/unit/test_datatype tests/unit/test_wait tests/unit/test_msgbuf \
	tests/unit/test_peer_copy
tests_unit_test_match_SOURCES = tests/unit/test_match.c runtime/core/match.c
tests_unit_test_match_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_match_LDADD = $(UNIT_LDADD)
# Types and reduction ops alone, without a job.
tests_unit_test_msgbuf_SOURCES = tests/unit/test_msgbuf.c runtime/core/msgbuf.c
tests_unit_test_msgbuf_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_msgbuf_LDADD = $(UNIT_LDADD)
# Copies into shared memory (rep movsb when aligned alike, from MPR__PEER_COPY_MIN on).
tests_unit_test_peer_copy_SOURCES = tests/unit/test_peer_copy.c
tests_unit_test_peer_copy_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_peer_copy_LDADD = $(UNIT_LDADD)

tests_unit_test_datatype_SOURCES = tests/unit/test_datatype.c runtime/core/datatype.c
tests_unit_test_datatype_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_datatype_LDADD = $(UNIT_LDADD)
# The one wait, against fake transports.
tests_unit_test_wait_SOURCES = tests/unit/test_wait.c runtime/core/wait.c runtime/core/env.c runtime/core/log.c
tests_unit_test_wait_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_wait_LDADD = $(UNIT_LDADD) -lpthread -lm

# Self-checking programs: each exits 0 when all its checks pass, else
# prints "rank R: FAIL: ..." and exits 1. The point-to-point programs also
# run over every transport in tests/integration/transports.sh.
TEST_BINS += \
	tests/integration/p2p_basic \
	tests/integration/p2p_order \
	tests/integration/p2p_trunc \
	tests/integration/p2p_large \
	tests/integration/comm_split \
	tests/integration/misc_errors \
	tests/integration/misc_abort \
	tests/integration/fail_rule

TEST_SH += \
	tests/integration/p2p.sh \
	tests/integration/comm.sh \
	tests/integration/runtime_errors.sh \
	tests/integration/fail_rule.sh \
	tests/integration/fail_rule_multihost.sh
