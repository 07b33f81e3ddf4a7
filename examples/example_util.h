/*
 * example_util.h - what the shared-object, pipe, pool and Manager examples
 * share: a check that ends the job when a call fails, the start every rank
 * makes, command-line arguments with defaults, and opening a file or
 * ending the job. It is installed beside the examples: build one there with
 * `mprcc -o prodcons prodcons.c` (the header is found next to the source).
 */
#ifndef EXAMPLE_UTIL_H
#define EXAMPLE_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "mpr.h"

/* The program's name in error messages; example_start sets it. */
static const char *example_name = "example";

/* End the whole job (exit status 1) when a call failed, naming the call. */
static inline void check(int rc, const char *what)
{
    if (rc == MPR_SUCCESS)
        return;
    fprintf(stderr, "%s: %s failed: %s\n", example_name, what, mpr_strerror(rc));
    mpr_abort(MPR_COMM_WORLD, 1);
}

/* mpr_init, then this rank's number and (size not NULL) the number of ranks. */
static inline void example_start(const char *name, int *argc, char ***argv, int *rank, int *size)
{
    example_name = name;
    check(mpr_init(argc, argv), "mpr_init");
    check(mpr_comm_rank(MPR_COMM_WORLD, rank), "mpr_comm_rank");
    if (size)
        check(mpr_comm_size(MPR_COMM_WORLD, size), "mpr_comm_size");
}

/* Command-line argument i, or dflt when there are fewer arguments. */
static inline const char *arg_string(int argc, char **argv, int i, const char *dflt)
{
    return argc > i ? argv[i] : dflt;
}

static inline int arg_int(int argc, char **argv, int i, int dflt)
{
    return argc > i ? atoi(argv[i]) : dflt;
}

static inline long arg_long(int argc, char **argv, int i, long dflt)
{
    return argc > i ? atol(argv[i]) : dflt;
}

static inline double arg_double(int argc, char **argv, int i, double dflt)
{
    return argc > i ? atof(argv[i]) : dflt;
}

/* fopen, or end the whole job saying why the file did not open. */
static inline FILE *open_or_abort(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f) {
        perror(path);
        mpr_abort(MPR_COMM_WORLD, 1);
    }
    return f;
}

#endif /* EXAMPLE_UTIL_H */
