# Issue 14's user-facing pieces: the ranks' output shows as it is printed
# (output_live*, over mpr.h and mpi.h, on one host and across network
# namespaces), and make install's examples, man pages and an installed
# mprcc (install.sh). Included from tests/local.mk.
TEST_BINS += tests/integration/output_live tests/integration/output_live_mpi
tests_integration_output_live_mpi_SOURCES = tests/integration/output_live.c
tests_integration_output_live_mpi_CPPFLAGS = $(AM_CPPFLAGS) -DOUTPUT_LIVE_MPI
tests_integration_output_live_mpi_LDADD = mpi/libmpr-mpi.la runtime/libmpr.la
EXTRA_DIST += tests/integration/output_lib.sh

TEST_SH += \
	tests/integration/output_live.sh \
	tests/integration/output_live_multihost.sh \
	tests/integration/install.sh
