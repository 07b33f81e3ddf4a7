/*
 * job.c - the first mprun: start a job on its hosts and drive it to its end.
 *
 * One thread, one event loop (loop.c). This host's ranks are run by
 * ranks.c; each other host's by a daemon (daemon.c) that daemons.c starts
 * and keeps a link to. Whatever happens to a rank, here or there, ends up
 * in the same few functions below, which decide what it means for the job
 * (job_remote.c reads the daemons' messages, job_stdin.c forwards stdin).
 *
 * The job stops at the first of: a rank failing (non-zero exit, signal, or
 * exit 0 without PMIx_Finalize; with --enable-recovery it goes on),
 * a rank calling PMIx_Abort, a forwarded signal, the timeout, a daemon or
 * host lost, a start-up failure. That first event alone is reported and
 * decides the exit code; ranks that mprun then stops are not failures.
 */
#include "job_private.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "hosts.h"
#include "message.h"

#define SWEEP_MS 1000        /* at the end, for leftover processes to die */
#define DAEMONS_EXIT_MS 5000 /* after SHUTDOWN, for the daemons to clean up and go */
#define GIVE_UP_MS 10000     /* after stopping, for other hosts to report their ranks */

void mprun_job_set_exit_code(struct job *job, int code)
{
    if (!job->exit_code_set) {
        job->exit_code = code;
        job->exit_code_set = true;
    }
}

/* Stop the job: the first caller sets the exit code, and every host stops
 * its ranks with sig (see mprun_ranks_stop); later calls just signal. */
void mprun_job_stop(struct job *job, int exit_code, int sig)
{
    mprun_job_set_exit_code(job, exit_code);
    if (job->stopping) {
        if (job->has_local)
            mprun_ranks_signal(&job->local, sig);
        mprun_job_send_stop(job, sig);
        return;
    }
    job->stopping = true;
    job->give_up_at = mprun_now_ms() + GIVE_UP_MS;
    if (job->has_local)
        mprun_ranks_stop(&job->local, sig);
    mprun_job_send_stop(job, sig);
    if (!job->launched)
        mprun_job_mark_unstarted_ended(job);
}

/* ---- What happens to ranks, here or there ------------------------------- */

/* blame.c named `named` (or -1: nothing yet): say it, stop the job. The
 * line of the failure just reported (rank) is at hand if blame.c could not
 * keep it. */
static void name_failure(struct job *job, int named, int rank, const char *line, int code)
{
    const char *said;

    if (named < 0 || job->stopping)
        return;
    said = mprun_blame_line(&job->blame, named);
    if (said != NULL)
        code = mprun_blame_code(&job->blame, named);
    else if (named == rank)
        said = line;
    else
        said = "a rank failed";
    mprun_say("%s", said);
    mprun_job_stop(job, code, SIGTERM);
}

/* A failure (line, code): with --enable-recovery named at once and the job
 * goes on; otherwise the one blame.c points at is named, now or later. */
static void rank_failed(struct job *job, int rank, int failed_peer, const char *line, int code,
                        bool stops_anyway)
{
    if (job->opts->enable_recovery) {
        mprun_say("%s", line);
        if (stops_anyway)
            mprun_job_stop(job, code, SIGTERM);
        else
            mprun_job_set_exit_code(job, code); /* the others run on */
        return;
    }
    name_failure(job,
                 mprun_blame_failed(&job->blame, rank, failed_peer, code, line, mprun_now_ms()),
                 rank, line, code);
}

