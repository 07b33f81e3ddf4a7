# The launcher (mprun). Included from tests/local.mk, which says how to
# register a test.

# The command-line parser, host lists and the daemons' wire format, with cmocka.
UNIT_TESTS += tests/unit/test_cli
tests_unit_test_cli_SOURCES = tests/unit/test_cli.c launcher/cli.c launcher/cli.h \
	launcher/hosts.c launcher/hosts.h launcher/wire.c launcher/wire.h \
	launcher/fence.c launcher/fence.h launcher/names.c launcher/names.h
tests_unit_test_cli_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/launcher $(CMOCKA_CFLAGS)
tests_unit_test_cli_LDADD = $(UNIT_LDADD)
# Which failed rank mprun names (launcher/blame.c).
UNIT_TESTS += tests/unit/test_blame
tests_unit_test_blame_SOURCES = tests/unit/test_blame.c launcher/blame.c launcher/blame.h
tests_unit_test_blame_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/launcher $(CMOCKA_CFLAGS)
tests_unit_test_blame_LDADD = $(UNIT_LDADD)

# Helpers the launcher tests start under mprun: they need no libmpr (the
# default LDADD), the PMIx clients PMIx itself.
TEST_BINS += tests/integration/print_affinity tests/integration/pmix_client_check \
	tests/integration/pmix_client_cases
tests_integration_print_affinity_LDADD =
tests_integration_pmix_client_check_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS)
tests_integration_pmix_client_check_LDADD = $(PMIX_LIBS)
tests_integration_pmix_client_cases_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS)
tests_integration_pmix_client_cases_LDADD = $(PMIX_LIBS)

TEST_SH += \
	tests/integration/launcher_exit.sh \
	tests/integration/launcher_cli.sh \
	tests/integration/launcher_signals.sh \
	tests/integration/launcher_io.sh \
	tests/integration/launcher_binding.sh \
	tests/integration/launcher_pmix.sh \
	tests/integration/multihost_pmix.sh \
	tests/integration/multihost_failures.sh \
	tests/integration/multihost_io.sh
EXTRA_DIST += tests/integration/launcher_lib.sh tests/integration/multihost_lib.sh \
	tests/integration/netns_setup.sh tests/integration/netns_agent.sh
