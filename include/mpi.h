/*
 * mpi.h - the MPI subset of mpr (libmpr-mpi, over libmpr's public API).
 *
 * Programs written for MPI-1 style use (environment, point-to-point,
 * blocking collectives, communicators, groups, derived datatypes, error
 * handlers) compile unchanged with `mprcc` and run under `mprun`. The
 * semantics are MPI's: counts are in elements of a datatype, statuses carry
 * MPI_SOURCE, MPI_TAG and MPI_ERROR, MPI_ANY_SOURCE, MPI_ANY_TAG and
 * MPI_PROC_NULL behave as the standard says. docs/mpi.md lists what is
 * provided and what is not. A function that is not provided is not
 * declared here: mprcc compiles with -Werror=implicit-function-declaration,
 * so using one is a compile-time error naming it.
 *
 * Every function returns MPI_SUCCESS or an error code (its class:
 * MPI_Error_class; text: MPI_Error_string), after handing the error to the
 * communicator's error handler: MPI_ERRORS_ARE_FATAL (the default) prints
 * "mpr-mpi: rank R: MPI_Call: error text" on stderr and ends the job;
 * MPI_ERRORS_RETURN returns the code. Calls on no communicator use
 * MPI_COMM_WORLD's handler.
 *
 * Threads: MPI_THREAD_SERIALIZED at most (one thread at a time calls MPI).
 */
#ifndef MPI_H
#define MPI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPI_VERSION 3
#define MPI_SUBVERSION 1
#define MPR_MPI 1 /* this is mpr's MPI subset */

/* ---- Handles (opaque) -------------------------------------------------- */
typedef struct mpi__comm *MPI_Comm;
typedef struct mpi__datatype *MPI_Datatype;
typedef struct mpi__op *MPI_Op;
typedef struct mpi__request *MPI_Request;
typedef struct mpi__group *MPI_Group;
typedef struct mpi__errhandler *MPI_Errhandler;
typedef ptrdiff_t MPI_Aint;
typedef long long MPI_Offset;
typedef long long MPI_Count;

typedef struct MPI_Status {
    int MPI_SOURCE;
    int MPI_TAG;
    int MPI_ERROR;
    int mpi__cancelled;
    size_t mpi__bytes; /* bytes received (MPI_Get_count divides by the type's size) */
} MPI_Status;

#define MPI_STATUS_IGNORE ((MPI_Status *)0)
#define MPI_STATUSES_IGNORE ((MPI_Status *)0)

/* ---- Constants --------------------------------------------------------- */
#define MPI_ANY_SOURCE (-1)
#define MPI_ANY_TAG (-1)
#define MPI_PROC_NULL (-2)
#define MPI_ROOT (-3)
#define MPI_UNDEFINED (-32766)
#define MPI_KEYVAL_INVALID (-1)
#define MPI_BSEND_OVERHEAD 64
#define MPI_MAX_PROCESSOR_NAME 256
#define MPI_MAX_ERROR_STRING 256
#define MPI_MAX_LIBRARY_VERSION_STRING 256
#define MPI_MAX_OBJECT_NAME 64
#define MPI_IN_PLACE ((void *)1)
#define MPI_BOTTOM ((void *)0)

/* Thread levels (MPI_Init_thread grants SERIALIZED at most). */
#define MPI_THREAD_SINGLE 0
#define MPI_THREAD_FUNNELED 1
#define MPI_THREAD_SERIALIZED 2
#define MPI_THREAD_MULTIPLE 3

/* MPI_Comm_compare / MPI_Group_compare results. */
#define MPI_IDENT 0
#define MPI_CONGRUENT 1
#define MPI_SIMILAR 2
#define MPI_UNEQUAL 3

/* Attribute keys of MPI_Comm_get_attr. */
#define MPI_TAG_UB 1
#define MPI_HOST 2
#define MPI_IO 3
#define MPI_WTIME_IS_GLOBAL 4
#define MPI_UNIVERSE_SIZE 5
#define MPI_APPNUM 6

