/*
 * mpi_check.h - the checking helpers of the MPI layer's test programs
 * (mpi_*.c): CHECK prints "rank R: FAIL: <what> (line N)" and counts;
 * EXPECT_RC checks a call's MPI code; main returns finish().
 */
#ifndef MPI_TEST_CHECK_H
#define MPI_TEST_CHECK_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int me = -1, np = 0;
static int failures;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            printf("rank %d: FAIL: ", me);                                \
            printf(__VA_ARGS__);                                          \
            printf(" (line %d)\n", __LINE__);                             \
            fflush(stdout);                                               \
            failures++;                                                   \
        }                                                                 \
    } while (0)

#define EXPECT_RC(call, want)                                             \
    do {                                                                  \
        int rc_ = (call);                                                 \
        CHECK(rc_ == (want), "%s returned %d, wanted %d", #call, rc_, (want)); \
    } while (0)

#define OK(call) EXPECT_RC(call, MPI_SUCCESS)

static inline void start(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &np);
}

/* Every rank learns whether any failed; 0 when none did. */
static inline int finish(void)
{
    int any = 0;
    MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    if (any == 0 && me == 0)
        printf("ok\n");
    return failures ? 1 : 0;
}

#endif