void mprun_job_rank_finished(struct job *job, int rank, int host, pid_t pid, int status,
                             bool start_failed, bool unfinalized, int failed_peer)
{
    const char *label = mprun_job_host_label(job, host);
    char line[512];
    int code;

    if (job->ended[rank])
        return;
    job->ended[rank] = true;
    job->nremaining--;
    mprun_job_close_remote_outputs(job, rank);
    if (rank == 0)
        mprun_job_stop_stdin(job);
    mprun_job_check_host_ended(job, host);
    if (job->stopping || start_failed)
        return;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        snprintf(line, sizeof(line), "rank %d (pid %d) on host %s killed by signal %d (%s)", rank,
                 (int)pid, label, sig, strsignal(sig));
        code = 128 + sig;
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(line, sizeof(line), "rank %d (pid %d) on host %s exited with code %d", rank,
                 (int)pid, label, WEXITSTATUS(status));
        code = WEXITSTATUS(status);
    } else if (unfinalized) {
        /* Its peers may be waiting for it in a fence or a message. */
        snprintf(line, sizeof(line),
                 "rank %d (pid %d) on host %s exited without calling mpr_finalize", rank,
                 (int)pid, label);
        code = MPRUN_EXIT_FAILURE;
    } else {
        if (!job->opts->enable_recovery)
            name_failure(job, mprun_blame_ended_cleanly(&job->blame, rank), -1, NULL, 0);
        return;
    }
    rank_failed(job, rank, failed_peer, line, code, false);
}

/* Ranks that will never run (a start-up failure, a lost host) count as ended. */
void mprun_job_mark_host_ended(struct job *job, int host)
{
    for (int r = 0; r < job->hosts->nranks; r++) {
        if (job->hosts->host_of_rank[r] == host && !job->ended[r]) {
            job->ended[r] = true;
            job->nremaining--;
            mprun_job_close_remote_outputs(job, r);
            if (r == 0)
                mprun_job_stop_stdin(job);
        }
    }
    mprun_job_check_host_ended(job, host);
}

void mprun_job_mark_unstarted_ended(struct job *job)
{
    for (int h = 0; h < job->hosts->nhosts; h++) {
        if (h != job->hosts->local_host)
            mprun_job_mark_host_ended(job, h);
    }
    if (job->has_local) {
        for (int i = 0; i < job->local.nlocal; i++) {
            const struct mprun_local_rank *l = &job->local.locals[i];

            if (l->pid == 0 && !job->ended[l->rank]) {
                job->ended[l->rank] = true;
                job->nremaining--;
            }
        }
    }
}

void mprun_job_aborted(struct job *job, int rank, int code, const char *message,
                       int failed_peer)
{
    char line[1024];

    if (job->stopping)
        return;
    code &= 0xff;
    if (message != NULL && message[0] != '\0')
        snprintf(line, sizeof(line), "rank %d aborted the job with code %d: %s", rank, code,
                 message);
    else
        snprintf(line, sizeof(line), "rank %d aborted the job with code %d", rank, code);
    /* The rank stays blocked in PMIx_Abort until it is killed. */
    rank_failed(job, rank, failed_peer, line, code, true);
}

void mprun_job_start_failed(struct job *job, int rank, int host, int stage, int error,
                            const char *cpus)
{
    if (job->stopping)
        return;
    if (stage == MPRUN_CHILD_EXEC) {
        if (job->multi)
            mprun_say("cannot run %s on host %s: %s", job->opts->prog_argv[0],
                      mprun_job_host_label(job, host), strerror(error));
        else
            mprun_say("cannot run %s: %s", job->opts->prog_argv[0], strerror(error));
        mprun_job_stop(job, MPRUN_EXIT_NOEXEC, SIGTERM);
    } else {
        if (job->multi)
            mprun_say("cannot bind rank %d to cpus %s on host %s: %s", rank, cpus,
                      mprun_job_host_label(job, host), strerror(error));
        else
            mprun_say("cannot bind rank %d to cpus %s: %s", rank, cpus, strerror(error));
        mprun_job_stop(job, MPRUN_EXIT_FAILURE, SIGTERM);
    }
}

/* ---- Events of this host's ranks ---------------------------------------- */

static void on_local_rank_ended(void *ctx, int rank, pid_t pid, int status, bool failed,
                                bool unfinalized, int failed_peer)
{
    struct job *job = ctx;

    mprun_job_rank_finished(job, rank, job->hosts->local_host, pid, status, failed, unfinalized,
                            failed_peer);
}

