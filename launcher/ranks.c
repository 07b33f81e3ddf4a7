/*
 * ranks.c - the ranks of a job on this host (see ranks.h).
 *
 * Each rank has a pidfd (its end) and its stdout and stderr pipes in the
 * owner's event loop, plus the PMIx event fd for the whole host. Every
 * event costs O(1), whatever the number of ranks.
 */
#include "ranks.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "message.h"

#define STOP_GRACE_MS 2000 /* from the first signal to SIGKILL */
#define ABANDON_MS 5000    /* after SIGKILL, stop waiting for unkillable ranks */
#define DRAIN_MS 1000      /* after the last rank, for pipes an escaped process holds */
#define FINALIZE_WATCH_S 2 /* longest wait for the PMIx server to finalize */

#define LOCAL_OF(field, w)                                                                         \
    ((struct mprun_local_rank *)(void *)((char *)(w)-offsetof(struct mprun_local_rank, field)))

static void end_output(struct mprun_ranks *r, struct mprun_watch *w, struct mprun_output *o)
{
    mprun_watch_stop(r->loop, w);
    mprun_output_close(o);
}

static void close_pidfd(struct mprun_ranks *r, struct mprun_local_rank *l)
{
    if (l->pidfd < 0)
        return;
    mprun_watch_stop(r->loop, &l->end_watch);
    close(l->pidfd);
    l->pidfd = -1;
}

/* ---- PMIx events -------------------------------------------------------- */

static void deliver_pmix_events(struct mprun_ranks *r)
{
    struct mprun_pmix_event *ev;

    if (r->pmix_fd < 0)
        return;
    while ((ev = mprun_pmix_take_event()) != NULL)
        r->events->pmix_event(r->ctx, ev);
}

static void on_pmix_fd(struct mprun_watch *w, uint32_t events)
{
    struct mprun_ranks *r =
        (struct mprun_ranks *)(void *)((char *)w - offsetof(struct mprun_ranks, pmix_watch));

    (void)events;
    deliver_pmix_events(r);
}

/* ---- Output ------------------------------------------------------------- */

static void pump(struct mprun_ranks *r, struct mprun_watch *w, struct mprun_output *o)
{
    if (o->fd >= 0 && !mprun_output_pump(o))
        end_output(r, w, o);
}

static void drain(struct mprun_ranks *r, struct mprun_watch *w, struct mprun_output *o)
{
    if (o->fd >= 0 && !mprun_output_drain(o))
        end_output(r, w, o);
}

static void on_stdout(struct mprun_watch *w, uint32_t events)
{
    struct mprun_local_rank *l = LOCAL_OF(out_watch, w);

    (void)events;
    pump(l->owner, &l->out_watch, &l->out);
}

static void on_stderr(struct mprun_watch *w, uint32_t events)
{
    struct mprun_local_rank *l = LOCAL_OF(err_watch, w);

    (void)events;
    pump(l->owner, &l->err_watch, &l->err);
}

static void close_all_outputs(struct mprun_ranks *r)
{
    for (int i = 0; i < r->nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];

        if (l->out.fd >= 0)
            end_output(r, &l->out_watch, &l->out);
        if (l->err.fd >= 0)
            end_output(r, &l->err_watch, &l->err);
    }
}

static struct mprun_local_rank *find_local(struct mprun_ranks *r, int rank)
{
    for (int i = 0; i < r->nlocal; i++) {
        if (r->locals[i].rank == rank)
            return &r->locals[i];
    }
    return NULL;
}

void mprun_ranks_close_output(struct mprun_ranks *r, int rank, int stream)
{
    struct mprun_local_rank *l = find_local(r, rank);

    if (l == NULL)
        return;
    if (stream == 1 && l->out.fd >= 0)
        end_output(r, &l->out_watch, &l->out);
    else if (stream == 2 && l->err.fd >= 0)
        end_output(r, &l->err_watch, &l->err);
}

void mprun_ranks_pause_output(struct mprun_ranks *r, bool pause)
{
    uint32_t events = pause ? 0 : EPOLLIN;

    if (r->output_paused == pause)
        return;
    r->output_paused = pause;
    /* A paused pipe still reports hang-ups: its last bytes are read then. */
    for (int i = 0; i < r->nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];

        if (l->out_watch.fd >= 0)
            mprun_watch_change(r->loop, &l->out_watch, events);
        if (l->err_watch.fd >= 0)
            mprun_watch_change(r->loop, &l->err_watch, events);
    }
}

