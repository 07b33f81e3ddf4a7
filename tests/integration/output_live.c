/*
 * output_live.c - a rank's printf reaches mprun's output while the rank
 * still runs (stdout line-buffered under mprun), even a line printed
 * before init; lines written in pieces by many ranks come out whole.
 * Built twice: over mpr.h, and over mpi.h (-DOUTPUT_LIVE_MPI).
 *
 *   output_live GOFILE PIECES   print "early line of pid P" before init and
 *       "rank R of N waits" after it, then wait until GOFILE exists (the
 *       script creates it once it has seen those lines), then print PIECES
 *       lines on stdout and on stderr, each in three writes
 *   output_live --report [full]   print "rank R stdout line-buffered: 0|1"
 *       (with "full", after choosing full buffering in main)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef OUTPUT_LIVE_MPI
#include <mpi.h>
static int start(int *argc, char ***argv, int *rank, int *size)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}
static int end(void)
{
    return MPI_Finalize() == MPI_SUCCESS ? 0 : -1;
}
#else
#include <mpr.h>
static int start(int *argc, char ***argv, int *rank, int *size)
{
    if (mpr_init(argc, argv) != MPR_SUCCESS)
        return -1;
    mpr_comm_rank(MPR_COMM_WORLD, rank);
    mpr_comm_size(MPR_COMM_WORLD, size);
    return 0;
}
static int end(void)
{
    return mpr_finalize() == MPR_SUCCESS ? 0 : -1;
}
#endif

#define GO_WAIT_LIMIT_S 150 /* beyond the script's own bound: only a guard */

/* Until the script creates the file; false if it never does. */
static bool wait_for_file(const char *path)
{
    const struct timespec pause = {0, 10 * 1000 * 1000};

    for (int i = 0; i < GO_WAIT_LIMIT_S * 100; i++) {
        if (access(path, F_OK) == 0)
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

static int report(int argc, char **argv)
{
    int rank, size;

    if (argc > 2 && strcmp(argv[2], "full") == 0)
        setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    if (start(&argc, &argv, &rank, &size) != 0)
        return 1;
    printf("rank %d stdout line-buffered: %d\n", rank, __flbf(stdout) != 0);
    return end() == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    int rank, size, pieces;

    if (argc > 1 && strcmp(argv[1], "--report") == 0)
        return report(argc, argv);
    if (argc != 3 || (pieces = atoi(argv[2])) < 0) {
        fprintf(stderr, "usage: output_live GOFILE PIECES | --report [full]\n");
        return 2;
    }
    printf("early line of pid %d\n", (int)getpid());
    if (start(&argc, &argv, &rank, &size) != 0)
        return 1;
    printf("rank %d of %d waits\n", rank, size);
    if (!wait_for_file(argv[1])) {
        fprintf(stderr, "rank %d: FAIL: %s never appeared\n", rank, argv[1]);
        return 1;
    }
    for (int i = 0; i < pieces; i++) {
        printf("piece-line rank %d", rank);
        fflush(stdout);
        printf(" number %d", i);
        fflush(stdout);
        printf(" end\n");
        fprintf(stderr, "piece-line rank %d", rank);
        fprintf(stderr, " number %d", i);
        fprintf(stderr, " end\n");
    }
    return end() == 0 ? 0 : 1;
}
