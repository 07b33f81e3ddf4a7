/*
 * errors.c - MPI error codes, their text, libmpr codes mapped to MPI
 * classes, and the error handlers (fatal by default).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

struct mpi__errhandler mpi__errors_are_fatal = { .fatal = 1 };
struct mpi__errhandler mpi__errors_return = { .fatal = 0 };

static const char *const error_text[] = {
    [MPI_SUCCESS] = "MPI_SUCCESS: no error",
    [MPI_ERR_BUFFER] = "MPI_ERR_BUFFER: invalid buffer (NULL with data, or no room in the attached buffer)",
    [MPI_ERR_COUNT] = "MPI_ERR_COUNT: invalid count",
    [MPI_ERR_TYPE] = "MPI_ERR_TYPE: invalid or uncommitted datatype",
    [MPI_ERR_TAG] = "MPI_ERR_TAG: invalid tag",
    [MPI_ERR_COMM] = "MPI_ERR_COMM: invalid communicator",
    [MPI_ERR_RANK] = "MPI_ERR_RANK: invalid rank",
    [MPI_ERR_REQUEST] = "MPI_ERR_REQUEST: invalid request",
    [MPI_ERR_ROOT] = "MPI_ERR_ROOT: invalid root",
    [MPI_ERR_GROUP] = "MPI_ERR_GROUP: invalid group",
    [MPI_ERR_OP] = "MPI_ERR_OP: invalid operation, or not defined for this datatype",
    [MPI_ERR_TOPOLOGY] = "MPI_ERR_TOPOLOGY: invalid topology",
    [MPI_ERR_DIMS] = "MPI_ERR_DIMS: invalid dimensions",
    [MPI_ERR_ARG] = "MPI_ERR_ARG: invalid argument",
    [MPI_ERR_UNKNOWN] = "MPI_ERR_UNKNOWN: unknown error",
    [MPI_ERR_TRUNCATE] = "MPI_ERR_TRUNCATE: message truncated (longer than the receive buffer)",
    [MPI_ERR_OTHER] = "MPI_ERR_OTHER: other error (MPI not initialized, or already finalized)",
    [MPI_ERR_INTERN] = "MPI_ERR_INTERN: internal error",
    [MPI_ERR_IN_STATUS] = "MPI_ERR_IN_STATUS: error code is in the status",
    [MPI_ERR_PENDING] = "MPI_ERR_PENDING: pending request",
    [MPI_ERR_NO_MEM] = "MPI_ERR_NO_MEM: out of memory",
    [MPI_ERR_KEYVAL] = "MPI_ERR_KEYVAL: invalid attribute key",
    [MPI_ERR_PROC_FAILED] = "MPI_ERR_PROC_FAILED: a process this operation needs has ended",
};

int MPI_Error_string(int errorcode, char *string, int *resultlen)
{
    if (!string || !resultlen)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Error_string");
    const char *text = errorcode >= 0 && errorcode <= MPI_ERR_LASTCODE
                           ? error_text[errorcode] : "unknown error code";
    snprintf(string, MPI_MAX_ERROR_STRING, "%s", text);
    *resultlen = (int)strlen(string);
    return MPI_SUCCESS;
}

int MPI_Error_class(int errorcode, int *errorclass)
{
    if (!errorclass || errorcode < 0 || errorcode > MPI_ERR_LASTCODE)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Error_class");
    *errorclass = errorcode; /* every code is its own class */
    return MPI_SUCCESS;
}

int mpi__from_mpr(int rc)
{
    switch (rc) {
    case MPR_SUCCESS: return MPI_SUCCESS;
    case MPR_ERR_ARG: return MPI_ERR_ARG;
    case MPR_ERR_TRUNCATE: return MPI_ERR_TRUNCATE;
    case MPR_ERR_NO_MEM: return MPI_ERR_NO_MEM;
    case MPR_ERR_PROC_FAILED: return MPI_ERR_PROC_FAILED;
    case MPR_ERR_IN_STATUS: return MPI_ERR_IN_STATUS;
    case MPR_ERR_PENDING: return MPI_ERR_PENDING;
    case MPR_ERR_INTERNAL: return MPI_ERR_INTERN;
    case MPR_ERR_NOT_INIT:
    case MPR_ERR_FINALIZED:
    case MPR_ERR_ALREADY_INIT: return MPI_ERR_OTHER;
    default: return MPI_ERR_OTHER;
    }
}

bool mpi__running;

/* MPI_SUCCESS between MPI_Init and MPI_Finalize, else MPI_ERR_OTHER. */
int mpi__ready(void)
{
    return mpi__running ? MPI_SUCCESS : MPI_ERR_OTHER;
}

int mpi__error(MPI_Comm comm, int rc, const char *call)
{
    MPI_Errhandler eh = MPI_ERRORS_ARE_FATAL;
    if (comm && mpi__comm_ok(comm))
        eh = comm->errhandler;
    else if (mpi__comm_ok(MPI_COMM_WORLD))
        eh = MPI_COMM_WORLD->errhandler;
    if (!eh->fatal)
        return rc;
    char text[MPI_MAX_ERROR_STRING];
    int len;
    MPI_Error_string(rc, text, &len);
    int rank = -1;
    if (mpi__comm_ok(MPI_COMM_WORLD))
        rank = MPI_COMM_WORLD->rank;
    fprintf(stderr, "mpr-mpi: rank %d: %s: %s (MPI_ERRORS_ARE_FATAL: ending the job)\n",
            rank, call, text);
    fflush(stderr);
    if (mpi__ready() == MPI_SUCCESS)
        mpr_abort(MPR_COMM_WORLD, 1);
    _Exit(1);
}

int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && errhandler != MPI_ERRORS_ARE_FATAL && errhandler != MPI_ERRORS_RETURN)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        comm->errhandler = errhandler;
    MPI__RET(comm, rc, "MPI_Comm_set_errhandler");
}

int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler)
{
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && !errhandler)
        rc = MPI_ERR_ARG;
    if (rc == MPI_SUCCESS)
        *errhandler = comm->errhandler;
    MPI__RET(comm, rc, "MPI_Comm_get_errhandler");
}

int MPI_Errhandler_free(MPI_Errhandler *errhandler)
{
    if (!errhandler || !*errhandler)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Errhandler_free");
    *errhandler = MPI_ERRHANDLER_NULL; /* the predefined ones live on */
    return MPI_SUCCESS;
}
