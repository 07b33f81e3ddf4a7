/*
 * job.c - start a job on this host and drive it to its end.
 *
 * One thread, one epoll loop. It watches a signalfd (SIGCHLD and the
 * signals mprun forwards), the PMIx event fd (libpmix's thread queues aborts
 * and fences there), and for each rank a pidfd (its end) and its stdout
 * and stderr pipes, plus mprun's stdin while rank 0 can take more. Deadlines (--timeout, SIGKILL after the grace period, the end
 * of draining) become epoll_wait's timeout. Every event costs O(1), whatever
 * the number of ranks.
 *
 * The job stops at the first of: a rank failing (non-zero exit or signal),
 * a rank calling PMIx_Abort, a forwarded signal, the timeout, a start-up
 * failure. That first event alone is reported and decides the exit code;
 * ranks that mprun then stops are not failures.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binding.h"
#include "cleanup.h"
#include "iofwd.h"
#include "pmix_server.h"
#include "spawn.h"

#define STOP_GRACE_MS 2000 /* from the first signal to SIGKILL */
#define FINALIZE_WATCH_S 2 /* longest wait for the PMIx server to finalize */
#define ABANDON_MS 5000    /* after SIGKILL, stop waiting for unkillable ranks */
#define DRAIN_MS 1000      /* after the last rank, for pipes an escaped process holds */
#define SWEEP_MS 1000      /* at the end, for leftover processes to die */
#define NO_DEADLINE INT64_MAX
#define EVENTS_PER_WAIT 64

struct rank {
    pid_t pid;         /* 0 until started; the rank's process group too */
    int pidfd;         /* -1 once reaped, or where pidfds are not available */
    bool running;      /* started and not reaped */
    bool start_failed; /* it could not bind or exec, and mprun said so */
    struct mprun_output out, err;
};

