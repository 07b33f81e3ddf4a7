# Test harness shared by every test fragment, and where the tests of each
# subsystem are registered: one fragment per part of the runtime
# (runtime/core, runtime/transport, runtime/coll, runtime/objects), the
# launcher and the conformance suite. In a fragment, one line registers a
# test:
#
#   TEST_BINS += tests/integration/foo     a program the scripts run, built
#       from tests/integration/foo.c and linked with libmpr (the default
#       LDADD in Makefile.am); no _SOURCES or _LDADD unless it differs
#   TEST_SH += tests/integration/foo.sh    a script make check runs
#   UNIT_TESTS += tests/unit/test_foo      a cmocka program make check runs;
#       it compiles the runtime sources it tests, so it also spells out
#       _SOURCES, _CPPFLAGS = $(UNIT_CPPFLAGS) and _LDADD = $(UNIT_LDADD)
#
# Binaries (cmocka units, self-checking programs) and .sh scripts both run
# under `timeout`, so a hang fails instead of blocking the suite.
TEST_EXTENSIONS = .sh
MPR_TEST_TIMEOUT = 180
LOG_COMPILER = timeout -k 5 $(MPR_TEST_TIMEOUT)
SH_LOG_COMPILER = timeout -k 5 $(MPR_TEST_TIMEOUT) /bin/bash
AM_TESTS_ENVIRONMENT = \
	MPRUN='$(abs_top_builddir)/mprun'; \
	TOP_BUILDDIR='$(abs_top_builddir)'; \
	TOP_SRCDIR='$(abs_top_srcdir)'; \
	export MPRUN TOP_BUILDDIR TOP_SRCDIR;

# The flags of every unit test: runtime headers as "core/match.h", cmocka.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime $(CMOCKA_CFLAGS)
UNIT_LDADD = $(CMOCKA_LIBS)

TEST_BINS =
UNIT_TESTS =
TEST_SH =
EXTRA_DIST += tests/integration/lib.sh tests/integration/check.h

include $(srcdir)/tests/core.mk
include $(srcdir)/tests/transport.mk
include $(srcdir)/tests/coll.mk
include $(srcdir)/tests/objects.mk
include $(srcdir)/tests/launcher.mk
include $(srcdir)/tests/conformance.mk
include $(srcdir)/tests/hardening.mk
include $(srcdir)/tests/mpi.mk
include $(srcdir)/tests/output.mk

check_PROGRAMS += $(TEST_BINS) $(UNIT_TESTS)
TESTS += $(UNIT_TESTS) $(TEST_SH)
EXTRA_DIST += $(TEST_SH)

# make print-unit-tests: every program in tests/unit, one a line (for
# tools/check-valgrind, which runs each under valgrind).
.PHONY: print-unit-tests
print-unit-tests:
	@for t in $(check_PROGRAMS); do case $$t in tests/unit/*) echo "$$t";; esac; done
