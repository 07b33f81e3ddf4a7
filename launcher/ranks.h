/*
 * ranks.h - the ranks of a job that run on this host, for the first mprun
 * (its own host's ranks) and for each daemon alike: the binding plan, the
 * PMIx server, starting the ranks, watching their ends and output,
 * stopping them, and removing what they leave behind.
 *
 * What happens to the ranks is told through struct mprun_ranks_events,
 * always from the main thread: the owner decides what it means for the
 * job (the first mprun reports it; a daemon sends it on).
 */
#ifndef MPRUN_RANKS_H
#define MPRUN_RANKS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "binding.h"
#include "iofwd.h"
#include "loop.h"
#include "pmix_server.h"
#include "spawn.h"

struct mprun_ranks;

struct mprun_local_rank {
    struct mprun_ranks *owner;
    int rank;          /* in the job */
    pid_t pid;         /* 0 until started; the rank's process group too */
    int pidfd;         /* -1 once reaped, or where pidfds are not available */
    bool running;      /* started and not reaped */
    bool start_failed; /* it could not bind or exec, and that was reported */
    struct mprun_output out, err;
    struct mprun_watch end_watch, out_watch, err_watch;
};

struct mprun_ranks_events {
    /* A rank ended (status as from waitpid); its output was drained first,
     * and PMIx events queued before were delivered. start_failed: its
     * failure to start was reported through start_failed already.
     * unfinalized: it had connected to the PMIx server and never called
     * PMIx_Finalize. failed_peer: the rank it saw fail first, or -1 (see
     * mprun_ranks_failed_peer). */
    void (*rank_ended)(void *ctx, int rank, pid_t pid, int status, bool start_failed,
                       bool unfinalized, int failed_peer);
    /* A rank could not bind (cpus: where it should have gone) or exec. */
    void (*start_failed)(void *ctx, int rank, const struct mprun_child_failure *f,
                         const char *cpus);
    /* An abort or a fence from libpmix: ownership passes to the callee. */
    void (*pmix_event)(void *ctx, struct mprun_pmix_event *ev);
};

struct mprun_ranks {
    struct mprun_loop *loop;
    const struct mprun_ranks_events *events;
    void *ctx;
    struct mprun_child_setup *child_setup;
    struct mprun_local_rank *locals;
    int nlocal, nrunning;
    struct mprun_binding_plan plan;
    char tmpdir[PATH_MAX];
    char nspace[256];
    int job_size;      /* ranks in the whole job */
    int devnull_fd;
    int pmix_fd;
    struct mprun_watch pmix_watch;
    mprun_output_sink sink;   /* NULL: output goes to our stdout/stderr */
    void *sink_arg;
    bool output_paused;
    bool spawned;      /* mprun_ranks_spawn was called: ends and draining count */
    bool reap_by_scan; /* some rank has no pidfd: find ended ranks with waitpid(-1) */
    bool stopping;
    bool abandoned;    /* ranks that survived SIGKILL were left behind */
    int64_t kill_at, abandon_at, drain_until;
};

/* mprun_ranks_clear - an empty set of ranks, safe to stop, check and finish. */
void mprun_ranks_clear(struct mprun_ranks *r);

/* mprun_ranks_failed_peer - the rank that rank (one of this host's) saw
 * fail first, as libmpr noted it in the file MPR_PEER_FAILURE_FILE names
 * (written before the rank could react), or -1: none, or not a rank of the
 * job other than itself. */
int mprun_ranks_failed_peer(const struct mprun_ranks *r, int rank);

/* mprun_ranks_init - prepare for the nlocal ranks of this host, whose job
 * ranks are ranks[0..nlocal). Output is tagged if tag_output. Returns 0, or
 * -1 with a reason in err. */
int mprun_ranks_init(struct mprun_ranks *r, struct mprun_loop *loop,
                     const struct mprun_ranks_events *events, void *ctx,
                     struct mprun_child_setup *child_setup, const int *ranks, int nlocal,
                     bool tag_output, char *err, size_t errlen);

/* mprun_ranks_set_sink - send output to sink instead of stdout/stderr. */
void mprun_ranks_set_sink(struct mprun_ranks *r, mprun_output_sink sink, void *arg);

/* mprun_ranks_plan - compute the binding of this host's ranks (the plan
 * says whether they oversubscribe the cores). Returns 0 or -1 with err. */
int mprun_ranks_plan(struct mprun_ranks *r, enum mprun_bind bind, enum mprun_map map,
                     char *err, size_t errlen);

/* mprun_ranks_raise_fd_limit - room for 3 descriptors per rank + 64 + extra.
 * Returns 0 or -1 with err. */
int mprun_ranks_raise_fd_limit(struct mprun_ranks *r, int extra, char *err, size_t errlen);

/* mprun_ranks_start_server - create the per-job directory, start the PMIx
 * server and register the job. Returns 0 or -1 with err. */
int mprun_ranks_start_server(struct mprun_ranks *r, const char *nspace,
                             const struct mprun_layout *layout, char *err, size_t errlen);

/* mprun_ranks_binding_line - the --report-bindings line of local rank i. */
void mprun_ranks_binding_line(const struct mprun_ranks *r, int i, const char *host, char *buf,
                              size_t len);

/* mprun_ranks_spawn - start every rank: job rank 0 (if here) reads
 * rank0_stdin (-1: /dev/null). Stops at the first failure. Returns 0, or -1
 * with err when a rank could not be started at all (a bind or exec failure
 * is reported through start_failed, and also gives -1 with err empty). */
int mprun_ranks_spawn(struct mprun_ranks *r, const char *path, char *const *argv,
                      char *const *base_env, int rank0_stdin, char *err, size_t errlen);

/* mprun_ranks_stop - the first call freezes the ranks, finalizes the PMIx
 * server (libpmix 4.2.2 must not see participants leave a fence one by
 * one), sends sig and SIGCONT, and starts the grace period before SIGKILL;
 * later calls just send sig. */
void mprun_ranks_stop(struct mprun_ranks *r, int sig);

/* mprun_ranks_signal - send sig to the running ranks' process groups. */
void mprun_ranks_signal(struct mprun_ranks *r, int sig);

/* mprun_ranks_child_exited - SIGCHLD said pid ended. Returns true if it was
 * one of ours (or, with reap_by_scan, reaps every ended child: others are
 * passed to other_child). */
void mprun_ranks_on_sigchld(struct mprun_ranks *r, pid_t pid,
                            void (*other_child)(void *ctx, pid_t pid, int status),
                            void *ctx);

/* mprun_ranks_close_output - nobody reads this rank's stream any more
 * (stream 1 or 2). */
void mprun_ranks_close_output(struct mprun_ranks *r, int rank, int stream);

/* mprun_ranks_pause_output - stop (or resume) reading the ranks' output
 * while what was read cannot be passed on. */
void mprun_ranks_pause_output(struct mprun_ranks *r, bool pause);

/* Deadlines of the grace period and of draining; check them when due. */
int64_t mprun_ranks_deadline(const struct mprun_ranks *r);
void mprun_ranks_check_deadlines(struct mprun_ranks *r, int64_t now);

/* mprun_ranks_done - every rank reaped and its output closed (or some
 * survived SIGKILL and were left behind). */
bool mprun_ranks_done(const struct mprun_ranks *r);

/* mprun_ranks_finish - kill what remains of the ranks, close everything,
 * stop the PMIx server, remove its directory and the job's shared memory. */
void mprun_ranks_finish(struct mprun_ranks *r);

#endif