/* ---- Ends of ranks ------------------------------------------------------ */

static void failure_note_path(const struct mprun_ranks *r, int rank, char *path, size_t len)
{
    int n = snprintf(path, len, "%s/failed-peer.%d", r->tmpdir, rank);

    if (r->tmpdir[0] == '\0' || n < 0 || (size_t)n >= len)
        path[0] = '\0';
}

int mprun_ranks_failed_peer(const struct mprun_ranks *r, int rank)
{
    char path[PATH_MAX + 32];
    char text[16];
    char *end;
    ssize_t n;
    long peer;
    int fd;

    failure_note_path(r, rank, path, sizeof(path));
    if (path[0] == '\0' || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return -1;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 1 || text[n - 1] != '\n' || text[0] < '0' || text[0] > '9')
        return -1;
    text[n] = '\0';
    peer = strtol(text, &end, 10);
    /* What a rank wrote is not trusted: one number of the job, not its own. */
    if (*end != '\n' || peer >= r->job_size || peer == rank)
        return -1;
    return (int)peer;
}

static void on_rank_exit(struct mprun_ranks *r, struct mprun_local_rank *l, int status)
{
    l->running = false;
    r->nrunning--;
    close_pidfd(r, l);
    /* An abort queued before this death is told first. */
    deliver_pmix_events(r);
    mprun_pmix_rank_ended(l->rank);
    /* Its last words come before the verdict on it. */
    drain(r, &l->out_watch, &l->out);
    drain(r, &l->err_watch, &l->err);
    r->events->rank_ended(r->ctx, l->rank, l->pid, status, l->start_failed,
                          mprun_pmix_rank_left_unfinalized(l->rank),
                          mprun_ranks_failed_peer(r, l->rank));
}

static struct mprun_local_rank *find_pid(struct mprun_ranks *r, pid_t pid)
{
    for (int i = 0; i < r->nlocal; i++) {
        if (r->locals[i].pid == pid)
            return &r->locals[i];
    }
    return NULL;
}

/* The rank's pidfd became readable: it ended. */
static void on_rank_end(struct mprun_watch *w, uint32_t events)
{
    struct mprun_local_rank *l = LOCAL_OF(end_watch, w);
    struct mprun_ranks *r = l->owner;
    int status;
    pid_t pid = waitpid(l->pid, &status, WNOHANG);

    (void)events;
    if (pid == l->pid && l->running)
        on_rank_exit(r, l, status);
    else if (pid < 0)
        close_pidfd(r, l); /* reaped already */
}

/* With pidfds, SIGCHLD only matters for orphans the subreaper adopted (and
 * the owner's own children); one whose signal merged with another's is
 * reaped at the end. Reaping by pid spares waitpid(-1) its walk over every
 * child. */
void mprun_ranks_on_sigchld(struct mprun_ranks *r, pid_t pid,
                            void (*other_child)(void *ctx, pid_t pid, int status), void *ctx)
{
    int status;

    if (r != NULL && r->reap_by_scan) {
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            struct mprun_local_rank *l = find_pid(r, pid);

            if (l != NULL && l->running)
                on_rank_exit(r, l, status);
            else if (l == NULL && other_child != NULL)
                other_child(ctx, pid, status);
        }
        return;
    }
    if (pid > 0 && (r == NULL || find_pid(r, pid) == NULL) &&
        waitpid(pid, &status, WNOHANG) == pid && other_child != NULL)
        other_child(ctx, pid, status);
}

/* ---- Stopping ----------------------------------------------------------- */

void mprun_ranks_signal(struct mprun_ranks *r, int sig)
{
    for (int i = 0; i < r->nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];

        if (!l->running)
            continue;
        if (kill(-l->pid, sig) != 0)
            kill(l->pid, sig);
    }
}