/* Error classes (also the codes returned). */
#define MPI_SUCCESS 0
#define MPI_ERR_BUFFER 1
#define MPI_ERR_COUNT 2
#define MPI_ERR_TYPE 3
#define MPI_ERR_TAG 4
#define MPI_ERR_COMM 5
#define MPI_ERR_RANK 6
#define MPI_ERR_REQUEST 7
#define MPI_ERR_ROOT 8
#define MPI_ERR_GROUP 9
#define MPI_ERR_OP 10
#define MPI_ERR_TOPOLOGY 11
#define MPI_ERR_DIMS 12
#define MPI_ERR_ARG 13
#define MPI_ERR_UNKNOWN 14
#define MPI_ERR_TRUNCATE 15
#define MPI_ERR_OTHER 16
#define MPI_ERR_INTERN 17
#define MPI_ERR_IN_STATUS 18
#define MPI_ERR_PENDING 19
#define MPI_ERR_NO_MEM 20
#define MPI_ERR_KEYVAL 21
#define MPI_ERR_PROC_FAILED 22
#define MPI_ERR_LASTCODE 22

/* ---- Predefined objects -------------------------------------------------
 * Handles are addresses of objects inside the library. */
extern struct mpi__comm mpi__comm_world, mpi__comm_self;
#define MPI_COMM_WORLD (&mpi__comm_world)
#define MPI_COMM_SELF (&mpi__comm_self)
#define MPI_COMM_NULL ((MPI_Comm)0)

extern struct mpi__group mpi__group_empty;
#define MPI_GROUP_EMPTY (&mpi__group_empty)
#define MPI_GROUP_NULL ((MPI_Group)0)

#define MPI_REQUEST_NULL ((MPI_Request)0)

extern struct mpi__errhandler mpi__errors_are_fatal, mpi__errors_return;
#define MPI_ERRORS_ARE_FATAL (&mpi__errors_are_fatal)
#define MPI_ERRORS_RETURN (&mpi__errors_return)
#define MPI_ERRHANDLER_NULL ((MPI_Errhandler)0)

/* Datatypes: every predefined C type, the pair types of MPI_MAXLOC and
 * MPI_MINLOC, MPI_BYTE and MPI_PACKED. */
#define MPI__TYPE_DECL(name) extern struct mpi__datatype mpi__type_##name;
MPI__TYPE_DECL(char) MPI__TYPE_DECL(signed_char) MPI__TYPE_DECL(unsigned_char)
MPI__TYPE_DECL(byte) MPI__TYPE_DECL(packed) MPI__TYPE_DECL(wchar)
MPI__TYPE_DECL(short) MPI__TYPE_DECL(unsigned_short) MPI__TYPE_DECL(int)
MPI__TYPE_DECL(unsigned) MPI__TYPE_DECL(long) MPI__TYPE_DECL(unsigned_long)
MPI__TYPE_DECL(long_long) MPI__TYPE_DECL(unsigned_long_long)
MPI__TYPE_DECL(float) MPI__TYPE_DECL(double) MPI__TYPE_DECL(long_double)
MPI__TYPE_DECL(int8) MPI__TYPE_DECL(uint8) MPI__TYPE_DECL(int16) MPI__TYPE_DECL(uint16)
MPI__TYPE_DECL(int32) MPI__TYPE_DECL(uint32) MPI__TYPE_DECL(int64) MPI__TYPE_DECL(uint64)
MPI__TYPE_DECL(c_bool) MPI__TYPE_DECL(aint) MPI__TYPE_DECL(offset) MPI__TYPE_DECL(count)
MPI__TYPE_DECL(c_float_complex) MPI__TYPE_DECL(c_double_complex)
MPI__TYPE_DECL(c_long_double_complex)
MPI__TYPE_DECL(float_int) MPI__TYPE_DECL(double_int) MPI__TYPE_DECL(long_int)
MPI__TYPE_DECL(2int) MPI__TYPE_DECL(short_int) MPI__TYPE_DECL(long_double_int)
#undef MPI__TYPE_DECL