struct job {
    const struct mprun_options *opts;
    const char *program_path;
    char host[HOST_NAME_MAX + 1];
    char nspace[64];
    char tmpdir[PATH_MAX];
    struct mprun_binding_plan plan;
    struct mprun_child_setup child_setup;
    struct rank *ranks;
    int nranks, nrunning;
    int epoll_fd, signal_fd, pmix_fd, devnull_fd;
    bool reap_by_scan; /* some rank has no pidfd: find ended ranks with waitpid(-1) */
    struct mprun_input input;
    bool stdin_read_watched, stdin_write_watched;
    bool stdin_unpollable; /* a regular file or /dev/null: always readable */
    bool stopping;
    bool abandoned;    /* ranks that survived SIGKILL were left behind */
    bool exit_code_set;
    int exit_code;
    int64_t timeout_at, kill_at, abandon_at, drain_until;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One message line on stderr, written at once. */
static void say(const char *fmt, ...)
{
    char line[1024];
    int len = snprintf(line, sizeof(line), "mprun: ");
    va_list ap;

    va_start(ap, fmt);
    len += vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof(line) - 2)
        len = (int)sizeof(line) - 2;
    line[len++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)len) < 0) {
        /* Nowhere left to complain. */
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_exit_code(struct job *job, int code)
{
    if (!job->exit_code_set) {
        job->exit_code = code;
        job->exit_code_set = true;
    }
}

/* ---- Watched descriptors ------------------------------------------------ */

enum watch_kind {
    WATCH_SIGNALS,
    WATCH_PMIX,
    WATCH_RANK_END,
    WATCH_STDOUT,
    WATCH_STDERR,
    WATCH_STDIN_READ,
    WATCH_STDIN_WRITE,
};

static int watch(struct job *job, int fd, uint32_t events, enum watch_kind kind, int rank)
{
    struct epoll_event ev = {
        .events = events,
        .data.u64 = (uint64_t)kind << 32 | (uint32_t)rank,
    };

    return epoll_ctl(job->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

/* Before closing: epoll forgets a descriptor only once every copy of it is
 * closed, and a copy elsewhere would keep reporting a dead one. */
static void unwatch(struct job *job, int fd)
{
    if (fd >= 0)
        epoll_ctl(job->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

static void end_output(struct job *job, struct mprun_output *o)
{
    unwatch(job, o->fd);
    mprun_output_close(o);
}

static void pump_output(struct job *job, struct mprun_output *o)
{
    if (o->fd >= 0 && !mprun_output_pump(o))
        end_output(job, o);
}

static void drain_output(struct job *job, struct mprun_output *o)
{
    if (o->fd >= 0 && !mprun_output_drain(o))
        end_output(job, o);
}

static void close_pidfd(struct job *job, struct rank *rank)
{
    if (rank->pidfd < 0)
        return;
    unwatch(job, rank->pidfd);
    close(rank->pidfd);
    rank->pidfd = -1;
}

static void stop_stdin(struct job *job)
{
    if (job->stdin_read_watched)
        unwatch(job, STDIN_FILENO);
    if (job->stdin_write_watched)
        unwatch(job, job->input.dst);
    job->stdin_read_watched = job->stdin_write_watched = false;
    mprun_input_close(&job->input);
}

/* Close rank 0's stdin once everything went through, and watch what the
 * forwarding waits for next. */
static void settle_stdin(struct job *job)
{
    struct mprun_input *in = &job->input;
    bool want_read, want_write;

    if (mprun_input_done(in))
        stop_stdin(job);
    want_read = mprun_input_wants_read(in) >= 0;
    want_write = mprun_input_wants_write(in) >= 0;
    if (job->stdin_read_watched != want_read && !job->stdin_unpollable) {
        if (!want_read) {
            unwatch(job, STDIN_FILENO);
            job->stdin_read_watched = false;
        } else if (watch(job, STDIN_FILENO, EPOLLIN, WATCH_STDIN_READ, -1) == 0) {
            job->stdin_read_watched = true;
        } else {
            job->stdin_unpollable = true; /* epoll refuses files: just read them */
        }
    }
    if (job->stdin_write_watched != want_write) {
        if (!want_write)
            unwatch(job, in->dst);
        else if (watch(job, in->dst, EPOLLOUT, WATCH_STDIN_WRITE, -1) != 0)
            return; /* cannot happen with a pipe we created */
        job->stdin_write_watched = want_write;
    }
}

/* ---- Stopping ranks --------------------------------------------------- */

static void signal_running_ranks(struct job *job, int sig)
{
    for (int r = 0; r < job->nranks; r++) {
        if (!job->ranks[r].running)
            continue;
        if (kill(-job->ranks[r].pid, sig) != 0)
            kill(job->ranks[r].pid, sig);
    }
}

struct finalize_watch {
    struct job *job;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
};

static void *kill_ranks_if_finalize_hangs(void *arg)
{
    struct finalize_watch *w = arg;
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FINALIZE_WATCH_S;
    pthread_mutex_lock(&w->lock);
    while (!w->finished) {
        if (pthread_cond_timedwait(&w->cond, &w->lock, &deadline) == ETIMEDOUT) {
            if (!w->finished)
                signal_running_ranks(w->job, SIGKILL);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/*
 * A rank frozen half-way through connecting leaves libpmix's listener thread
 * in a blocking recv, and PMIx_server_finalize waits for that thread forever.
 * If finalize has not returned after FINALIZE_WATCH_S, the ranks are killed:
 * their sockets close and the listener lets go.
 */
static void stop_pmix_server_or_kill(struct job *job)
{
    struct finalize_watch w = { .job = job, .finished = false };
    pthread_t watcher;

    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    bool watching = pthread_create(&watcher, NULL, kill_ranks_if_finalize_hangs, &w) == 0;
    mprun_pmix_stop();
    if (watching) {
        pthread_mutex_lock(&w.lock);
        w.finished = true;
        pthread_cond_signal(&w.cond);
        pthread_mutex_unlock(&w.lock);
        pthread_join(watcher, NULL);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
}

/*
 * Stop the job: the first caller sets the exit code and starts the grace
 * period. The ranks are frozen while the PMIx server ends, so they neither
 * see it go (and print about it) nor disconnect from it while it runs:
 * libpmix 4.2.2 completes a pending local fence once per participant that
 * disconnects, and ranks dying together make it use a freed tracker and
 * crash mprun.
 */
static void stop_job(struct job *job, int exit_code, int sig)
{
    set_exit_code(job, exit_code);
    if (job->stopping) {
        signal_running_ranks(job, sig);
        return;
    }
    job->stopping = true;
    job->kill_at = now_ms() + STOP_GRACE_MS;
    signal_running_ranks(job, SIGSTOP);
    unwatch(job, job->pmix_fd);
    stop_pmix_server_or_kill(job);
    job->pmix_fd = -1;
    signal_running_ranks(job, sig);
    signal_running_ranks(job, SIGCONT);
}

/* ---- Rank events ------------------------------------------------------ */

/* A child that could not become the program: it exits with 127. */
static void report_start_failure(struct job *job, int r, const struct mprun_child_failure *f)
{
    job->ranks[r].start_failed = true;
    if (job->stopping)
        return;
    if (f->stage == MPRUN_CHILD_EXEC) {
        say("cannot run %s: %s", job->opts->prog_argv[0], strerror(f->error));
        stop_job(job, MPRUN_EXIT_NOEXEC, SIGTERM);
    } else {
        say("cannot bind rank %d to cpus %s: %s", r, job->plan.ranks[r].cpus_text,
            strerror(f->error));
        stop_job(job, MPRUN_EXIT_FAILURE, SIGTERM);
    }
}

static void report_failure(struct job *job, int r, int status)
{
    pid_t pid = job->ranks[r].pid;

    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        say("rank %d (pid %d) on host %s killed by signal %d (%s)", r, (int)pid, job->host,
            sig, strsignal(sig));
        stop_job(job, 128 + sig, SIGTERM);
    } else {
        say("rank %d (pid %d) on host %s exited with code %d", r, (int)pid, job->host,
            WEXITSTATUS(status));
        stop_job(job, WEXITSTATUS(status), SIGTERM);
    }
}

static void on_rank_exit(struct job *job, int r, int status)
{
    struct rank *rank = &job->ranks[r];

    rank->running = false;
    job->nrunning--;
    close_pidfd(job, rank);
    /* Its last words come before mprun's verdict on it. */
    drain_output(job, &rank->out);
    drain_output(job, &rank->err);
    if (r == 0)
        stop_stdin(job);
    if (job->stopping || rank->start_failed)
        return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    report_failure(job, r, status);
}

static int find_rank(const struct job *job, pid_t pid)
{
    for (int r = 0; r < job->nranks; r++) {
        if (job->ranks[r].pid == pid)
            return r;
    }
    return -1;
}

/* The rank's pidfd became readable: it ended. */
static void reap_rank(struct job *job, int r)
{
    int status;
    pid_t pid = waitpid(job->ranks[r].pid, &status, WNOHANG);

    if (pid == job->ranks[r].pid && job->ranks[r].running)
        on_rank_exit(job, r, status);
    else if (pid < 0)
        close_pidfd(job, &job->ranks[r]); /* reaped already */
}

/* Without pidfds: reap every child that ended, ranks and orphans alike. */
static void reap_all_children(struct job *job)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int r = find_rank(job, pid);

        if (r >= 0 && job->ranks[r].running)
            on_rank_exit(job, r, status);
    }
}

/* With pidfds, SIGCHLD only matters for orphans the subreaper adopted; one
 * whose signal merged with another's is reaped at the end. Reaping by pid
 * spares waitpid(-1) its walk over every child. */
static void on_child_signal(struct job *job, pid_t pid)
{
    if (job->reap_by_scan)
        reap_all_children(job);
    else if (pid > 0 && find_rank(job, pid) < 0)
        waitpid(pid, NULL, WNOHANG);
}

static void on_forwarded_signal(struct job *job, int sig)
{
    if (job->stopping) {
        signal_running_ranks(job, SIGKILL); /* asked twice: no more grace */
        return;
    }
    say("caught signal %d (%s): stopping the job", sig, strsignal(sig));
    stop_job(job, 128 + sig, sig);
}

static void on_signals(struct job *job)
{
    struct signalfd_siginfo si;

    while (read(job->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGCHLD)
            on_child_signal(job, (pid_t)si.ssi_pid);
        else
            on_forwarded_signal(job, (int)si.ssi_signo);
    }
}

static void on_pmix_events(struct job *job)
{
    struct mprun_pmix_event *ev;

    while ((ev = mprun_pmix_take_event()) != NULL) {
        if (ev->kind == MPRUN_PMIX_ABORT) {
            if (!job->stopping) {
                int code = ev->status & 0xff;

                if (ev->message != NULL && ev->message[0] != '\0')
                    say("rank %d aborted the job with code %d: %s", ev->rank, code,
                        ev->message);
                else
                    say("rank %d aborted the job with code %d", ev->rank, code);
                /* The rank stays blocked in PMIx_Abort until it is killed. */
                stop_job(job, code, SIGTERM);
            }
        } else {
            /* One host: this host's contribution is the whole collection. */
            mprun_pmix_complete_fence(ev, ev->status, ev->data, ev->ndata);
            ev->data = NULL;
        }
        mprun_pmix_event_free(ev);
    }
}

static void dispatch(struct job *job, uint64_t key)
{
    enum watch_kind kind = (enum watch_kind)(key >> 32);
    int r = (int)(uint32_t)key;
    struct rank *rank = kind >= WATCH_RANK_END && kind <= WATCH_STDERR ? &job->ranks[r] : NULL;

    switch (kind) {
    case WATCH_SIGNALS:
        on_signals(job);
        break;
    case WATCH_PMIX:
        on_pmix_events(job);
        break;
    case WATCH_RANK_END:
        if (rank->pidfd >= 0)
            reap_rank(job, r);
        break;
    case WATCH_STDOUT:
        pump_output(job, &rank->out);
        break;
    case WATCH_STDERR:
        pump_output(job, &rank->err);
        break;
    case WATCH_STDIN_READ:
        if (mprun_input_wants_read(&job->input) >= 0)
            mprun_input_on_readable(&job->input);
        break;
    case WATCH_STDIN_WRITE:
        if (mprun_input_wants_write(&job->input) >= 0)
            mprun_input_on_writable(&job->input);
        break;
    }
}

/* ---- Deadlines and the loop ------------------------------------------- */

static void close_all_outputs(struct job *job)
{
    for (int r = 0; r < job->nranks; r++) {
        if (job->ranks[r].out.fd >= 0)
            end_output(job, &job->ranks[r].out);
        if (job->ranks[r].err.fd >= 0)
            end_output(job, &job->ranks[r].err);
    }
}

static void kill_rank_groups(struct job *job)
{
    for (int r = 0; r < job->nranks; r++) {
        if (job->ranks[r].pid > 0)
            kill(-job->ranks[r].pid, SIGKILL);
    }
}

static void check_deadlines(struct job *job)
{
    int64_t now = now_ms();

    if (now >= job->timeout_at) {
        job->timeout_at = NO_DEADLINE;
        if (!job->stopping) {
            say("job timed out after %s s", job->opts->timeout_text);
            stop_job(job, MPRUN_EXIT_TIMEOUT, SIGTERM);
        }
    }
    if (now >= job->kill_at) {
        job->kill_at = NO_DEADLINE;
        signal_running_ranks(job, SIGKILL);
        job->abandon_at = now + ABANDON_MS;
    }
    if (now >= job->abandon_at && job->nrunning > 0) {
        say("%d rank(s) survived SIGKILL; leaving them behind", job->nrunning);
        job->abandoned = true;
    }
    if (job->nrunning == 0 && job->drain_until == NO_DEADLINE) {
        /* Whatever the ranks left behind goes too, which closes their pipes. */
        kill_rank_groups(job);
        job->drain_until = now + DRAIN_MS;
    }
    if (now >= job->drain_until)
        close_all_outputs(job);
}

static int wait_timeout(const struct job *job)
{
    int64_t next = job->timeout_at;
    int64_t wait;

    if (job->kill_at < next)
        next = job->kill_at;
    if (job->nrunning > 0 && job->abandon_at < next)
        next = job->abandon_at;
    if (job->drain_until < next)
        next = job->drain_until;
    if (next == NO_DEADLINE)
        return -1;
    wait = next - now_ms();
    if (wait < 0)
        return 0;
    return wait > INT_MAX ? INT_MAX : (int)wait;
}

static bool job_finished(const struct job *job)
{
    if (job->abandoned)
        return true;
    if (job->nrunning > 0)
        return false;
    for (int r = 0; r < job->nranks; r++) {
        if (job->ranks[r].out.fd >= 0 || job->ranks[r].err.fd >= 0)
            return false;
    }
    return true;
}

static int run_loop(struct job *job)
{
    struct epoll_event events[EVENTS_PER_WAIT];

    while (!job_finished(job)) {
        int n;

        settle_stdin(job);
        if (job->stdin_unpollable && mprun_input_wants_read(&job->input) >= 0) {
            mprun_input_on_readable(&job->input);
            continue;
        }
        n = epoll_wait(job->epoll_fd, events, EVENTS_PER_WAIT, wait_timeout(job));
        if (n < 0 && errno != EINTR) {
            say("epoll_wait failed: %s", strerror(errno));
            return -1;
        }
        /* An abort is handled before the deaths it causes. */
        on_pmix_events(job);
        for (int i = 0; i < n; i++)
            dispatch(job, events[i].data.u64);
        check_deadlines(job);
    }
    return 0;
}

/* ---- Start ------------------------------------------------------------ */

static void short_host_name(char *host, size_t len)
{
    char *dot;
    bool numeric = true;

    if (gethostname(host, len) != 0)
        snprintf(host, len, "localhost");
    host[len - 1] = '\0';
    for (const char *p = host; *p != '\0' && numeric; p++)
        numeric = (*p >= '0' && *p <= '9') || *p == '.';
    /* Keep an address whole; cut a name at its domain, as libpmix does. */
    dot = strchr(host, '.');
    if (!numeric && dot != NULL)
        *dot = '\0';
}

static int setup_signals(struct job *job)
{
    struct sigaction old;
    sigset_t set;

    sigaction(SIGHUP, NULL, &old);
    job->child_setup.sighup_ignored = old.sa_handler == SIG_IGN;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Under nohup, SIGHUP stays ignored, for mprun and its ranks alike. */
    if (!job->child_setup.sighup_ignored)
        sigaddset(&set, SIGHUP);
    /* Blocked before libpmix starts its threads, so they inherit the mask
     * and every such signal reaches the signalfd. */
    sigprocmask(SIG_BLOCK, &set, &job->child_setup.signal_mask);
    job->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (job->signal_fd < 0) {
        say("cannot create a signalfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Each rank needs three descriptors (stdout, stderr, pidfd). */
static int raise_open_file_limit(struct job *job)
{
    struct rlimit *saved = &job->child_setup.nofile;
    rlim_t need = (rlim_t)job->nranks * 3 + 64;
    struct rlimit raised;

    if (getrlimit(RLIMIT_NOFILE, saved) != 0 || saved->rlim_cur >= need)
        return 0;
    if (saved->rlim_max < need) {
        say("%d ranks need %llu open files, more than the limit of %llu (see ulimit -n)",
            job->nranks, (unsigned long long)need, (unsigned long long)saved->rlim_max);
        return -1;
    }
    raised = (struct rlimit){.rlim_cur = need, .rlim_max = saved->rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        say("cannot raise the open-file limit to %llu: %s", (unsigned long long)need,
            strerror(errno));
        return -1;
    }
    job->child_setup.restore_nofile = true;
    return 0;
}

static int make_tmpdir(struct job *job)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(job->tmpdir, sizeof(job->tmpdir), "%s/mprun.%d.XXXXXX", base, (int)getpid());
    if (mkdtemp(job->tmpdir) == NULL) {
        say("cannot create a directory in %s: %s", base, strerror(errno));
        job->tmpdir[0] = '\0';
        return -1;
    }
    return 0;
}

static int start_pmix_server(struct job *job)
{
    char err[512];
    char *hosts[1] = {job->host};
    struct mprun_layout layout = {
        .nranks = job->nranks,
        .nhosts = 1,
        .hosts = hosts,
        .local_host = 0,
    };
    int rc;

    job->pmix_fd = mprun_pmix_start(job->tmpdir, job->host, job->plan.topology, err,
                                    sizeof(err));
    if (job->pmix_fd < 0) {
        say("%s", err);
        return -1;
    }
    if (watch(job, job->pmix_fd, EPOLLIN, WATCH_PMIX, -1) != 0) {
        say("cannot watch the PMIx server: %s", strerror(errno));
        return -1;
    }
    /* One host: every rank on host 0. */
    layout.host_of_rank = calloc((size_t)job->nranks, sizeof(*layout.host_of_rank));
    if (layout.host_of_rank == NULL) {
        say("out of memory");
        return -1;
    }
    rc = mprun_pmix_register_job(job->nspace, &layout, err, sizeof(err));
    free(layout.host_of_rank);
    if (rc != 0)
        say("%s", err);
    return rc;
}

/* Rank 0 reads mprun's stdin through a pipe, unless mprun has no stdin or
 * runs in the background of a terminal (reading it would stop mprun). */
static int rank0_stdin(struct job *job, int *pipe_read_end)
{
    int fds[2];

    *pipe_read_end = -1;
    if (fcntl(STDIN_FILENO, F_GETFL) < 0 ||
        (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp()))
        return job->devnull_fd;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return job->devnull_fd;
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    mprun_input_init(&job->input, STDIN_FILENO, fds[1]);
    *pipe_read_end = fds[0];
    return fds[0];
}

static void report_bindings(const struct job *job)
{
    char line[512];

    for (int r = 0; r < job->nranks; r++) {
        mprun_binding_format_report(&job->plan, r, job->host, line, sizeof(line));
        if (write(STDERR_FILENO, line, strlen(line)) < 0)
            return;
    }
}

/* Watch a started rank; -1 only if the kernel refuses (out of memory). */
static int watch_rank(struct job *job, int r)
{
    struct rank *rank = &job->ranks[r];

    if (rank->pidfd < 0)
        job->reap_by_scan = true;
    else if (watch(job, rank->pidfd, EPOLLIN, WATCH_RANK_END, r) != 0)
        return -1;
    if (watch(job, rank->out.fd, EPOLLIN, WATCH_STDOUT, r) != 0 ||
        watch(job, rank->err.fd, EPOLLIN, WATCH_STDERR, r) != 0)
        return -1;
    return 0;
}

static int spawn_ranks(struct job *job, char **base_env)
{
    char err[512];
    int stdin_pipe;
    int stdin0 = rank0_stdin(job, &stdin_pipe);
    int rc = 0;

    for (int r = 0; r < job->nranks && rc == 0; r++) {
        struct rank *rank = &job->ranks[r];
        struct mprun_spawned spawned;
        struct mprun_spawn_request req = {
            .path = job->program_path,
            .argv = job->opts->prog_argv,
            .stdin_fd = r == 0 ? stdin0 : job->devnull_fd,
            .binding = &job->plan.ranks[r],
            .setup = &job->child_setup,
        };
        char **env = mprun_env_copy(base_env);

        if (env == NULL) {
            snprintf(err, sizeof(err), "out of memory");
            rc = -1;
        } else if (mprun_pmix_setup_rank(r, &env, err, sizeof(err)) != 0) {
            rc = -1;
        } else {
            req.env = env;
            rc = mprun_spawn(&req, &spawned, err, sizeof(err));
        }
        mprun_env_free(env);
        if (rc != 0) {
            say("cannot start rank %d: %s", r, err);
            break;
        }
        rank->pid = spawned.pid;
        rank->pidfd = spawned.pidfd;
        rank->running = true;
        mprun_output_init(&rank->out, spawned.stdout_fd, STDOUT_FILENO, r,
                          job->opts->tag_output);
        mprun_output_init(&rank->err, spawned.stderr_fd, STDERR_FILENO, r,
                          job->opts->tag_output);
        job->nrunning++;
        rc = watch_rank(job, r);
        if (rc != 0) {
            say("cannot watch rank %d: %s", r, strerror(errno));
        } else if (spawned.failed) {
            report_start_failure(job, r, &spawned.failure);
            rc = -1;
        }
    }
    if (stdin_pipe >= 0)
        close(stdin_pipe);
    if (job->ranks[0].pid == 0)
        stop_stdin(job);
    return rc;
}

static int start_job(struct job *job)
{
    char err[512];
    char **base_env;
    int rc;

    if (setup_signals(job) != 0 || raise_open_file_limit(job) != 0)
        return -1;
    job->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (job->epoll_fd < 0 || watch(job, job->signal_fd, EPOLLIN, WATCH_SIGNALS, -1) != 0) {
        say("cannot set up epoll: %s", strerror(errno));
        return -1;
    }
    /* Orphans of the ranks come to mprun, which can then end them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    job->devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (job->devnull_fd < 0) {
        say("cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    if (mprun_binding_plan_make(job->opts, &job->plan, err, sizeof(err)) != 0) {
        say("%s", err);
        return -1;
    }
    if (job->plan.oversubscribed && !job->opts->oversubscribe)
        say("warning: %d ranks on %d core%s: oversubscribed (use --oversubscribe to silence)",
            job->nranks, job->plan.ncores, job->plan.ncores == 1 ? "" : "s");

    mprun_env_prepare_launcher();
    /* Taken before libpmix runs threads that might touch the environment. */
    base_env = mprun_env_make_base(job->opts, job->plan.oversubscribed);
    if (base_env == NULL) {
        say("out of memory");
        return -1;
    }
    if (make_tmpdir(job) != 0 || start_pmix_server(job) != 0) {
        free(base_env);
        return -1;
    }
    if (job->opts->report_bindings)
        report_bindings(job);
    if (job->opts->timeout_ms > 0)
        job->timeout_at = now_ms() + job->opts->timeout_ms;
    rc = spawn_ranks(job, base_env);
    free(base_env);
    return rc;
}

/* ---- End -------------------------------------------------------------- */

/* Nothing of the job may outlive mprun, nor what it left on disk. */
static void finish_job(struct job *job)
{
    kill_rank_groups(job);
    mprun_kill_children(job->signal_fd, SWEEP_MS);
    close_all_outputs(job);
    stop_stdin(job);
    for (int r = 0; r < job->nranks; r++)
        close_pidfd(job, &job->ranks[r]);
    mprun_pmix_stop();
    if (job->tmpdir[0] != '\0')
        mprun_remove_tree(job->tmpdir);
    mprun_remove_shm_files(job->nspace);
    mprun_binding_plan_free(&job->plan);
    free(job->ranks);
    if (job->epoll_fd >= 0)
        close(job->epoll_fd);
    if (job->signal_fd >= 0)
        close(job->signal_fd);
    if (job->devnull_fd >= 0)
        close(job->devnull_fd);
}

int mprun_job_run(const struct mprun_options *opts, const char *program_path)
{
    struct job job = {
        .opts = opts,
        .program_path = program_path,
        .nranks = opts->nranks,
        .epoll_fd = -1,
        .signal_fd = -1,
        .pmix_fd = -1,
        .devnull_fd = -1,
        .timeout_at = NO_DEADLINE,
        .kill_at = NO_DEADLINE,
        .abandon_at = NO_DEADLINE,
        .drain_until = NO_DEADLINE,
    };

    mprun_input_init(&job.input, -1, -1);
    short_host_name(job.host, sizeof(job.host));
    snprintf(job.nspace, sizeof(job.nspace), "mprun-%d", (int)getpid());
    job.child_setup.launcher_pid = getpid();
    job.ranks = calloc((size_t)job.nranks, sizeof(*job.ranks));
    if (job.ranks == NULL) {
        say("out of memory");
        return MPRUN_EXIT_FAILURE;
    }
    for (int r = 0; r < job.nranks; r++) {
        job.ranks[r].pidfd = -1;
        mprun_output_init(&job.ranks[r].out, -1, STDOUT_FILENO, r, false);
        mprun_output_init(&job.ranks[r].err, -1, STDERR_FILENO, r, false);
    }

    if (start_job(&job) != 0)
        stop_job(&job, MPRUN_EXIT_FAILURE, SIGTERM); /* unless stopped already */
    if (run_loop(&job) != 0)
        set_exit_code(&job, MPRUN_EXIT_FAILURE);
    finish_job(&job);
    return job.exit_code_set ? job.exit_code : 0;
}
