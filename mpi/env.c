/*
 * env.c - start and end (MPI_Init*, MPI_Finalize, MPI_Abort), clocks,
 * names and versions, and the attributes of a communicator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_internal.h"

static int thread_level = MPI_THREAD_SINGLE;

int MPI_Init(int *argc, char ***argv)
{
    int provided;
    return MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided);
}

int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    if (!provided)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Init_thread");
    int rc = mpr_init(argc, argv);
    if (rc != MPR_SUCCESS)
        return mpi__error(NULL, mpi__from_mpr(rc), "MPI_Init");
    rc = mpi__world_start();
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Init");
    mpi__running = true;
    /* One thread at a time may call: SERIALIZED at most, never MULTIPLE. */
    thread_level = required < MPI_THREAD_SINGLE ? MPI_THREAD_SINGLE
                   : required > MPI_THREAD_SERIALIZED ? MPI_THREAD_SERIALIZED : required;
    *provided = thread_level;
    return MPI_SUCCESS;
}

int MPI_Query_thread(int *provided)
{
    if (!provided)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Query_thread");
    *provided = thread_level;
    return MPI_SUCCESS;
}

int MPI_Is_thread_main(int *flag)
{
    if (!flag)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Is_thread_main");
    *flag = 1; /* no thread bookkeeping: the caller is taken to be the main one */
    return MPI_SUCCESS;
}

int MPI_Finalize(void)
{
    int rc = mpi__ready();
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Finalize");
    mpi__bsend_release_all();
    mpi__requests_release_all();
    mpi__running = false;
    mpi__world_end();
    rc = mpi__from_mpr(mpr_finalize());
    if (rc != MPI_SUCCESS)
        return mpi__error(NULL, rc, "MPI_Finalize");
    return MPI_SUCCESS;
}

int MPI_Initialized(int *flag)
{
    if (!flag)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Initialized");
    int init = 0, fin = 0;
    mpr_initialized(&init);
    mpr_finalized(&fin);
    *flag = init || fin;
    return MPI_SUCCESS;
}

int MPI_Finalized(int *flag)
{
    if (!flag)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Finalized");
    return mpr_finalized(flag) == MPR_SUCCESS ? MPI_SUCCESS : MPI_ERR_OTHER;
}

int MPI_Abort(MPI_Comm comm, int errorcode)
{
    (void)comm; /* the whole job ends, whichever communicator is named */
    if (mpi__ready() == MPI_SUCCESS)
        mpr_abort(MPR_COMM_WORLD, errorcode);
    _Exit(errorcode & 255);
}

double MPI_Wtime(void)
{
    return mpr_wtime();
}

double MPI_Wtick(void)
{
    return mpr_wtick();
}

int MPI_Get_processor_name(char *name, int *resultlen)
{
    if (!name || !resultlen || mpr_get_processor_name(name, MPI_MAX_PROCESSOR_NAME) != MPR_SUCCESS)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Get_processor_name");
    *resultlen = (int)strlen(name);
    return MPI_SUCCESS;
}

int MPI_Get_version(int *version, int *subversion)
{
    if (!version || !subversion)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Get_version");
    *version = MPI_VERSION;
    *subversion = MPI_SUBVERSION;
    return MPI_SUCCESS;
}

int MPI_Get_library_version(char *version, int *resultlen)
{
    if (!version || !resultlen)
        return mpi__error(NULL, MPI_ERR_ARG, "MPI_Get_library_version");
    snprintf(version, MPI_MAX_LIBRARY_VERSION_STRING,
             "mpr %d.%d MPI subset (MPI %d.%d semantics for the calls in mpi.h)",
             MPR_VERSION_MAJOR, MPR_VERSION_MINOR, MPI_VERSION, MPI_SUBVERSION);
    *resultlen = (int)strlen(version);
    return MPI_SUCCESS;
}

int MPI_Comm_get_attr(MPI_Comm comm, int keyval, void *attribute_val, int *flag)
{
    static int tag_ub = MPI__TAG_UB, host = MPI_PROC_NULL, io = MPI_ANY_SOURCE,
               wtime_global = 0, universe, appnum = 0;
    int rc = mpi__check_comm(comm);
    if (rc == MPI_SUCCESS && (!attribute_val || !flag))
        rc = MPI_ERR_ARG;
    if (rc != MPI_SUCCESS)
        return mpi__error(comm, rc, "MPI_Comm_get_attr");
    int *value = NULL;
    switch (keyval) {
    case MPI_TAG_UB: value = &tag_ub; break;
    case MPI_HOST: value = &host; break;
    case MPI_IO: value = &io; break;
    case MPI_WTIME_IS_GLOBAL: value = &wtime_global; break;
    case MPI_UNIVERSE_SIZE: universe = MPI_COMM_WORLD->size; value = &universe; break;
    case MPI_APPNUM: value = &appnum; break;
    default:
        return mpi__error(comm, MPI_ERR_KEYVAL, "MPI_Comm_get_attr");
    }
    *(int **)attribute_val = value;
    *flag = 1;
    return MPI_SUCCESS;
}