#define MPI_DATATYPE_NULL ((MPI_Datatype)0)
#define MPI_CHAR (&mpi__type_char)
#define MPI_SIGNED_CHAR (&mpi__type_signed_char)
#define MPI_UNSIGNED_CHAR (&mpi__type_unsigned_char)
#define MPI_BYTE (&mpi__type_byte)
#define MPI_PACKED (&mpi__type_packed)
#define MPI_WCHAR (&mpi__type_wchar)
#define MPI_SHORT (&mpi__type_short)
#define MPI_UNSIGNED_SHORT (&mpi__type_unsigned_short)
#define MPI_INT (&mpi__type_int)
#define MPI_UNSIGNED (&mpi__type_unsigned)
#define MPI_LONG (&mpi__type_long)
#define MPI_UNSIGNED_LONG (&mpi__type_unsigned_long)
#define MPI_LONG_LONG (&mpi__type_long_long)
#define MPI_LONG_LONG_INT (&mpi__type_long_long)
#define MPI_UNSIGNED_LONG_LONG (&mpi__type_unsigned_long_long)
#define MPI_FLOAT (&mpi__type_float)
#define MPI_DOUBLE (&mpi__type_double)
#define MPI_LONG_DOUBLE (&mpi__type_long_double)
#define MPI_INT8_T (&mpi__type_int8)
#define MPI_UINT8_T (&mpi__type_uint8)
#define MPI_INT16_T (&mpi__type_int16)
#define MPI_UINT16_T (&mpi__type_uint16)
#define MPI_INT32_T (&mpi__type_int32)
#define MPI_UINT32_T (&mpi__type_uint32)
#define MPI_INT64_T (&mpi__type_int64)
#define MPI_UINT64_T (&mpi__type_uint64)
#define MPI_C_BOOL (&mpi__type_c_bool)
#define MPI_AINT (&mpi__type_aint)
#define MPI_OFFSET (&mpi__type_offset)
#define MPI_COUNT (&mpi__type_count)
#define MPI_C_COMPLEX (&mpi__type_c_float_complex)
#define MPI_C_FLOAT_COMPLEX (&mpi__type_c_float_complex)
#define MPI_C_DOUBLE_COMPLEX (&mpi__type_c_double_complex)
#define MPI_C_LONG_DOUBLE_COMPLEX (&mpi__type_c_long_double_complex)
#define MPI_FLOAT_INT (&mpi__type_float_int)
#define MPI_DOUBLE_INT (&mpi__type_double_int)
#define MPI_LONG_INT (&mpi__type_long_int)
#define MPI_2INT (&mpi__type_2int)
#define MPI_SHORT_INT (&mpi__type_short_int)
#define MPI_LONG_DOUBLE_INT (&mpi__type_long_double_int)

/* Reduction operations. MAXLOC and MINLOC work on the pair types. */
extern struct mpi__op mpi__op_max, mpi__op_min, mpi__op_sum, mpi__op_prod,
    mpi__op_land, mpi__op_band, mpi__op_lor, mpi__op_bor, mpi__op_lxor,
    mpi__op_bxor, mpi__op_maxloc, mpi__op_minloc;
#define MPI_OP_NULL ((MPI_Op)0)
#define MPI_MAX (&mpi__op_max)
#define MPI_MIN (&mpi__op_min)
#define MPI_SUM (&mpi__op_sum)
#define MPI_PROD (&mpi__op_prod)
#define MPI_LAND (&mpi__op_land)
#define MPI_BAND (&mpi__op_band)
#define MPI_LOR (&mpi__op_lor)
#define MPI_BOR (&mpi__op_bor)
#define MPI_LXOR (&mpi__op_lxor)
#define MPI_BXOR (&mpi__op_bxor)
#define MPI_MAXLOC (&mpi__op_maxloc)
#define MPI_MINLOC (&mpi__op_minloc)

typedef void MPI_User_function(void *invec, void *inoutvec, int *len, MPI_Datatype *datatype);

/* ---- Environment ------------------------------------------------------- */
int MPI_Init(int *argc, char ***argv);
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided);
int MPI_Query_thread(int *provided);
int MPI_Is_thread_main(int *flag);
int MPI_Finalize(void);
int MPI_Initialized(int *flag);
int MPI_Finalized(int *flag);
int MPI_Abort(MPI_Comm comm, int errorcode);
double MPI_Wtime(void);
double MPI_Wtick(void);
int MPI_Get_processor_name(char *name, int *resultlen);
int MPI_Get_version(int *version, int *subversion);
int MPI_Get_library_version(char *version, int *resultlen);
/* Keys: MPI_TAG_UB, MPI_HOST, MPI_IO, MPI_WTIME_IS_GLOBAL, MPI_UNIVERSE_SIZE,
 * MPI_APPNUM (*(int **)attribute_val points at the value). */
int MPI_Comm_get_attr(MPI_Comm comm, int keyval, void *attribute_val, int *flag);

