# Layering check of the runtime's sources (tools/check-layers --help).
# To be included from Makefile.am after tests/local.mk:
#	include $(srcdir)/tools/local.mk
# The script has no extension, so the parallel harness runs it through the
# plain LOG_COMPILER (`timeout -k 5 $(MPR_TEST_TIMEOUT)` from tests/local.mk),
# i.e. it is executed directly: it must stay executable (git mode 100755,
# kept by `make dist`) and it reads the sources from $srcdir, which the
# harness exports (it needs no build and works in VPATH builds/distcheck).
TESTS += tools/check-layers
EXTRA_DIST += tools/check-layers
