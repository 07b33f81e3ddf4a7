# Small programs a user would copy; each says in its header how to run it.
noinst_PROGRAMS += examples/hello examples/ring examples/pingpong examples/bcast examples/pi
examples_hello_SOURCES = examples/hello.c
examples_hello_LDADD = runtime/libmpr.la
examples_ring_SOURCES = examples/ring.c
examples_ring_LDADD = runtime/libmpr.la
examples_pingpong_SOURCES = examples/pingpong.c
examples_pingpong_LDADD = runtime/libmpr.la
examples_bcast_SOURCES = examples/bcast.c
examples_bcast_LDADD = runtime/libmpr.la
examples_pi_SOURCES = examples/pi.c
examples_pi_LDADD = runtime/libmpr.la -lm
include $(srcdir)/examples/objects.mk
