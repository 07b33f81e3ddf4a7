# The randomized differential conformance suite (issue 9): one program,
# tests/conformance/conform, run by tests/conformance/conformance.sh over
# every forced algorithm, 1..8 ranks, shared memory and TCP (and hosts made
# of network namespaces when they can be made). tools/soak-conformance runs
# it for longer. Included from tests/local.mk, which says how to register a
# test.

TEST_BINS += tests/conformance/conform
tests_conformance_conform_SOURCES = \
	tests/conformance/conform.h \
	tests/conformance/conform.c \
	tests/conformance/gen.c \
	tests/conformance/elems.c \
	tests/conformance/colls.c \
	tests/conformance/p2p.c \
	tests/conformance/objects.c \
	tests/conformance/objects_sync.c \
	tests/conformance/objects_array.c \
	tests/conformance/objects_pipe.c

TEST_SH += tests/conformance/conformance.sh
EXTRA_DIST += tests/conformance/known_bugs.sh