static void on_local_start_failed(void *ctx, int rank, const struct mprun_child_failure *f,
                                  const char *cpus)
{
    struct job *job = ctx;

    mprun_job_start_failed(job, rank, job->hosts->local_host, f->stage, f->error, cpus);
}

static void on_local_pmix_event(void *ctx, struct mprun_pmix_event *ev)
{
    struct job *job = ctx;

    switch (ev->kind) {
    case MPRUN_PMIX_FENCE:
        mprun_job_local_fence(job, ev);
        return;
    case MPRUN_PMIX_ABORT:
        mprun_job_aborted(job, ev->rank, ev->status, ev->message,
                          mprun_ranks_failed_peer(&job->local, ev->rank));
        break;
    case MPRUN_PMIX_NAMES:
        mprun_job_names_request(job, job->hosts->local_host, ev->names);
        break;
    case MPRUN_PMIX_LOG:
        mprun_say("rank %d: %s", ev->rank, ev->message);
        break;
    default:
        break;
    }
    mprun_pmix_event_free(ev);
}

static const struct mprun_ranks_events local_events = {
    .rank_ended = on_local_rank_ended,
    .start_failed = on_local_start_failed,
    .pmix_event = on_local_pmix_event,
};

/* ---- Signals ------------------------------------------------------------ */

static void on_other_child(void *ctx, pid_t pid, int status)
{
    struct job *job = ctx;

    if (job->multi)
        mprun_daemons_child_exited(&job->daemons, pid, status);
}

static void on_forwarded_signal(struct job *job, int sig)
{
    if (job->stopping) {
        /* Asked twice: no more grace. */
        if (job->has_local)
            mprun_ranks_signal(&job->local, SIGKILL);
        mprun_job_send_stop(job, SIGKILL);
        return;
    }
    mprun_say("caught signal %d (%s): stopping the job", sig, strsignal(sig));
    mprun_job_stop(job, 128 + sig, sig);
}

static void on_signals(struct mprun_watch *w, uint32_t events)
{
    struct job *job = (struct job *)(void *)((char *)w - offsetof(struct job, signal_watch));
    struct signalfd_siginfo si;

    (void)events;
    while (read(job->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGCHLD)
            mprun_ranks_on_sigchld(job->has_local ? &job->local : NULL, (pid_t)si.ssi_pid,
                                   on_other_child, job);
        else
            on_forwarded_signal(job, (int)si.ssi_signo);
    }
}

/* ---- Launch: once every daemon said hello ------------------------------- */

static void report_bindings(const struct job *job)
{
    char line[512];

    for (int i = 0; i < job->local.nlocal; i++) {
        mprun_ranks_binding_line(&job->local, i, mprun_job_host_label(job, job->hosts->local_host),
                                 line, sizeof(line));
        mprun_write_stderr(line, strlen(line));
    }
}

static int start_local_ranks(struct job *job, char *err, size_t errlen)
{
    struct mprun_layout layout = {
        .nranks = job->hosts->nranks,
        .nhosts = job->hosts->nhosts,
        .hosts = job->pmix_names,
        .host_of_rank = job->hosts->host_of_rank,
        .local_host = job->hosts->local_host,
    };
    int stdin_pipe = -1;
    int rc;

    if (mprun_ranks_start_server(&job->local, job->nspace, &layout, err, errlen) != 0)
        return -1;
    if (job->opts->report_bindings)
        report_bindings(job);
    if (job->hosts->host_of_rank[0] == job->hosts->local_host)
        stdin_pipe = mprun_job_local_rank0_stdin(job);
    rc = mprun_ranks_spawn(&job->local, job->program_path, job->opts->prog_argv, job->base_env,
                           stdin_pipe, err, errlen);
    if (stdin_pipe >= 0)
        close(stdin_pipe);
    if (job->local.locals[0].rank == 0 && job->local.locals[0].pid == 0)
        mprun_job_stop_stdin(job);
    return rc;
}

