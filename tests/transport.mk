# The transports (runtime/transport/{self,shm,tcp}): every point-to-point
# and collective program over self (-n 1), shared memory and TCP
# (transports.sh; the collectives with MPR_CHECK=0: transports_unchecked.sh);
# shared memory's own cases (shm.sh); TCP's own cases on
# one host (tcp.sh) and across hosts made of network namespaces, shm and
# TCP in one job (tcp_multihost.sh); flow control of unexpected messages
# (flow.sh). Included from tests/local.mk, which
# says how to register a test.

UNIT_TESTS += tests/unit/test_ring tests/unit/test_tcp_frame
tests_unit_test_ring_SOURCES = tests/unit/test_ring.c runtime/transport/shm/shm_ring.c
tests_unit_test_ring_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_ring_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_test_tcp_frame_SOURCES = tests/unit/test_tcp_frame.c runtime/transport/tcp/tcp_wire.c runtime/core/endpoint.c
tests_unit_test_tcp_frame_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_tcp_frame_LDADD = $(UNIT_LDADD)

TEST_BINS += \
	tests/integration/misc_shm \
	tests/integration/p2p_flood \
	tests/integration/p2p_lazy \
	tests/integration/tcp_stress \
	tests/integration/tcp_stray_client
# Speaks the wire format to refuse, so it shares tcp_wire.c, not libmpr.
tests_integration_tcp_stray_client_SOURCES = tests/integration/tcp_stray_client.c runtime/transport/tcp/tcp_wire.c
tests_integration_tcp_stray_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime
tests_integration_tcp_stray_client_LDADD =

TEST_SH += \
	tests/integration/transports.sh \
	tests/integration/transports_unchecked.sh \
	tests/integration/shm.sh \
	tests/integration/tcp.sh \
	tests/integration/tcp_multihost.sh \
	tests/integration/flow.sh