struct finalize_watch {
    struct mprun_ranks *ranks;
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
                mprun_ranks_signal(w->ranks, SIGKILL);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/*
 * A rank frozen half-way through connecting (by us before we knew better,
 * or by someone else) leaves libpmix's listener thread in a blocking recv,
 * and PMIx_server_finalize waits for that thread forever. If finalize has
 * not returned after FINALIZE_WATCH_S, the ranks are killed: their sockets
 * close and the listener lets go. (The main thread is blocked meanwhile,
 * so the watcher reads the ranks' table alone.)
 */
static void stop_pmix_server_or_kill(struct mprun_ranks *r)
{
    struct finalize_watch w = {.ranks = r, .finished = false};
    pthread_t watcher;
    bool watching;

    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    watching = pthread_create(&watcher, NULL, kill_ranks_if_finalize_hangs, &w) == 0;
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
 * The ranks are frozen while the PMIx server ends, so they neither see it
 * go (and print about it) nor disconnect from it while it runs: libpmix
 * 4.2.2 completes a pending local fence once per participant that
 * disconnects, and ranks dying together make it use a freed tracker and
 * crash mprun. Only ranks whose connection libpmix has taken are frozen: a
 * rank frozen in the middle of connecting would leave libpmix's listener
 * blocked reading its request, and finalize waiting for it (the watcher
 * above is the last resort). The others cannot be in a fence; they just
 * get the signal.
 */
void mprun_ranks_stop(struct mprun_ranks *r, int sig)
{
    if (r->loop == NULL)
        return; /* never prepared */
    if (r->stopping) {
        mprun_ranks_signal(r, sig);
        return;
    }
    r->stopping = true;
    r->kill_at = mprun_now_ms() + STOP_GRACE_MS;
    for (int i = 0; i < r->nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];

        if (l->running && mprun_pmix_rank_connected(l->rank) && kill(-l->pid, SIGSTOP) != 0)
            kill(l->pid, SIGSTOP);
    }
    mprun_watch_stop(r->loop, &r->pmix_watch);
    stop_pmix_server_or_kill(r);
    r->pmix_fd = -1;
    mprun_ranks_signal(r, sig);
    mprun_ranks_signal(r, SIGCONT);
}

static void kill_rank_groups(struct mprun_ranks *r)
{
    for (int i = 0; i < r->nlocal; i++) {
        if (r->locals[i].pid > 0)
            kill(-r->locals[i].pid, SIGKILL);
    }
}

int64_t mprun_ranks_deadline(const struct mprun_ranks *r)
{
    int64_t next = r->kill_at;

    if (r->nrunning > 0 && r->abandon_at < next)
        next = r->abandon_at;
    if (r->drain_until < next)
        next = r->drain_until;
    return next;
}

void mprun_ranks_check_deadlines(struct mprun_ranks *r, int64_t now)
{
    if (now >= r->kill_at) {
        r->kill_at = MPRUN_NO_DEADLINE;
        mprun_ranks_signal(r, SIGKILL);
        r->abandon_at = now + ABANDON_MS;
    }
    if (now >= r->abandon_at && r->nrunning > 0 && !r->abandoned) {
        mprun_say("%d rank(s) survived SIGKILL; leaving them behind", r->nrunning);
        r->abandoned = true;
    }
    if (r->spawned && r->nrunning == 0 && r->drain_until == MPRUN_NO_DEADLINE) {
        /* Whatever the ranks left behind goes too, which closes their pipes. */
        kill_rank_groups(r);
        r->drain_until = now + DRAIN_MS;
    }
    if (now >= r->drain_until)
        close_all_outputs(r);
}

bool mprun_ranks_done(const struct mprun_ranks *r)
{
    if (r->abandoned)
        return true;
    if (r->nrunning > 0)
        return false;
    for (int i = 0; i < r->nlocal; i++) {
        if (r->locals[i].out.fd >= 0 || r->locals[i].err.fd >= 0)
            return false;
    }
    return true;
}

/* ---- Start -------------------------------------------------------------- */

void mprun_ranks_clear(struct mprun_ranks *r)
{
    memset(r, 0, sizeof(*r));
    r->devnull_fd = -1;
    r->pmix_fd = -1;
    r->pmix_watch.fd = -1;
    r->kill_at = r->abandon_at = r->drain_until = MPRUN_NO_DEADLINE;
}

int mprun_ranks_init(struct mprun_ranks *r, struct mprun_loop *loop,
                     const struct mprun_ranks_events *events, void *ctx,
                     struct mprun_child_setup *child_setup, const int *ranks, int nlocal,
                     bool tag_output, char *err, size_t errlen)
{
    mprun_ranks_clear(r);
    r->loop = loop;
    r->events = events;
    r->ctx = ctx;
    r->child_setup = child_setup;
    r->locals = calloc((size_t)(nlocal > 0 ? nlocal : 1), sizeof(*r->locals));
    if (r->locals == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->nlocal = nlocal;
    for (int i = 0; i < nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];

        l->owner = r;
        l->rank = ranks[i];
        l->pidfd = -1;
        l->end_watch.fd = l->out_watch.fd = l->err_watch.fd = -1;
        mprun_output_init(&l->out, -1, STDOUT_FILENO, l->rank, tag_output);
        mprun_output_init(&l->err, -1, STDERR_FILENO, l->rank, tag_output);
    }
    r->devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (r->devnull_fd < 0) {
        snprintf(err, errlen, "cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void mprun_ranks_set_sink(struct mprun_ranks *r, mprun_output_sink sink, void *arg)
{
    r->sink = sink;
    r->sink_arg = arg;
    for (int i = 0; i < r->nlocal; i++) {
        mprun_output_set_sink(&r->locals[i].out, sink, arg);
        mprun_output_set_sink(&r->locals[i].err, sink, arg);
    }
}

int mprun_ranks_plan(struct mprun_ranks *r, enum mprun_bind bind, enum mprun_map map, char *err,
                     size_t errlen)
{
    return mprun_binding_plan_make(r->nlocal, bind, map, &r->plan, err, errlen);
}

int mprun_ranks_raise_fd_limit(struct mprun_ranks *r, int extra, char *err, size_t errlen)
{
    struct rlimit *saved = &r->child_setup->nofile;
    rlim_t need = (rlim_t)r->nlocal * 3 + 64 + (rlim_t)extra;
    struct rlimit raised;

    if (getrlimit(RLIMIT_NOFILE, saved) != 0 || saved->rlim_cur >= need)
        return 0;
    if (saved->rlim_max < need) {
        snprintf(err, errlen,
                 "%d ranks need %llu open files, more than the limit of %llu (see ulimit -n)",
                 r->nlocal, (unsigned long long)need, (unsigned long long)saved->rlim_max);
        return -1;
    }
    raised = (struct rlimit){.rlim_cur = need, .rlim_max = saved->rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        snprintf(err, errlen, "cannot raise the open-file limit to %llu: %s",
                 (unsigned long long)need, strerror(errno));
        return -1;
    }
    r->child_setup->restore_nofile = true;
    return 0;
}

static int make_tmpdir(struct mprun_ranks *r, char *err, size_t errlen)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(r->tmpdir, sizeof(r->tmpdir), "%s/mprun.%d.XXXXXX", base, (int)getpid());
    if (mkdtemp(r->tmpdir) == NULL) {
        snprintf(err, errlen, "cannot create a directory in %s: %s", base, strerror(errno));
        r->tmpdir[0] = '\0';
        return -1;
    }
    return 0;
}

/* Exited (a zombie not reaped yet counts), without reaping it. */
static bool rank_exited(void *ctx, int rank)
{
    struct mprun_local_rank *l = find_local(ctx, rank);
    siginfo_t si = {0};

    if (l == NULL || l->pid == 0)
        return false;
    if (!l->running)
        return true;
    return waitid(P_PID, (id_t)l->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == l->pid;
}

int mprun_ranks_start_server(struct mprun_ranks *r, const char *nspace,
                             const struct mprun_layout *layout, char *err, size_t errlen)
{
    snprintf(r->nspace, sizeof(r->nspace), "%s", nspace);
    r->job_size = layout->nranks;
    if (make_tmpdir(r, err, errlen) != 0)
        return -1;
    r->pmix_fd = mprun_pmix_start(r->tmpdir, layout->hosts[layout->local_host],
                                  (uint32_t)layout->local_host, r->plan.topology, err, errlen);
    if (r->pmix_fd < 0)
        return -1;
    mprun_pmix_set_exit_check(rank_exited, r);
    if (mprun_watch_start(r->loop, &r->pmix_watch, r->pmix_fd, EPOLLIN, on_pmix_fd) != 0) {
        snprintf(err, errlen, "cannot watch the PMIx server: %s", strerror(errno));
        return -1;
    }
    return mprun_pmix_register_job(nspace, layout, err, errlen);
}

void mprun_ranks_binding_line(const struct mprun_ranks *r, int i, const char *host, char *buf,
                              size_t len)
{
    mprun_binding_format_report(&r->plan, i, r->locals[i].rank, host, buf, len);
}

/* Where libmpr notes the first peer the rank saw fail (failure_note.c). */
static int add_failure_note_variable(const struct mprun_ranks *r, int rank, char ***env,
                                     char *why, size_t whylen)
{
    char path[PATH_MAX + 32];
    char *entry = NULL;
    size_t count = 0;
    char **grown;

    failure_note_path(r, rank, path, sizeof(path));
    if (path[0] == '\0')
        return 0; /* no note: the order of ends decides */
    while ((*env)[count] != NULL)
        count++;
    grown = realloc(*env, (count + 2) * sizeof(**env));
    if (grown != NULL)
        *env = grown;
    if (grown == NULL || asprintf(&entry, "MPR_PEER_FAILURE_FILE=%s", path) < 0) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    grown[count] = entry;
    grown[count + 1] = NULL;
    return 0;
}

/* Watch a started rank; -1 only if the kernel refuses (out of memory). */
static int watch_rank(struct mprun_ranks *r, struct mprun_local_rank *l)
{
    uint32_t output_events = r->output_paused ? 0 : EPOLLIN;

    if (l->pidfd < 0)
        r->reap_by_scan = true;
    else if (mprun_watch_start(r->loop, &l->end_watch, l->pidfd, EPOLLIN, on_rank_end) != 0)
        return -1;
    if (mprun_watch_start(r->loop, &l->out_watch, l->out.fd, output_events, on_stdout) != 0 ||
        mprun_watch_start(r->loop, &l->err_watch, l->err.fd, output_events, on_stderr) != 0)
        return -1;
    return 0;
}

int mprun_ranks_spawn(struct mprun_ranks *r, const char *path, char *const *argv,
                      char *const *base_env, int rank0_stdin, char *err, size_t errlen)
{
    err[0] = '\0';
    r->spawned = true;
    for (int i = 0; i < r->nlocal; i++) {
        struct mprun_local_rank *l = &r->locals[i];
        struct mprun_spawned spawned;
        struct mprun_spawn_request req = {
            .path = path,
            .argv = argv,
            .stdin_fd = l->rank == 0 && rank0_stdin >= 0 ? rank0_stdin : r->devnull_fd,
            .binding = &r->plan.ranks[i],
            .setup = r->child_setup,
        };
        char **env = mprun_env_copy(base_env);
        char why[384];
        int rc;

        if (env == NULL) {
            snprintf(why, sizeof(why), "out of memory");
            rc = -1;
        } else {
            rc = mprun_pmix_setup_rank(l->rank, &env, why, sizeof(why));
            if (rc == 0)
                rc = add_failure_note_variable(r, l->rank, &env, why, sizeof(why));
            if (rc == 0) {
                req.env = env;
                rc = mprun_spawn(&req, &spawned, why, sizeof(why));
            }
        }
        mprun_env_free(env);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start rank %d: %s", l->rank, why);
            return -1;
        }
        l->pid = spawned.pid;
        l->pidfd = spawned.pidfd;
        l->running = true;
        mprun_output_init(&l->out, spawned.stdout_fd, STDOUT_FILENO, l->rank, l->out.tag);
        mprun_output_init(&l->err, spawned.stderr_fd, STDERR_FILENO, l->rank, l->err.tag);
        mprun_output_set_sink(&l->out, r->sink, r->sink_arg);
        mprun_output_set_sink(&l->err, r->sink, r->sink_arg);
        r->nrunning++;
        if (watch_rank(r, l) != 0) {
            snprintf(err, errlen, "cannot watch rank %d: %s", l->rank, strerror(errno));
            return -1;
        }
        if (spawned.failed) {
            l->start_failed = true;
            r->events->start_failed(r->ctx, l->rank, &spawned.failure, r->plan.ranks[i].cpus_text);
            return -1;
        }
    }
    return 0;
}

/* ---- End ---------------------------------------------------------------- */

void mprun_ranks_finish(struct mprun_ranks *r)
{
    if (r->locals == NULL)
        return;
    kill_rank_groups(r);
    close_all_outputs(r);
    for (int i = 0; i < r->nlocal; i++)
        close_pidfd(r, &r->locals[i]);
    mprun_watch_stop(r->loop, &r->pmix_watch);
    mprun_pmix_stop();
    r->pmix_fd = -1;
    if (r->tmpdir[0] != '\0')
        mprun_remove_tree(r->tmpdir);
    r->tmpdir[0] = '\0';
    if (r->nspace[0] != '\0')
        mprun_remove_shm_files(r->nspace);
    mprun_binding_plan_free(&r->plan);
    free(r->locals);
    r->locals = NULL;
    r->nlocal = 0;
    if (r->devnull_fd >= 0)
        close(r->devnull_fd);
    r->devnull_fd = -1;
}
