/*
 * daemon.c - mprun --daemon, the first mprun's hands on another host (see
 * daemon.h). Its ranks are run by ranks.c exactly as the first mprun runs
 * its own; what happens to them is sent over the link instead of being
 * reported here.
 */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pmix_common.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "hosts.h"
#include "job.h"
#include "link.h"
#include "loop.h"
#include "message.h"
#include "ranks.h"
#include "spawn.h"
#include "wire.h"

#define SECRET_WAIT_MS 30000  /* for the secret on stdin */
#define CONNECT_WAIT_MS 30000 /* for a connection to the first mprun */
#define MAX_ADDRESSES 16
#define FINAL_FLUSH_MS 2000 /* for the last messages to leave */
#define SWEEP_MS 1000
#define PAUSE_OUTPUT_AT (4u << 20)  /* queued bytes: stop reading the ranks' output */
#define RESUME_OUTPUT_AT (1u << 20) /* ... and read again */

struct daemon {
    int host;
    char host_name[HOST_NAME_MAX + 1];
    const char *label; /* the name the first mprun knows us by */
    uint8_t secret[MPRUN_WIRE_SECRET_LEN];
    int heartbeat_ms;
    struct mprun_loop loop;
    struct mprun_child_setup child_setup;
    int signal_fd;
    struct mprun_watch signal_watch;
    struct mprun_link link;
    struct mprun_watch link_watch;
    bool link_lost;

    bool have_job;
    struct mprun_job_desc job;
    struct mprun_ranks ranks;
    char *program_path;
    char **base_env;
    struct mprun_pmix_event *fences; /* sent to the first mprun, oldest first */

    struct mprun_input input; /* STDIN messages to rank 0 */
    struct mprun_watch stdin_watch;
    bool stdin_chunk_pending;

    bool stopping;
    bool shutdown;
};

/* ---- The link ----------------------------------------------------------- */

static void update_link_watch(struct daemon *dm)
{
    uint32_t events = EPOLLIN;
    size_t queued = mprun_link_queued(&dm->link);

    if (dm->link_watch.fd < 0)
        return;
    if (queued > 0)
        events |= EPOLLOUT;
    mprun_watch_change(&dm->loop, &dm->link_watch, events);
    if (dm->have_job && queued >= PAUSE_OUTPUT_AT)
        mprun_ranks_pause_output(&dm->ranks, true);
    else if (dm->have_job && queued <= RESUME_OUTPUT_AT)
        mprun_ranks_pause_output(&dm->ranks, false);
}

static void stop_ranks(struct daemon *dm, int sig)
{
    if (!dm->stopping) {
        dm->stopping = true;
        if (dm->have_job)
            mprun_ranks_stop(&dm->ranks, sig);
    } else if (dm->have_job) {
        mprun_ranks_signal(&dm->ranks, sig);
    }
}

/* The first mprun is gone or unreachable (its link broke, or was silent
 * past the heartbeat deadline): nothing of the job may stay. */
static void lose_link(struct daemon *dm)
{
    if (dm->link_lost)
        return;
    dm->link_lost = true;
    mprun_watch_stop(&dm->loop, &dm->link_watch);
    mprun_link_close(&dm->link);
    /* Not a word on stderr: the first mprun, if it is still there, tells
     * the user about this host once; if it is not, nobody reads us. */
    if (!dm->shutdown)
        stop_ranks(dm, SIGTERM);
}

static void send_message(struct daemon *dm, uint32_t type, const struct mprun_wbuf *w)
{
    if (dm->link_lost)
        return;
    if (w != NULL && w->failed) {
        mprun_say("daemon on host %s: a message too large to send", dm->label);
        return;
    }
    if (mprun_link_send(&dm->link, type, w != NULL ? w->data : NULL, w != NULL ? w->len : 0,
                        mprun_now_ms()) != 0) {
        lose_link(dm);
        return;
    }
    update_link_watch(dm);
}

