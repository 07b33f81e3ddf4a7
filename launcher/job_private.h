/*
 * job_private.h - the first mprun's state of a job, shared by job.c (the
 * verdicts, the loop, start and end), job_remote.c (the daemons of the
 * other hosts: what they say, fences, the job's description) and
 * job_stdin.c (mprun's stdin to rank 0, here or there). Nothing outside
 * these three files includes it.
 */
#ifndef MPRUN_JOB_PRIVATE_H
#define MPRUN_JOB_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "blame.h"
#include "daemons.h"
#include "fence.h"
#include "iofwd.h"
#include "job.h"
#include "loop.h"
#include "names.h"
#include "pmix_server.h"
#include "ranks.h"
#include "spawn.h"

struct job {
    const struct mprun_options *opts;
    const struct mprun_job_hosts *hosts;
    const char *program_path;
    const char *mprun_path;
    char nspace[64];
    struct mprun_loop loop;
    struct mprun_child_setup child_setup;
    int signal_fd;
    struct mprun_watch signal_watch;

    /* This host's ranks. */
    bool has_local;
    struct mprun_ranks local;
    char **base_env;

    /* Other hosts. */
    bool multi;
    struct mprun_daemons daemons;
    char **pmix_names;           /* per host, as each daemon reported it */
    int nnamed;
    struct mprun_fence fence;
    struct mprun_names names;    /* what the ranks published, for every host */
    struct mprun_output *remote_out, *remote_err; /* per rank, used for remote ones */

    bool *ended;                 /* per rank: reported ended (or never to start) */
    int nremaining;
    struct mprun_blame blame;    /* which failed rank to name */

    /* mprun's stdin, to rank 0 here (a pipe) or there (STDIN messages). */
    struct mprun_input input;
    struct mprun_watch stdin_read_watch, stdin_write_watch;
    bool stdin_unpollable;       /* a regular file or /dev/null: always readable */
    bool stdin_usable;
    bool stdin_remote;           /* rank 0 is on another host */
    bool stdin_remote_eof;
    bool stdin_in_flight;        /* a chunk sent, its ack not back yet */

    bool launched;
    bool stopping;
    bool shutdown_sent;
    bool exit_code_set;
    int exit_code;
    int64_t timeout_at, give_up_at, daemons_exit_until;
};

static inline const char *mprun_job_host_label(const struct job *job, int host)
{
    return job->hosts->labels[host];
}

/* ---- job.c: what happens to ranks, here or there ---------------------- */

void mprun_job_set_exit_code(struct job *job, int code);

/* mprun_job_stop - stop the job: the first caller sets the exit code, and
 * every host stops its ranks with sig (see mprun_ranks_stop); later calls
 * just signal. */
void mprun_job_stop(struct job *job, int exit_code, int sig);

/* mprun_job_rank_finished - a rank ended, on host: the verdict if it failed
 * (a non-zero code, a signal, or exit 0 without PMIx_Finalize once it had
 * connected: unfinalized), by blame.c's rule: failed_peer is the rank it
 * saw fail first, or -1. */
void mprun_job_rank_finished(struct job *job, int rank, int host, pid_t pid, int status,
                             bool start_failed, bool unfinalized, int failed_peer);

/* mprun_job_mark_host_ended - the ranks of host will never be heard of again. */
void mprun_job_mark_host_ended(struct job *job, int host);

/* mprun_job_mark_unstarted_ended - ranks never started count as ended. */
void mprun_job_mark_unstarted_ended(struct job *job);

/* mprun_job_aborted - rank called PMIx_Abort (failed_peer as above). */
void mprun_job_aborted(struct job *job, int rank, int code, const char *message,
                       int failed_peer);

void mprun_job_start_failed(struct job *job, int rank, int host, int stage, int error,
                            const char *cpus);

/* ---- job_remote.c: the other hosts ------------------------------------ */

/* mprun_job_prepare_remote_hosts - start the daemons (their agents). */
int mprun_job_prepare_remote_hosts(struct job *job, char *err, size_t errlen);

/* mprun_job_check_distinct_names - every host has its own PMIx name. */
int mprun_job_check_distinct_names(const struct job *job, char *err, size_t errlen);

/* mprun_job_send_descriptions - the job, to every daemon. */
int mprun_job_send_descriptions(struct job *job, char *err, size_t errlen);

/* mprun_job_send_stop - every daemon stops its ranks with sig. */
void mprun_job_send_stop(struct job *job, int sig);

/* mprun_job_close_remote_outputs - flush a remote rank's partial lines. */
void mprun_job_close_remote_outputs(struct job *job, int rank);

/* mprun_job_local_fence - this host's part of a fence (takes ev). */
void mprun_job_local_fence(struct job *job, struct mprun_pmix_event *ev);

void mprun_job_drop_fence_token(void *token);

/* mprun_job_names_request - a rank of host publishes, looks up or
 * unpublishes: the job's directory answers (this host's through
 * mprun_pmix_complete_names, another's with NAMES_DONE). */
void mprun_job_names_request(struct job *job, int host, const struct mprun_names_request *req);

/* mprun_job_check_host_ended - if every rank of host ended, fail the
 * fences that wait for it. */
void mprun_job_check_host_ended(struct job *job, int host);

int mprun_job_ranks_on_host(const struct job *job, int host);

/* ---- job_stdin.c: mprun's stdin to rank 0 ------------------------------ */

bool mprun_job_stdin_is_usable(void);

/* mprun_job_local_rank0_stdin - for a rank 0 here: the read end of a pipe
 * fed from mprun's stdin, or -1. */
int mprun_job_local_rank0_stdin(struct job *job);

/* mprun_job_settle_stdin - after each round of events: watch what the
 * forwarding waits for next. Returns true if stdin is a file epoll cannot
 * watch and should be read right away (mprun_job_read_stdin). */
bool mprun_job_settle_stdin(struct job *job);

void mprun_job_read_stdin(struct job *job);

/* mprun_job_stop_stdin - rank 0 is gone: forward nothing more. */
void mprun_job_stop_stdin(struct job *job);

#endif
