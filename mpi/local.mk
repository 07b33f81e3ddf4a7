# libmpr-mpi: the MPI subset (include/mpi.h) over libmpr's public API.
# mprcc links it into every program, as mpicc links its MPI library.
lib_LTLIBRARIES += mpi/libmpr-mpi.la
include_HEADERS += include/mpi.h
mpi_libmpr_mpi_la_SOURCES = \
	mpi/mpi_internal.h \
	mpi/env.c \
	mpi/errors.c \
	mpi/comm.c \
	mpi/group.c \
	mpi/datatype.c \
	mpi/op.c \
	mpi/seqmap.c \
	mpi/p2p.c \
	mpi/request.c \
	mpi/coll.c \
	mpi/reduce.c
mpi_libmpr_mpi_la_LIBADD = runtime/libmpr.la
mpi_libmpr_mpi_la_LDFLAGS = -version-info 0:0:0 \
	-export-symbols-regex '^(MPI_[A-Z][A-Za-z_]*|mpi__(comm_world|comm_self|group_empty|errors_are_fatal|errors_return|type_[a-z0-9_]+|op_(max|min|sum|prod|land|band|lor|bor|lxor|bxor|maxloc|minloc)))$$'
pkgconfig_DATA += mpr-mpi.pc
EXTRA_DIST += mpr-mpi.pc.in docs/mpi.md bench/osu-compare
