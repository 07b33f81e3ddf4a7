# Integration tests of the TCP transport: on one host with MPR_TRANSPORT=tcp
# (tests/integration/tcp.sh), and across hosts made of network namespaces,
# shm and TCP in one job (tests/integration/tcp_multihost.sh). Included from
# tests/local.mk.

TCP_TEST_BINS = \
	tests/integration/tcp_stress \
	tests/integration/tcp_stray_client
check_PROGRAMS += $(TCP_TEST_BINS)

tests_integration_tcp_stress_SOURCES = tests/integration/tcp_stress.c
tests_integration_tcp_stress_LDADD = runtime/libmpr.la
# Speaks the wire format to refuse, so it shares tcp_wire.c, not libmpr.
tests_integration_tcp_stray_client_SOURCES = tests/integration/tcp_stray_client.c runtime/transport/tcp/tcp_wire.c
tests_integration_tcp_stray_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/runtime

TESTS += tests/integration/tcp.sh tests/integration/tcp_multihost.sh
EXTRA_DIST += tests/integration/tcp.sh tests/integration/tcp_multihost.sh
