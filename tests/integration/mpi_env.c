/*
 * mpi_env.c - the MPI environment over mpr and the error machinery:
 * Init_thread/Query_thread, Initialized/Finalized, Wtime/Wtick, names and
 * versions, Comm_get_attr, Error_string/Error_class, and MPI_ERRORS_RETURN
 * giving each bad argument its class. Any number of ranks.
 * Run: mprun -n 2 ./mpi_env [single|funneled|serialized|multiple]
 */
#include "mpi_check.h"

int main(int argc, char **argv)
{
    int flag = -1;
    MPI_Initialized(&flag);
    CHECK(flag == 0, "initialized before init");
    MPI_Finalized(&flag);
    CHECK(flag == 0, "finalized before init");
    double t0 = MPI_Wtime(); /* usable before MPI_Init */

    const char *level = argc > 1 ? argv[1] : "funneled";
    int required = !strcmp(level, "single") ? MPI_THREAD_SINGLE
                   : !strcmp(level, "serialized") ? MPI_THREAD_SERIALIZED
                   : !strcmp(level, "multiple") ? MPI_THREAD_MULTIPLE : MPI_THREAD_FUNNELED;
    int provided = -1;
    OK(MPI_Init_thread(&argc, &argv, required, &provided));
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    int want = required == MPI_THREAD_MULTIPLE ? MPI_THREAD_SERIALIZED : required;
    CHECK(provided == want, "provided %d for %d", provided, required);
    int q = -1;
    OK(MPI_Query_thread(&q));
    CHECK(q == provided, "query_thread %d", q);
    OK(MPI_Is_thread_main(&flag));
    CHECK(flag == 1, "is_thread_main");
    MPI_Initialized(&flag);
    CHECK(flag == 1, "initialized");

    double t1 = MPI_Wtime();
    CHECK(t1 >= t0, "wtime went back");
    CHECK(MPI_Wtick() > 0 && MPI_Wtick() < 1, "wtick %g", MPI_Wtick());
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = -1;
    OK(MPI_Get_processor_name(name, &len));
    CHECK(len > 0 && (int)strlen(name) == len, "processor name '%s' %d", name, len);
    int v, sv;
    OK(MPI_Get_version(&v, &sv));
    CHECK(v == MPI_VERSION && sv == MPI_SUBVERSION, "version %d.%d", v, sv);
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    OK(MPI_Get_library_version(lib, &len));
    CHECK(len > 0 && strstr(lib, "mpr") != NULL, "library version '%s'", lib);
    int *attr = NULL;
    OK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &attr, &flag));
    CHECK(flag && attr && *attr >= 32767, "tag_ub %d", attr ? *attr : -1);
    int tag_ub = *attr;
    OK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &attr, &flag));
    CHECK(flag && *attr == 0, "wtime_is_global");
    OK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &attr, &flag));
    CHECK(flag && *attr == np, "universe size");

    /* every code has a class and a text naming it */
    for (int code = MPI_SUCCESS; code <= MPI_ERR_LASTCODE; code++) {
        char text[MPI_MAX_ERROR_STRING];
        int cls = -1;
        OK(MPI_Error_string(code, text, &len));
        OK(MPI_Error_class(code, &cls));
        CHECK(cls == code && len > 0 && strncmp(text, "MPI_", 4) == 0, "code %d: class %d text '%s'", code, cls, text);
    }

    /* MPI_ERRORS_RETURN: each bad argument gets its class, nothing moves */
    OK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    int x = 1, y[2];
    MPI_Request rq;
    EXPECT_RC(MPI_Send(&x, 1, MPI_INT, np, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    EXPECT_RC(MPI_Send(&x, 1, MPI_INT, -5, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    EXPECT_RC(MPI_Send(&x, 1, MPI_INT, 0, -1, MPI_COMM_WORLD), MPI_ERR_TAG);
    EXPECT_RC(MPI_Send(&x, 1, MPI_INT, 0, tag_ub + 1, MPI_COMM_WORLD), MPI_ERR_TAG);
    EXPECT_RC(MPI_Send(&x, -1, MPI_INT, 0, 0, MPI_COMM_WORLD), MPI_ERR_COUNT);
    EXPECT_RC(MPI_Send(&x, 1, MPI_DATATYPE_NULL, 0, 0, MPI_COMM_WORLD), MPI_ERR_TYPE);
    EXPECT_RC(MPI_Send(NULL, 1, MPI_INT, 0, 0, MPI_COMM_WORLD), MPI_ERR_BUFFER);
    EXPECT_RC(MPI_Send(&x, 1, MPI_INT, 0, 0, MPI_COMM_NULL), MPI_ERR_COMM);
    EXPECT_RC(MPI_Isend(&x, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, NULL), MPI_ERR_REQUEST);
    EXPECT_RC(MPI_Irecv(y, 1, MPI_INT, np + 3, 0, MPI_COMM_WORLD, &rq), MPI_ERR_RANK);
    EXPECT_RC(MPI_Recv(y, 1, MPI_INT, 0, -7, MPI_COMM_WORLD, MPI_STATUS_IGNORE), MPI_ERR_TAG);
    EXPECT_RC(MPI_Bcast(&x, 1, MPI_INT, np, MPI_COMM_WORLD), MPI_ERR_ROOT);
    EXPECT_RC(MPI_Reduce(&x, y, 1, MPI_INT, MPI_SUM, -1, MPI_COMM_WORLD), MPI_ERR_ROOT);
    EXPECT_RC(MPI_Allreduce(&x, y, 1, MPI_DOUBLE_INT, MPI_SUM, MPI_COMM_WORLD), MPI_ERR_OP);
    EXPECT_RC(MPI_Allreduce(&x, y, 1, MPI_INT, MPI_MAXLOC, MPI_COMM_WORLD), MPI_ERR_OP);
    EXPECT_RC(MPI_Allreduce(&x, y, 1, MPI_INT, MPI_OP_NULL, MPI_COMM_WORLD), MPI_ERR_OP);
    EXPECT_RC(MPI_Allreduce(&x, y, 1, MPI_DOUBLE, MPI_BAND, MPI_COMM_WORLD), MPI_ERR_OP);
    EXPECT_RC(MPI_Gather(&x, -2, MPI_INT, y, 1, MPI_INT, 0, MPI_COMM_WORLD), MPI_ERR_COUNT);
    EXPECT_RC(MPI_Barrier(MPI_COMM_NULL), MPI_ERR_COMM);
    EXPECT_RC(MPI_Wait(NULL, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);
    EXPECT_RC(MPI_Comm_get_attr(MPI_COMM_WORLD, 12345, &attr, &flag), MPI_ERR_KEYVAL);
    EXPECT_RC(MPI_Comm_split(MPI_COMM_WORLD, -3, 0, NULL), MPI_ERR_ARG);
    EXPECT_RC(MPI_Error_class(MPI_ERR_LASTCODE + 1, &x), MPI_ERR_ARG);
    /* the calls still work afterwards */
    OK(MPI_Allreduce(&me, &x, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD));
    CHECK(x == np - 1, "after errors");

    int any = 0;
    MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    OK(MPI_Finalize());
    MPI_Finalized(&flag);
    CHECK(flag == 1, "finalized");
    MPI_Initialized(&flag);
    CHECK(flag == 1, "initialized stays 1 after finalize");
    if (any == 0 && failures == 0 && me == 0)
        printf("ok\n");
    return failures ? 1 : 0;
}