/* Every host is known: describe the job to the daemons, start ours. */
static void launch(struct job *job)
{
    char err[512];

    job->launched = true;
    if (job->multi && (mprun_job_check_distinct_names(job, err, sizeof(err)) != 0 ||
                       mprun_job_send_descriptions(job, err, sizeof(err)) != 0)) {
        mprun_say("%s", err);
        mprun_job_stop(job, MPRUN_EXIT_FAILURE, SIGTERM);
        mprun_job_mark_unstarted_ended(job);
        return;
    }
    job->stdin_remote = job->hosts->host_of_rank[0] != job->hosts->local_host;
    /* Without a usable stdin, rank 0 there reads /dev/null (see stdin_to_rank0). */
    job->stdin_remote_eof = job->stdin_remote && !job->stdin_usable;
    if (job->has_local && start_local_ranks(job, err, sizeof(err)) != 0) {
        if (err[0] != '\0')
            mprun_say("%s", err);
        mprun_job_stop(job, MPRUN_EXIT_FAILURE, SIGTERM); /* unless stopped already */
        mprun_job_mark_unstarted_ended(job);
    }
}

/* ---- Deadlines and the loop --------------------------------------------- */

static bool all_ranks_ended(const struct job *job)
{
    return job->nremaining == 0 && (!job->has_local || mprun_ranks_done(&job->local));
}

static void check_deadlines(struct job *job)
{
    int64_t now = mprun_now_ms();

    if (now >= job->timeout_at) {
        job->timeout_at = MPRUN_NO_DEADLINE;
        if (!job->stopping) {
            mprun_say("job timed out after %s s", job->opts->timeout_text);
            mprun_job_stop(job, MPRUN_EXIT_TIMEOUT, SIGTERM);
        }
    }
    if (!job->stopping)
        /* Held for a rank not heard of: the wait is over, or nothing more
         * will come. */
        name_failure(job, mprun_blame_expire(&job->blame, now, job->nremaining == 0), -1, NULL,
                     0);
    if (job->has_local)
        mprun_ranks_check_deadlines(&job->local, now);
    if (job->multi)
        mprun_daemons_check_deadlines(&job->daemons, now);
    if (now >= job->give_up_at && job->nremaining > 0) {
        /* Hosts that never tell what became of their ranks are given up. */
        job->give_up_at = MPRUN_NO_DEADLINE;
        for (int h = 0; h < job->hosts->nhosts; h++) {
            if (h != job->hosts->local_host)
                mprun_job_mark_host_ended(job, h);
        }
    }
    if (job->multi && !job->shutdown_sent && all_ranks_ended(job)) {
        mprun_daemons_shutdown(&job->daemons);
        job->shutdown_sent = true;
        job->daemons_exit_until = now + DAEMONS_EXIT_MS;
    }
}

static int64_t next_deadline(const struct job *job)
{
    int64_t next = job->timeout_at;

    if (job->give_up_at < next && job->nremaining > 0)
        next = job->give_up_at;
    if (!job->stopping && mprun_blame_deadline(&job->blame) < next)
        next = mprun_blame_deadline(&job->blame);
    if (job->has_local && mprun_ranks_deadline(&job->local) < next)
        next = mprun_ranks_deadline(&job->local);
    if (job->multi && mprun_daemons_deadline(&job->daemons) < next)
        next = mprun_daemons_deadline(&job->daemons);
    if (job->shutdown_sent && job->daemons_exit_until < next)
        next = job->daemons_exit_until;
    return next;
}

static bool job_finished(const struct job *job)
{
    if (!all_ranks_ended(job))
        return false;
    if (!job->multi)
        return true;
    return job->shutdown_sent &&
           (mprun_daemons_all_ended(&job->daemons) || mprun_now_ms() >= job->daemons_exit_until);
}

