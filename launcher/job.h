/*
 * job.h - run one job on this host: start the PMIx server and the ranks,
 * then drive the single-threaded event loop (rank exits, signals, output,
 * stdin, PMIx events, timeout) until every rank is gone, and clean up.
 */
#ifndef MPRUN_JOB_H
#define MPRUN_JOB_H

#include "cli.h"

/* Exit codes of mprun besides the ranks' own. */
#define MPRUN_EXIT_FAILURE 1   /* mprun itself could not run the job */
#define MPRUN_EXIT_TIMEOUT 124 /* like timeout(1) */
#define MPRUN_EXIT_NOEXEC 127  /* the program could not be executed */

/* mprun_job_run - run the job described by opts, whose program was found
 * at program_path. Returns mprun's exit code. */
int mprun_job_run(const struct mprun_options *opts, const char *program_path);

#endif
