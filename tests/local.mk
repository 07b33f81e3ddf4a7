# Test harness shared by every test fragment.
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

EXTRA_DIST += tests/integration/lib.sh

include $(srcdir)/tests/runtime.mk
include $(srcdir)/tests/tcp.mk
include $(srcdir)/tests/objects.mk
include $(srcdir)/tests/comm.mk
include $(srcdir)/tests/coll_family.mk
include $(srcdir)/tests/coll_algs.mk
include $(srcdir)/tests/conformance.mk