/* ---- Errors ------------------------------------------------------------ */
int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler);
int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler);
int MPI_Errhandler_free(MPI_Errhandler *errhandler);
int MPI_Error_string(int errorcode, char *string, int *resultlen);
int MPI_Error_class(int errorcode, int *errorclass);

/* ---- Point-to-point ---------------------------------------------------- */
int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
int MPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
int MPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
int MPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
int MPI_Buffer_attach(void *buffer, int size);
int MPI_Buffer_detach(void *buffer_addr, int *size);
int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
             MPI_Status *status);
int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
              MPI_Comm comm, MPI_Request *request);
int MPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request);
int MPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request);
int MPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request);
int MPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
              MPI_Comm comm, MPI_Request *request);
int MPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest,
                 int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                 int source, int recvtag, MPI_Comm comm, MPI_Status *status);
int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest, int sendtag,
                         int source, int recvtag, MPI_Comm comm, MPI_Status *status);
int MPI_Wait(MPI_Request *request, MPI_Status *status);
int MPI_Waitall(int count, MPI_Request requests[], MPI_Status statuses[]);
int MPI_Waitany(int count, MPI_Request requests[], int *index, MPI_Status *status);
int MPI_Waitsome(int incount, MPI_Request requests[], int *outcount, int indices[],
                 MPI_Status statuses[]);
int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status);
int MPI_Testall(int count, MPI_Request requests[], int *flag, MPI_Status statuses[]);
int MPI_Testany(int count, MPI_Request requests[], int *index, int *flag, MPI_Status *status);
int MPI_Testsome(int incount, MPI_Request requests[], int *outcount, int indices[],
                 MPI_Status statuses[]);
int MPI_Request_free(MPI_Request *request);
int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status);
int MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag, MPI_Status *status);
int MPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count);
int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype, int *count);

/* ---- Collectives (blocking) ---------------------------------------------- */
int MPI_Barrier(MPI_Comm comm);
int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm);
int MPI_Reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
               MPI_Op op, int root, MPI_Comm comm);
int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                  MPI_Op op, MPI_Comm comm);
int MPI_Scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
             MPI_Op op, MPI_Comm comm);
int MPI_Exscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
               MPI_Op op, MPI_Comm comm);
int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                             MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[],
                       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
               int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                MPI_Comm comm);
int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
int MPI_Scatterv(const void *sendbuf, const int sendcounts[], const int displs[],
                 MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                 int root, MPI_Comm comm);
int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                   MPI_Comm comm);
int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                 int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
int MPI_Alltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                  MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                  const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm);
int MPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op);
int MPI_Op_free(MPI_Op *op);

/* ---- Communicators and groups ------------------------------------------ */
int MPI_Comm_size(MPI_Comm comm, int *size);
int MPI_Comm_rank(MPI_Comm comm, int *rank);
int MPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm);
int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm);
int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm);
int MPI_Comm_free(MPI_Comm *comm);
int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result);
int MPI_Comm_group(MPI_Comm comm, MPI_Group *group);
int MPI_Group_size(MPI_Group group, int *size);
int MPI_Group_rank(MPI_Group group, int *rank);
int MPI_Group_incl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup);
int MPI_Group_excl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup);
int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[], MPI_Group group2,
                              int ranks2[]);
int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result);
int MPI_Group_free(MPI_Group *group);

/* ---- Datatypes --------------------------------------------------------- */
int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_vector(int count, int blocklength, int stride, MPI_Datatype oldtype,
                    MPI_Datatype *newtype);
int MPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype,
                            MPI_Datatype *newtype);
int MPI_Type_indexed(int count, const int blocklengths[], const int displacements[],
                     MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_create_struct(int count, const int blocklengths[], const MPI_Aint displacements[],
                           const MPI_Datatype types[], MPI_Datatype *newtype);
int MPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
                            MPI_Datatype *newtype);
int MPI_Type_commit(MPI_Datatype *datatype);
int MPI_Type_free(MPI_Datatype *datatype);
int MPI_Type_size(MPI_Datatype datatype, int *size);
int MPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent);
int MPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb, MPI_Aint *true_extent);
int MPI_Get_address(const void *location, MPI_Aint *address);

#ifdef __cplusplus
}
#endif

#endif /* MPI_H */
