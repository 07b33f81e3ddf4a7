# mprun: the launcher (CLI, host lists, hwloc binding, embedded PMIx server,
# spawning, output forwarding, the event loop, the daemons of other hosts).
# See docs/ARCHITECTURE.md.
bin_PROGRAMS += mprun
mprun_SOURCES = \
	launcher/mprun.c \
	launcher/cli.c launcher/cli.h \
	launcher/hosts.c launcher/hosts.h \
	launcher/binding.c launcher/binding.h \
	launcher/pmix_server.c launcher/pmix_server.h launcher/pmix_server_private.h \
	launcher/pmix_requests.c launcher/names.c launcher/names.h \
	launcher/spawn.c launcher/spawn.h \
	launcher/iofwd.c launcher/iofwd.h \
	launcher/loop.c launcher/loop.h \
	launcher/ranks.c launcher/ranks.h \
	launcher/wire.c launcher/wire.h \
	launcher/link.c launcher/link.h \
	launcher/fence.c launcher/fence.h \
	launcher/daemons.c launcher/daemons.h \
	launcher/daemon.c launcher/daemon.h \
	launcher/job.c launcher/job.h launcher/job_private.h \
	launcher/job_remote.c launcher/job_stdin.c \
	launcher/message.c launcher/message.h \
	launcher/cleanup.c launcher/cleanup.h
mprun_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS) $(HWLOC_CFLAGS)
mprun_LDADD = $(PMIX_LIBS) $(HWLOC_LIBS) -lpthread

# The command-line parser, host lists and the daemons' wire format, with cmocka.
check_PROGRAMS += tests/unit/test_cli
tests_unit_test_cli_SOURCES = tests/unit/test_cli.c launcher/cli.c launcher/cli.h \
	launcher/hosts.c launcher/hosts.h launcher/wire.c launcher/wire.h \
	launcher/fence.c launcher/fence.h launcher/names.c launcher/names.h
tests_unit_test_cli_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/launcher
tests_unit_test_cli_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cli_LDADD = $(CMOCKA_LIBS)

# Helpers the launcher tests start under mprun: they need no libmpr.
check_PROGRAMS += tests/integration/print_affinity tests/integration/pmix_client_check \
	tests/integration/pmix_client_cases
tests_integration_print_affinity_SOURCES = tests/integration/print_affinity.c
tests_integration_pmix_client_check_SOURCES = tests/integration/pmix_client_check.c
tests_integration_pmix_client_check_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS)
tests_integration_pmix_client_check_LDADD = $(PMIX_LIBS)
tests_integration_pmix_client_cases_SOURCES = tests/integration/pmix_client_cases.c
tests_integration_pmix_client_cases_CFLAGS = $(AM_CFLAGS) $(PMIX_CFLAGS)
tests_integration_pmix_client_cases_LDADD = $(PMIX_LIBS)

LAUNCHER_TESTS = \
	tests/integration/launcher_exit.sh \
	tests/integration/launcher_cli.sh \
	tests/integration/launcher_signals.sh \
	tests/integration/launcher_io.sh \
	tests/integration/launcher_binding.sh \
	tests/integration/launcher_pmix.sh \
	tests/integration/multihost_pmix.sh \
	tests/integration/multihost_failures.sh \
	tests/integration/multihost_io.sh
TESTS += tests/unit/test_cli $(LAUNCHER_TESTS)
EXTRA_DIST += $(LAUNCHER_TESTS) tests/integration/launcher_lib.sh \
	tests/integration/multihost_lib.sh tests/integration/netns_setup.sh \
	tests/integration/netns_agent.sh