static int run_loop(struct job *job)
{
    check_deadlines(job);
    while (!job_finished(job)) {
        if (job->multi && !job->launched && !job->stopping && job->nnamed == job->daemons.nremote)
            launch(job);
        if (mprun_job_settle_stdin(job)) {
            mprun_job_read_stdin(job);
            check_deadlines(job);
            continue;
        }
        if (mprun_loop_wait(&job->loop, next_deadline(job)) != 0) {
            mprun_say("epoll_wait failed: %s", strerror(errno));
            return -1;
        }
        check_deadlines(job);
    }
    return 0;
}

/* ---- Start -------------------------------------------------------------- */

static void warn_oversubscription(const struct job *job)
{
    const struct mprun_job_hosts *hosts = job->hosts;

    if (job->opts->oversubscribe)
        return;
    if (hosts->listed) {
        if (hosts->nranks > hosts->total_slots)
            mprun_say("warning: %d ranks on %d slot%s: oversubscribed (use --oversubscribe to "
                      "silence)",
                      hosts->nranks, hosts->total_slots, hosts->total_slots == 1 ? "" : "s");
    } else if (job->local.plan.oversubscribed) {
        mprun_say("warning: %d ranks on %d core%s: oversubscribed (use --oversubscribe to silence)",
                  hosts->nranks, job->local.plan.ncores, job->local.plan.ncores == 1 ? "" : "s");
    }
}