static void send_error(struct daemon *dm, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first mprun prints it (prefixed with "mprun: ") and stops the job. */
static void send_error(struct daemon *dm, int code, const char *fmt, ...)
{
    struct mprun_wbuf w = {0};
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (dm->link_lost) {
        mprun_say("%s", text);
        return;
    }
    mprun_wbuf_u32(&w, (uint32_t)code);
    mprun_wbuf_str(&w, text);
    send_message(dm, MPRUN_MSG_ERROR, &w);
    mprun_wbuf_free(&w);
}

static void send_rank_exit(struct daemon *dm, int rank, pid_t pid, int status, bool failed,
                           bool unfinalized, int failed_peer)
{
    struct mprun_wbuf w = {0};

    mprun_wbuf_u32(&w, (uint32_t)rank);
    mprun_wbuf_u32(&w, (uint32_t)pid);
    mprun_wbuf_u32(&w, (uint32_t)status);
    mprun_wbuf_u32(&w, failed ? 1 : 0);
    mprun_wbuf_u32(&w, unfinalized ? 1 : 0);
    mprun_wbuf_u32(&w, (uint32_t)(failed_peer + 1));
    send_message(dm, MPRUN_MSG_RANK_EXIT, &w);
    mprun_wbuf_free(&w);
}

/* ---- Events of this host's ranks ---------------------------------------- */

static void on_rank_ended(void *ctx, int rank, pid_t pid, int status, bool failed,
                          bool unfinalized, int failed_peer)
{
    struct daemon *dm = ctx;

    if (rank == 0) {
        mprun_watch_stop(&dm->loop, &dm->stdin_watch);
        mprun_input_close(&dm->input);
    }
    send_rank_exit(dm, rank, pid, status, failed, unfinalized, failed_peer);
}

static void on_start_failed(void *ctx, int rank, const struct mprun_child_failure *f,
                            const char *cpus)
{
    struct daemon *dm = ctx;

    if (f->stage == MPRUN_CHILD_EXEC)
        send_error(dm, MPRUN_EXIT_NOEXEC, "cannot run %s on host %s: %s", dm->job.argv[0],
                   dm->label, strerror(f->error));
    else
        send_error(dm, MPRUN_EXIT_FAILURE, "cannot bind rank %d to cpus %s on host %s: %s", rank,
                   cpus, dm->label, strerror(f->error));
}

/* The first mprun keeps the job's directory: requests go there. */
static void send_names_request(struct daemon *dm, struct mprun_pmix_event *ev)
{
    struct mprun_wbuf w = {0};

    mprun_names_msg_encode(ev->names, &w);
    if (w.failed || dm->link_lost) {
        struct mprun_names_request failed = {.id = ev->names->id,
                                             .op = ev->names->op,
                                             .status = MPRUN_NAMES_NOMEM};

        mprun_pmix_complete_names(&failed);
    } else {
        send_message(dm, MPRUN_MSG_NAMES, &w);
    }
    mprun_wbuf_free(&w);
}

static void send_log_line(struct daemon *dm, int rank, const char *text)
{
    struct mprun_wbuf w = {0};
    char *line = NULL;

    if (asprintf(&line, "mprun: rank %d: %s\n", rank, text) < 0)
        return;
    mprun_wbuf_raw(&w, line, strlen(line));
    send_message(dm, MPRUN_MSG_TEXT, &w);
    mprun_wbuf_free(&w);
    free(line);
}

static void on_pmix_event(void *ctx, struct mprun_pmix_event *ev)
{
    struct daemon *dm = ctx;
    struct mprun_wbuf w = {0};

    if (ev->kind == MPRUN_PMIX_NAMES || ev->kind == MPRUN_PMIX_LOG) {
        if (ev->kind == MPRUN_PMIX_NAMES)
            send_names_request(dm, ev);
        else
            send_log_line(dm, ev->rank, ev->message);
        mprun_pmix_event_free(ev);
        return;
    }
    if (ev->kind == MPRUN_PMIX_ABORT) {
        mprun_wbuf_u32(&w, (uint32_t)ev->rank);
        mprun_wbuf_u32(&w, (uint32_t)ev->status);
        mprun_wbuf_str(&w, ev->message != NULL ? ev->message : "");
        mprun_wbuf_u32(&w, (uint32_t)(mprun_ranks_failed_peer(&dm->ranks, ev->rank) + 1));
        send_message(dm, MPRUN_MSG_ABORT, &w);
        mprun_wbuf_free(&w);
        mprun_pmix_event_free(ev);
        return;
    }
    struct mprun_fence_msg msg = {
        .nprocs = ev->nprocs,
        .procs = ev->procs,
        .status = ev->status,
        .data = ev->data,
        .ndata = ev->ndata,
    };
    struct mprun_pmix_event **tail = &dm->fences;

    mprun_fence_msg_encode(&msg, &w);
    if (w.failed || dm->link_lost) {
        mprun_pmix_complete_fence(ev, PMIX_ERR_NOMEM, NULL, 0);
        mprun_pmix_event_free(ev);
        mprun_wbuf_free(&w);
        return;
    }
    send_message(dm, MPRUN_MSG_FENCE, &w);
    mprun_wbuf_free(&w);
    free(ev->data); /* sent */
    ev->data = NULL;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = ev;
}

static const struct mprun_ranks_events rank_events = {
    .rank_ended = on_rank_ended,
    .start_failed = on_start_failed,
    .pmix_event = on_pmix_event,
};

/* Output goes to the first mprun, which puts lines together and tags them. */
static bool send_output(void *arg, const struct mprun_output *o, const char *data, size_t n)
{
    struct daemon *dm = arg;

    while (n > 0 && !dm->link_lost) {
        struct mprun_wbuf w = {0};
        size_t piece = n < MPRUN_LINE_MAX ? n : MPRUN_LINE_MAX;

        mprun_wbuf_u32(&w, (uint32_t)o->rank);
        mprun_wbuf_u32(&w, o->dest == STDOUT_FILENO ? 1 : 2);
        mprun_wbuf_bytes(&w, data, piece);
        send_message(dm, MPRUN_MSG_OUTPUT, &w);
        mprun_wbuf_free(&w);
        data += piece;
        n -= piece;
    }
    return !dm->link_lost;
}

/* ---- Stdin to rank 0 ---------------------------------------------------- */

static void settle_stdin(struct daemon *dm)
{
    bool want_write = mprun_input_wants_write(&dm->input) >= 0;

    if (mprun_input_done(&dm->input)) {
        mprun_watch_stop(&dm->loop, &dm->stdin_watch);
        mprun_input_close(&dm->input);
        want_write = false;
    }
    if (dm->stdin_chunk_pending && mprun_input_pending(&dm->input) == 0) {
        dm->stdin_chunk_pending = false;
        send_message(dm, MPRUN_MSG_STDIN_ACK, NULL);
    }
    if (!want_write)
        mprun_watch_stop(&dm->loop, &dm->stdin_watch);
}

static void on_stdin_writable(struct mprun_watch *w, uint32_t events)
{
    struct daemon *dm = (struct daemon *)(void *)((char *)w - offsetof(struct daemon, stdin_watch));

    (void)events;
    if (mprun_input_wants_write(&dm->input) >= 0)
        mprun_input_on_writable(&dm->input);
    settle_stdin(dm);
}

static int on_stdin_message(struct daemon *dm, const char *payload, size_t len, char *err,
                            size_t errlen)
{
    if (len > MPRUN_INPUT_CHUNK || dm->stdin_chunk_pending) {
        snprintf(err, errlen, "unexpected stdin data");
        return -1;
    }
    if (mprun_input_push(&dm->input, payload, len) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    dm->stdin_chunk_pending = len > 0;
    if (mprun_input_wants_write(&dm->input) >= 0 && dm->stdin_watch.fd < 0)
        mprun_watch_start(&dm->loop, &dm->stdin_watch, dm->input.dst, EPOLLOUT, on_stdin_writable);
    settle_stdin(dm);
    return 0;
}

/* ---- The job ------------------------------------------------------------ */

/* Once the job failed to start here: the first mprun was told why; ranks
 * that will never start are reported ended so it does not wait for them. */
static void give_up_start(struct daemon *dm)
{
    for (uint32_t r = 0; r < dm->job.nranks; r++) {
        bool started = false;

        if (dm->job.host_of_rank[r] != dm->job.host)
            continue;
        for (int i = 0; i < dm->ranks.nlocal && !started; i++)
            started = dm->ranks.locals[i].rank == (int)r && dm->ranks.locals[i].pid != 0;
        if (!started)
            send_rank_exit(dm, (int)r, 0, 0, true, false, -1);
    }
    stop_ranks(dm, SIGTERM);
}

static int prepare_ranks(struct daemon *dm, char *err, size_t errlen)
{
    const struct mprun_job_desc *job = &dm->job;
    int *ranks = calloc(job->nranks, sizeof(*ranks));
    bool oversubscribed;
    int n = 0, rc;

    if (ranks == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint32_t r = 0; r < job->nranks; r++) {
        if (job->host_of_rank[r] == job->host)
            ranks[n++] = (int)r;
    }
    rc = mprun_ranks_init(&dm->ranks, &dm->loop, &rank_events, dm, &dm->child_setup, ranks, n,
                          false, err, errlen);
    free(ranks);
    if (rc != 0)
        return -1;
    mprun_ranks_set_sink(&dm->ranks, send_output, dm);
    if (n == 0) {
        snprintf(err, errlen, "no rank to run");
        return -1;
    }
    if (mprun_ranks_raise_fd_limit(&dm->ranks, 8, err, errlen) != 0 ||
        mprun_ranks_plan(&dm->ranks, (enum mprun_bind)job->bind, (enum mprun_map)job->map, err,
                         errlen) != 0)
        return -1;
    oversubscribed = dm->ranks.plan.oversubscribed || job->slots_oversubscribed;
    dm->base_env = mprun_env_make_base(NULL, 0, oversubscribed);
    if (dm->base_env == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void report_bindings(struct daemon *dm)
{
    struct mprun_wbuf w = {0};
    char line[512];

    for (int i = 0; i < dm->ranks.nlocal; i++) {
        mprun_ranks_binding_line(&dm->ranks, i, dm->label, line, sizeof(line));
        mprun_wbuf_raw(&w, line, strlen(line));
    }
    if (w.len > 0)
        send_message(dm, MPRUN_MSG_TEXT, &w);
    mprun_wbuf_free(&w);
}

/* For rank 0 here: the read end of a pipe fed by STDIN messages, or -1. */
static int rank0_stdin(struct daemon *dm)
{
    int fds[2];

    if (!dm->job.stdin_to_rank0 || dm->job.host_of_rank[0] != dm->job.host ||
        pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    mprun_input_init(&dm->input, -1, fds[1]);
    return fds[0];
}

static int start_ranks(struct daemon *dm, char *err, size_t errlen)
{
    struct mprun_job_desc *job = &dm->job;
    struct mprun_layout layout = {
        .nranks = (int)job->nranks,
        .nhosts = (int)job->nhosts,
        .hosts = job->host_names,
        .local_host = (int)job->host,
    };
    int stdin_pipe, rc;

    layout.host_of_rank = calloc(job->nranks, sizeof(*layout.host_of_rank));
    if (layout.host_of_rank == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint32_t r = 0; r < job->nranks; r++)
        layout.host_of_rank[r] = (int)job->host_of_rank[r];
    rc = mprun_ranks_start_server(&dm->ranks, job->nspace, &layout, err, errlen);
    free(layout.host_of_rank);
    if (rc != 0)
        return -1;
    if (job->report_bindings)
        report_bindings(dm);
    stdin_pipe = rank0_stdin(dm);
    rc = mprun_ranks_spawn(&dm->ranks, dm->program_path, job->argv, dm->base_env, stdin_pipe, err,
                           errlen);
    if (stdin_pipe >= 0)
        close(stdin_pipe);
    return rc;
}

/* The job's -x settings become this daemon's environment: the ranks
 * inherit them, and the program is looked up in their PATH. */
static int apply_exports(const struct mprun_job_desc *job, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < job->nexports; i++) {
        const char *x = job->exports[i];
        size_t len = strcspn(x, "=");
        char *name = strndup(x, len);
        int rc = name != NULL ? setenv(name, x + len + 1, 1) : -1;

        free(name);
        if (rc != 0) {
            snprintf(err, errlen, "cannot set %.*s: %s", (int)len, x, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int on_job_message(struct daemon *dm, const char *payload, size_t len, char *err,
                          size_t errlen)
{
    char why[512];

    if (dm->have_job) {
        snprintf(err, errlen, "a second job");
        return -1;
    }
    if (mprun_job_desc_decode(payload, len, &dm->job, err, errlen) != 0)
        return -1;
    if (dm->job.host != (uint32_t)dm->host || dm->job.nranks > MPRUN_MAX_RANKS ||
        dm->job.bind > MPRUN_BIND_NUMA || dm->job.map > MPRUN_MAP_NODE) {
        snprintf(err, errlen, "a job description for another host or out of range");
        return -1;
    }
    dm->have_job = true;
    dm->label = dm->job.host_labels[dm->host];
    if (apply_exports(&dm->job, why, sizeof(why)) != 0) {
        send_error(dm, MPRUN_EXIT_FAILURE, "on host %s: %s", dm->label, why);
    } else if (chdir(dm->job.cwd) != 0) {
        send_error(dm, MPRUN_EXIT_FAILURE, "cannot change to directory %s on host %s: %s",
                   dm->job.cwd, dm->label, strerror(errno));
    } else if ((dm->program_path = mprun_find_program(dm->job.argv[0], why, sizeof(why))) == NULL) {
        send_error(dm, MPRUN_EXIT_USAGE, "%s on host %s", why, dm->label);
    } else {
        mprun_env_prepare_launcher();
        if (prepare_ranks(dm, why, sizeof(why)) == 0 && start_ranks(dm, why, sizeof(why)) == 0)
            return 0;
        if (why[0] != '\0')
            send_error(dm, MPRUN_EXIT_FAILURE, "on host %s: %s", dm->label, why);
    }
    give_up_start(dm);
    return 0;
}

static int on_fence_done(struct daemon *dm, const char *payload, size_t len, char *err,
                         size_t errlen)
{
    struct mprun_fence_msg msg;
    struct mprun_pmix_event **link = &dm->fences;
    char *data = NULL;

    if (mprun_fence_msg_decode(payload, len, &msg, err, errlen) != 0)
        return -1;
    while (*link != NULL &&
           ((*link)->nprocs != msg.nprocs ||
            memcmp((*link)->procs, msg.procs, msg.nprocs * sizeof(*msg.procs)) != 0))
        link = &(*link)->next;
    if (*link == NULL) {
        mprun_fence_msg_free(&msg);
        snprintf(err, errlen, "the end of a fence this host is not in");
        return -1;
    }
    struct mprun_pmix_event *ev = *link;

    *link = ev->next;
    ev->next = NULL;
    if (msg.ndata > 0) {
        data = malloc(msg.ndata); /* libpmix takes it over */
        if (data != NULL)
            memcpy(data, msg.data, msg.ndata);
    }
    mprun_pmix_complete_fence(ev, msg.ndata > 0 && data == NULL ? PMIX_ERR_NOMEM : msg.status, data,
                              data != NULL ? msg.ndata : 0);
    mprun_pmix_event_free(ev);
    mprun_fence_msg_free(&msg);
    return 0;
}

static int on_first_mprun_message(void *arg, uint32_t type, const char *payload, size_t len,
                                  char *err, size_t errlen)
{
    struct daemon *dm = arg;
    struct mprun_rbuf r;
    uint32_t value, stream;

    mprun_rbuf_init(&r, payload, len);
    switch (type) {
    case MPRUN_MSG_HEARTBEAT:
        if (len != 0)
            break;
        return 0;
    case MPRUN_MSG_JOB:
        return on_job_message(dm, payload, len, err, errlen);
    case MPRUN_MSG_FENCE_DONE:
        return on_fence_done(dm, payload, len, err, errlen);
    case MPRUN_MSG_NAMES_DONE: {
        struct mprun_names_request reply;

        if (mprun_names_msg_decode(payload, len, &reply, err, errlen) != 0)
            return -1;
        mprun_pmix_complete_names(&reply);
        mprun_names_request_clear(&reply);
        return 0;
    }
    case MPRUN_MSG_STDIN:
        return on_stdin_message(dm, payload, len, err, errlen);
    case MPRUN_MSG_OUTPUT_CLOSE:
        value = mprun_rbuf_u32(&r);
        stream = mprun_rbuf_u32(&r);
        if (!mprun_rbuf_done(&r) || (stream != 1 && stream != 2) || !dm->have_job)
            break;
        mprun_ranks_close_output(&dm->ranks, (int)value, (int)stream);
        return 0;
    case MPRUN_MSG_STOP:
        value = mprun_rbuf_u32(&r);
        if (!mprun_rbuf_done(&r) || value == 0 || value >= 65)
            break;
        stop_ranks(dm, (int)value);
        return 0;
    case MPRUN_MSG_SHUTDOWN:
        if (len != 0)
            break;
        dm->shutdown = true;
        stop_ranks(dm, SIGKILL); /* normally none is left */
        return 0;
    default:
        snprintf(err, errlen, "unexpected message type %u", type);
        return -1;
    }
    snprintf(err, errlen, "a malformed message of type %u", type);
    return -1;
}

static void on_link(struct mprun_watch *w, uint32_t events)
{
    struct daemon *dm = (struct daemon *)(void *)((char *)w - offsetof(struct daemon, link_watch));
    char err[256];
    int rc;

    if (events & EPOLLOUT) {
        if (mprun_link_flush(&dm->link, err, sizeof(err)) != 0) {
            lose_link(dm);
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        rc = mprun_link_receive(&dm->link, mprun_now_ms(), on_first_mprun_message, dm, err,
                                sizeof(err));
        if (rc < 0) /* tell why, if the link still carries it */
            send_error(dm, MPRUN_EXIT_FAILURE, "the daemon on host %s broke off: %s", dm->label,
                       err);
        if (rc <= 0) {
            lose_link(dm);
            return;
        }
    }
    update_link_watch(dm);
}

/* ---- Signals ------------------------------------------------------------ */

static void on_signals(struct mprun_watch *w, uint32_t events)
{
    struct daemon *dm =
        (struct daemon *)(void *)((char *)w - offsetof(struct daemon, signal_watch));
    struct signalfd_siginfo si;

    (void)events;
    while (read(dm->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGCHLD) {
            mprun_ranks_on_sigchld(dm->have_job ? &dm->ranks : NULL, (pid_t)si.ssi_pid, NULL, NULL);
        } else if (dm->stopping) {
            stop_ranks(dm, SIGKILL); /* asked twice: no more grace */
        } else {
            struct mprun_wbuf m = {0};

            mprun_wbuf_u32(&m, si.ssi_signo);
            send_message(dm, MPRUN_MSG_SIGNALED, &m);
            mprun_wbuf_free(&m);
            stop_ranks(dm, (int)si.ssi_signo);
        }
    }
}

/* ---- Start: the secret, the connection ---------------------------------- */

/* One line of 64 hex digits on stdin, read without taking a byte more. */
static int read_secret(uint8_t *secret)
{
    char hex[2 * MPRUN_WIRE_SECRET_LEN + 1];
    size_t len = 0;
    int64_t give_up = mprun_now_ms() + SECRET_WAIT_MS;

    for (;;) {
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int64_t left = give_up - mprun_now_ms();
        char c;
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return -1;
        n = read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != 1)
            return -1;
        if (c == '\n')
            break;
        if (len >= sizeof(hex) - 1)
            return -1;
        hex[len++] = c;
    }
    hex[len] = '\0';
    return mprun_hex_to_secret(hex, secret);
}

/* Try every address of the first mprun at once; keep the first connection
 * made, close the others before they carry a byte. */
static int connect_to_first_mprun(const char *addresses, int port, char *err, size_t errlen)
{
    struct pollfd pfds[MAX_ADDRESSES];
    int nfds = 0, winner = -1, last_error = ETIMEDOUT;
    int64_t give_up = mprun_now_ms() + CONNECT_WAIT_MS;
    char *list = strdup(addresses), *save = NULL;

    if (list == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (char *a = strtok_r(list, ",", &save); a != NULL && nfds < MAX_ADDRESSES;
         a = strtok_r(NULL, ",", &save)) {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int fd;

        if (inet_pton(AF_INET, a, &sin.sin_addr) != 1)
            continue;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            continue;
        if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 && errno != EINPROGRESS) {
            last_error = errno;
            close(fd);
            continue;
        }
        pfds[nfds++] = (struct pollfd){.fd = fd, .events = POLLOUT};
    }
    free(list);
    while (winner < 0 && nfds > 0) {
        int64_t left = give_up - mprun_now_ms();

        if (left <= 0 || poll(pfds, (nfds_t)nfds, (int)left) <= 0)
            break;
        for (int i = 0; i < nfds && winner < 0; i++) {
            int soerr = 0;
            socklen_t sl = sizeof(soerr);

            if (pfds[i].revents == 0)
                continue;
            getsockopt(pfds[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            if (soerr == 0) {
                winner = pfds[i].fd;
                pfds[i].fd = -1;
            } else {
                last_error = soerr;
                close(pfds[i].fd);
                pfds[i] = pfds[--nfds];
                i--;
            }
        }
    }
    for (int i = 0; i < nfds; i++) {
        if (pfds[i].fd >= 0)
            close(pfds[i].fd);
    }
    if (winner < 0)
        snprintf(err, errlen, "cannot connect to the first mprun at %s port %d: %s", addresses,
                 port, strerror(last_error));
    return winner;
}

static int parse_int(const char *text, int min, int max, int *value)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *value = (int)v;
    return 0;
}

static int connect_and_greet(struct daemon *dm, const char *addresses, int port)
{
    struct mprun_hello hello = {.host = (uint32_t)dm->host, .pid = (uint32_t)getpid()};
    struct mprun_wbuf w = {0};
    char err[512];
    int one = 1;
    int fd = connect_to_first_mprun(addresses, port, err, sizeof(err));

    if (fd < 0) {
        mprun_say("daemon on host %s: %s", dm->host_name, err);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    mprun_link_init(&dm->link, fd, MPRUN_WIRE_FRAME_MAX, mprun_now_ms());
    if (mprun_watch_start(&dm->loop, &dm->link_watch, fd, EPOLLIN, on_link) != 0) {
        mprun_say("daemon on host %s: cannot watch the connection: %s", dm->host_name, strerror(errno));
        return -1;
    }
    memcpy(hello.secret, dm->secret, sizeof(hello.secret));
    hello.host_name = dm->host_name;
    mprun_hello_encode(&hello, &w);
    send_message(dm, MPRUN_MSG_HELLO, &w);
    mprun_wbuf_free(&w);
    return dm->link_lost ? -1 : 0;
}

/* ---- The loop and the end ----------------------------------------------- */

static bool finished(const struct daemon *dm)
{
    if (!dm->shutdown && !dm->link_lost)
        return false;
    return !dm->have_job || mprun_ranks_done(&dm->ranks);
}

static int64_t next_deadline(const struct daemon *dm)
{
    int64_t next = MPRUN_NO_DEADLINE;

    if (dm->have_job)
        next = mprun_ranks_deadline(&dm->ranks);
    if (!dm->link_lost) {
        int64_t silent = dm->link.last_received + dm->heartbeat_ms;
        int64_t idle = dm->link.last_sent + dm->heartbeat_ms / 4;

        if (silent < next)
            next = silent;
        if (idle < next)
            next = idle;
    }
    return next;
}

static void check_deadlines(struct daemon *dm)
{
    int64_t now = mprun_now_ms();

    if (dm->have_job)
        mprun_ranks_check_deadlines(&dm->ranks, now);
    if (dm->link_lost)
        return;
    if (now - dm->link.last_received >= dm->heartbeat_ms)
        lose_link(dm);
    else if (now - dm->link.last_sent >= dm->heartbeat_ms / 4) {
        send_message(dm, MPRUN_MSG_HEARTBEAT, NULL);
    }
}

/* The last messages (rank ends, output) leave before the link closes. */
static void flush_link(struct daemon *dm)
{
    int64_t give_up = mprun_now_ms() + FINAL_FLUSH_MS;
    char err[128];

    while (!dm->link_lost && mprun_link_queued(&dm->link) > 0) {
        struct pollfd pfd = {.fd = dm->link.fd, .events = POLLOUT};
        int64_t left = give_up - mprun_now_ms();

        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0 ||
            mprun_link_flush(&dm->link, err, sizeof(err)) != 0)
            break;
    }
    if (dm->link.fd >= 0)
        shutdown(dm->link.fd, SHUT_WR);
}

static void finish(struct daemon *dm)
{
    while (dm->fences != NULL) {
        struct mprun_pmix_event *ev = dm->fences;

        dm->fences = ev->next;
        mprun_pmix_event_free(ev);
    }
    if (dm->have_job)
        mprun_ranks_finish(&dm->ranks);
    mprun_kill_children(dm->signal_fd, SWEEP_MS);
    mprun_watch_stop(&dm->loop, &dm->stdin_watch);
    mprun_input_close(&dm->input);
    flush_link(dm);
    mprun_watch_stop(&dm->loop, &dm->link_watch);
    mprun_link_close(&dm->link);
    mprun_job_desc_free(&dm->job);
    free(dm->program_path);
    free(dm->base_env);
    mprun_watch_stop(&dm->loop, &dm->signal_watch);
    mprun_loop_close(&dm->loop);
    if (dm->signal_fd >= 0)
        close(dm->signal_fd);
}

int mprun_daemon_main(int argc, char **argv)
{
    struct daemon dm = {
        .signal_fd = -1,
        .loop.epoll_fd = -1,
        .signal_watch.fd = -1,
        .link_watch.fd = -1,
        .stdin_watch.fd = -1,
        .link.fd = -1,
    };
    int port, devnull, code;

    mprun_short_host_name(dm.host_name, sizeof(dm.host_name));
    dm.label = dm.host_name;
    mprun_input_init(&dm.input, -1, -1);
    mprun_ranks_clear(&dm.ranks);
    if (argc != 6 || parse_int(argv[2], 0, 1 << 20, &dm.host) != 0 ||
        parse_int(argv[3], 1, 65535, &port) != 0 ||
        parse_int(argv[5], 200, 86400000, &dm.heartbeat_ms) != 0) {
        mprun_say("--daemon is for mprun's own use: mprun --daemon INDEX PORT ADDRESSES HEARTBEAT-MS, "
            "with the job's secret on stdin");
        return MPRUN_EXIT_USAGE;
    }
    if (read_secret(dm.secret) != 0) {
        mprun_say("daemon on host %s: no valid secret on stdin", dm.host_name);
        return MPRUN_EXIT_FAILURE;
    }
    /* Nothing more comes from stdin; the ranks must not read the agent's. */
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    dm.child_setup.launcher_pid = getpid();
    dm.signal_fd = mprun_signals_take(&dm.child_setup);
    if (dm.signal_fd < 0 || mprun_loop_init(&dm.loop) != 0 ||
        mprun_watch_start(&dm.loop, &dm.signal_watch, dm.signal_fd, EPOLLIN, on_signals) != 0) {
        mprun_say("daemon on host %s: cannot set up its event loop: %s", dm.host_name, strerror(errno));
        return MPRUN_EXIT_FAILURE;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (connect_and_greet(&dm, argv[4], port) != 0) {
        finish(&dm);
        return MPRUN_EXIT_FAILURE;
    }
    while (!finished(&dm)) {
        if (mprun_loop_wait(&dm.loop, next_deadline(&dm)) != 0) {
            mprun_say("daemon on host %s: epoll_wait failed: %s", dm.label, strerror(errno));
            break;
        }
        check_deadlines(&dm);
    }
    code = dm.shutdown ? 0 : MPRUN_EXIT_FAILURE;
    finish(&dm);
    return code;
}
