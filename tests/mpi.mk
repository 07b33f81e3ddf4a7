# The MPI layer (mpi/, include/mpi.h): its own self-checking programs, a
# handful of classic MPI programs, mprcc building MPI programs from the
# build tree (and refusing calls outside the subset), and the OSU
# Micro-Benchmarks built unmodified with mprcc and run once at small
# sizes when their tarball is there (77 otherwise). Included from
# tests/local.mk, which says how to register a test.

MPI_TEST_LDADD = mpi/libmpr-mpi.la runtime/libmpr.la
TEST_BINS += \
	tests/integration/mpi_env \
	tests/integration/mpi_p2p \
	tests/integration/mpi_coll \
	tests/integration/mpi_comm \
	tests/integration/mpi_types \
	tests/integration/mpi_fatal \
	tests/integration/mpi_ring \
	tests/integration/mpi_halo \
	tests/integration/mpi_matmul \
	tests/integration/mpi_pi
tests_integration_mpi_env_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_p2p_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_coll_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_comm_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_types_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_fatal_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_ring_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_halo_LDADD = $(MPI_TEST_LDADD) -lm
tests_integration_mpi_matmul_LDADD = $(MPI_TEST_LDADD)
tests_integration_mpi_pi_LDADD = $(MPI_TEST_LDADD) -lm
EXTRA_DIST += tests/integration/mpi_check.h tests/integration/mpi_lib.sh

TEST_SH += \
	tests/integration/mpi.sh \
	tests/integration/mpi_build.sh \
	tests/integration/mpi_osu.sh