static int prepare_local_ranks(struct job *job, char *err, size_t errlen)
{
    const struct mprun_job_hosts *hosts = job->hosts;
    int nlocal = mprun_job_ranks_on_host(job, hosts->local_host);
    int *ranks = calloc((size_t)nlocal, sizeof(*ranks));
    bool oversubscribed;
    int n = 0, rc;

    if (ranks == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int r = 0; r < hosts->nranks; r++) {
        if (hosts->host_of_rank[r] == hosts->local_host)
            ranks[n++] = r;
    }
    rc = mprun_ranks_init(&job->local, &job->loop, &local_events, job, &job->child_setup, ranks,
                          nlocal, job->opts->tag_output, err, errlen);
    free(ranks);
    if (rc != 0)
        return -1;
    if (mprun_ranks_raise_fd_limit(&job->local, 2 * hosts->nhosts, err, errlen) != 0 ||
        mprun_ranks_plan(&job->local, job->opts->bind, job->opts->map, err, errlen) != 0)
        return -1;
    oversubscribed = job->local.plan.oversubscribed ||
                     (hosts->listed && nlocal > hosts->slots[hosts->local_host]);
    /* Taken before libpmix runs threads that might touch the environment. */
    job->base_env = mprun_env_make_base(job->opts->exports, job->opts->nexports, oversubscribed);
    if (job->base_env == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int start_job(struct job *job)
{
    char err[512];

    job->signal_fd = mprun_signals_take(&job->child_setup);
    if (job->signal_fd < 0) {
        mprun_say("cannot create a signalfd: %s", strerror(errno));
        return -1;
    }
    if (mprun_loop_init(&job->loop) != 0 ||
        mprun_watch_start(&job->loop, &job->signal_watch, job->signal_fd, EPOLLIN, on_signals) !=
            0) {
        mprun_say("cannot set up epoll: %s", strerror(errno));
        return -1;
    }
    /* Orphans of the ranks come to mprun, which can then end them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    job->stdin_usable = mprun_job_stdin_is_usable();
    mprun_env_prepare_launcher();
    if (job->has_local && prepare_local_ranks(job, err, sizeof(err)) != 0) {
        mprun_say("%s", err);
        return -1;
    }
    warn_oversubscription(job);
    if (job->opts->timeout_ms > 0)
        job->timeout_at = mprun_now_ms() + job->opts->timeout_ms;
    if (job->multi && mprun_job_prepare_remote_hosts(job, err, sizeof(err)) != 0) {
        mprun_say("%s", err);
        return -1;
    }
    if (!job->multi)
        launch(job);
    return 0;
}

/* ---- End ---------------------------------------------------------------- */

/* Nothing of the job may outlive mprun, nor what it left on disk. */
static void finish_job(struct job *job)
{
    if (job->multi)
        mprun_fence_free(&job->fence, mprun_job_drop_fence_token);
    if (job->has_local)
        mprun_ranks_finish(&job->local);
    if (job->multi)
        mprun_daemons_finish(&job->daemons);
    mprun_names_free(&job->names);
    mprun_kill_children(job->signal_fd, SWEEP_MS);
    mprun_job_stop_stdin(job);
    for (int r = 0; job->remote_out != NULL && r < job->hosts->nranks; r++) {
        mprun_output_close(&job->remote_out[r]);
        mprun_output_close(&job->remote_err[r]);
    }
    free(job->remote_out);
    free(job->remote_err);
    for (int h = 0; job->pmix_names != NULL && h < job->hosts->nhosts; h++)
        free(job->pmix_names[h]);
    free(job->pmix_names);
    free(job->ended);
    mprun_blame_free(&job->blame);
    free(job->base_env);
    mprun_watch_stop(&job->loop, &job->signal_watch);
    mprun_loop_close(&job->loop);
    if (job->signal_fd >= 0)
        close(job->signal_fd);
}

int mprun_job_run(const struct mprun_options *opts, const struct mprun_job_hosts *hosts,
                  const char *program_path, const char *mprun_path)
{
    struct job job = {
        .opts = opts,
        .hosts = hosts,
        .program_path = program_path,
        .mprun_path = mprun_path,
        .signal_fd = -1,
        .loop.epoll_fd = -1,
        .signal_watch.fd = -1,
        .stdin_read_watch.fd = -1,
        .stdin_write_watch.fd = -1,
        .has_local = hosts->local_host >= 0,
        .multi = hosts->nhosts > 1 || hosts->local_host < 0,
        .nremaining = hosts->nranks,
        .timeout_at = MPRUN_NO_DEADLINE,
        .give_up_at = MPRUN_NO_DEADLINE,
        .daemons_exit_until = MPRUN_NO_DEADLINE,
    };
    char host[HOST_NAME_MAX + 1];

    mprun_input_init(&job.input, -1, -1);
    mprun_ranks_clear(&job.local);
    mprun_names_init(&job.names);
    snprintf(job.nspace, sizeof(job.nspace), "mprun-%d", (int)getpid());
    job.child_setup.launcher_pid = getpid();
    job.ended = calloc((size_t)hosts->nranks, sizeof(*job.ended));
    job.pmix_names = calloc((size_t)hosts->nhosts, sizeof(*job.pmix_names));
    if (job.ended == NULL || job.pmix_names == NULL ||
        mprun_blame_init(&job.blame, hosts->nranks) != 0) {
        mprun_say("out of memory");
        free(job.ended);
        free(job.pmix_names);
        mprun_blame_free(&job.blame);
        return MPRUN_EXIT_FAILURE;
    }
    if (job.has_local) {
        mprun_short_host_name(host, sizeof(host));
        job.pmix_names[hosts->local_host] = strdup(host);
        if (job.pmix_names[hosts->local_host] == NULL) {
            mprun_say("out of memory");
            free(job.ended);
            free(job.pmix_names);
            mprun_blame_free(&job.blame);
            return MPRUN_EXIT_FAILURE;
        }
    }

    if (start_job(&job) != 0) {
        mprun_job_stop(&job, MPRUN_EXIT_FAILURE, SIGTERM); /* unless stopped already */
        mprun_job_mark_unstarted_ended(&job);
    }
    if (run_loop(&job) != 0)
        mprun_job_set_exit_code(&job, MPRUN_EXIT_FAILURE);
    finish_job(&job);
    return job.exit_code_set ? job.exit_code : 0;
}
