/*
 * job.h - run one job, as the first mprun: its own host's ranks (if any)
 * and, through a daemon on each other host, the ranks there; drive the
 * single-threaded event loop (rank ends, signals, output, stdin, PMIx
 * events, daemons' messages, timeout) until every rank is gone, and clean
 * up on every host.
 */
#ifndef MPRUN_JOB_H
#define MPRUN_JOB_H

#include <stdbool.h>

#include "cli.h"

/* Exit codes of mprun besides the ranks' own. */
#define MPRUN_EXIT_FAILURE 1   /* mprun itself could not run the job */
#define MPRUN_EXIT_TIMEOUT 124 /* like timeout(1) */
#define MPRUN_EXIT_NOEXEC 127  /* the program could not be executed */

/* Where the job runs, decided before it starts (see mprun.c). */
struct mprun_job_hosts {
    bool listed;        /* from --host or --hostfile: slots, not cores, decide
                           oversubscription */
    int nhosts;         /* hosts with at least one rank */
    char **labels;      /* their names as given; this host's short name when
                           not listed */
    int *slots;
    int local_host;     /* index of this host, or -1 if it runs no rank */
    int nranks;
    int *host_of_rank;  /* nranks entries */
    int total_slots;    /* of every host listed, used or not */
};

/* mprun_job_run - run the job described by opts on hosts. program_path is
 * the program found here (NULL if this host runs no rank); mprun_path is
 * this mprun's absolute path, for the other hosts. Returns mprun's exit
 * code. */
int mprun_job_run(const struct mprun_options *opts, const struct mprun_job_hosts *hosts,
                  const char *program_path, const char *mprun_path);

#endif
