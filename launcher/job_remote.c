/*
 * job_remote.c - the first mprun and the daemons of the other hosts: their
 * start (daemons.c does the work), the job description each receives once
 * every one has said hello, what they report (output, rank ends, aborts,
 * fence contributions, errors, signals) and the fences completed across
 * hosts. Every message is checked: a rank must be one of that host's.
 */
#include "job_private.h"

#include <errno.h>
#include <limits.h>
#include <pmix_common.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "message.h"
#include "wire.h"

#define CONNECT_TIMEOUT_MS 60000 /* for every daemon to say hello */
#define DEFAULT_HEARTBEAT_S 30   /* silence after which a link counts as lost */

void mprun_job_send_stop(struct job *job, int sig)
{
    struct mprun_wbuf w = {0};

    if (!job->multi)
        return;
    mprun_wbuf_u32(&w, (uint32_t)sig);
    if (!w.failed)
        mprun_daemons_broadcast(&job->daemons, MPRUN_MSG_STOP, w.data, w.len);
    mprun_wbuf_free(&w);
}

void mprun_job_close_remote_outputs(struct job *job, int rank)
{
    if (job->remote_out == NULL || job->hosts->host_of_rank[rank] == job->hosts->local_host)
        return;
    mprun_output_close(&job->remote_out[rank]);
    mprun_output_close(&job->remote_err[rank]);
}

/* Every participant gets the whole collection, or the first failure. */
static void deliver_fence(struct job *job, struct mprun_fence_round *round)
{
    struct mprun_fence_msg msg = {
        .nprocs = round->nprocs,
        .procs = round->procs,
        .status = round->status,
        .data = round->status == 0 ? round->data : NULL,
        .ndata = round->status == 0 ? round->ndata : 0,
    };
    struct mprun_wbuf w = {0};

    mprun_fence_msg_encode(&msg, &w);
    for (int h = 0; h < job->hosts->nhosts; h++) {
        if (!round->included[h])
            continue;
        if (h == job->hosts->local_host) {
            if (round->local_token == NULL)
                continue; /* its ranks all ended before they joined */
            struct mprun_pmix_event *ev = round->local_token;
            char *data = round->status == 0 ? round->data : NULL;

            /* The message is encoded already: libpmix may have the buffer. */
            mprun_pmix_complete_fence(ev, round->status, data, data != NULL ? round->ndata : 0);
            if (data != NULL)
                round->data = NULL;
            mprun_pmix_event_free(ev);
            round->local_token = NULL;
        } else if (job->fence.gone != NULL && job->fence.gone[h] != 0) {
            continue; /* its ranks all ended: no fence waits there */
        } else {
            if (w.failed) {
                /* Too big to send: fail it there too. */
                struct mprun_fence_msg failed = msg;
                struct mprun_wbuf fw = {0};

                failed.status = PMIX_ERR_NOMEM;
                failed.data = NULL;
                failed.ndata = 0;
                mprun_fence_msg_encode(&failed, &fw);
                mprun_daemons_send(&job->daemons, h, MPRUN_MSG_FENCE_DONE, fw.data, fw.len);
                mprun_wbuf_free(&fw);
            } else {
                mprun_daemons_send(&job->daemons, h, MPRUN_MSG_FENCE_DONE, w.data, w.len);
            }
        }
    }
    mprun_wbuf_free(&w);
    mprun_fence_round_free(round);
}

static void deliver_round(void *ctx, struct mprun_fence_round *round)
{
    deliver_fence(ctx, round);
}

/* Once every rank of host ended, no fence can wait for it: those over its
 * ranks fail (a rank that finalized and left stays a participant for
 * libpmix, so the hosts still in would wait for this one forever). */
void mprun_job_check_host_ended(struct job *job, int host)
{
    if (!job->multi)
        return;
    for (int r = 0; r < job->hosts->nranks; r++) {
        if (job->hosts->host_of_rank[r] == host && !job->ended[r])
            return;
    }
    mprun_fence_host_gone(&job->fence, host, PMIX_ERR_LOST_CONNECTION, deliver_round, job);
}

static void names_reply(void *ctx, int host, const struct mprun_names_request *reply)
{
    struct job *job = ctx;
    struct mprun_wbuf w = {0};

    if (host == job->hosts->local_host) {
        mprun_pmix_complete_names(reply);
        return;
    }
    mprun_names_msg_encode(reply, &w);
    if (w.failed) { /* too big: it fails there */
        struct mprun_names_request failed = *reply;

        failed.status = MPRUN_NAMES_NOMEM;
        failed.nentries = 0;
        mprun_wbuf_free(&w);
        mprun_names_msg_encode(&failed, &w);
    }
    if (!w.failed)
        mprun_daemons_send(&job->daemons, host, MPRUN_MSG_NAMES_DONE, w.data, w.len);
    mprun_wbuf_free(&w);
}

void mprun_job_names_request(struct job *job, int host, const struct mprun_names_request *req)
{
    mprun_names_handle(&job->names, host, req, names_reply, job);
}

void mprun_job_drop_fence_token(void *token)
{
    mprun_pmix_event_free(token);
}

void mprun_job_local_fence(struct job *job, struct mprun_pmix_event *ev)
{
    struct mprun_fence_round *round;
    char err[256];

    if (!job->multi) {
        /* One host: this host's contribution is the whole collection. */
        mprun_pmix_complete_fence(ev, ev->status, ev->data, ev->ndata);
        ev->data = NULL;
        mprun_pmix_event_free(ev);
        return;
    }
    if (mprun_fence_join(&job->fence, job->hosts->local_host, job->hosts->local_host, ev->procs,
                         ev->nprocs, ev->status, ev->data, ev->ndata, ev, &round, err,
                         sizeof(err)) != 0) {
        mprun_say("a fence on host %s failed: %s",
                  mprun_job_host_label(job, job->hosts->local_host), err);
        mprun_pmix_complete_fence(ev, PMIX_ERROR, NULL, 0);
        mprun_pmix_event_free(ev);
        return;
    }
    free(ev->data); /* copied into the round */
    ev->data = NULL;
    ev->ndata = 0;
    if (round != NULL)
        deliver_fence(job, round);
}

static int bad_message(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "protocol error: %s", what);
    return -1;
}

/* A rank number from a daemon: in range, and one that runs on its host. */
static int read_rank(struct job *job, struct mprun_rbuf *r, int host)
{
    uint32_t rank = mprun_rbuf_index(r, (uint32_t)job->hosts->nranks);

    if (r->failed || job->hosts->host_of_rank[rank] != host) {
        r->failed = true;
        return -1;
    }
    return (int)rank;
}

static int on_output_message(struct job *job, int host, struct mprun_rbuf *r, char *err,
                             size_t errlen)
{
    int rank = read_rank(job, r, host);
    uint32_t stream = mprun_rbuf_u32(r);
    size_t n;
    const char *data = mprun_rbuf_bytes(r, MPRUN_WIRE_FRAME_MAX, &n);
    struct mprun_output *o;
    bool was_ended;

    if (!mprun_rbuf_done(r) || (stream != 1 && stream != 2))
        return bad_message(err, errlen, "malformed output");
    o = stream == 1 ? &job->remote_out[rank] : &job->remote_err[rank];
    was_ended = o->ended;
    if (!mprun_output_feed(o, data, n) && !was_ended) {
        struct mprun_wbuf w = {0};

        /* Nobody reads our side any more: the rank's pipe closes there. */
        mprun_wbuf_u32(&w, (uint32_t)rank);
        mprun_wbuf_u32(&w, stream);
        if (!w.failed)
            mprun_daemons_send(&job->daemons, host, MPRUN_MSG_OUTPUT_CLOSE, w.data, w.len);
        mprun_wbuf_free(&w);
    }
    return 0;
}

static int on_rank_exit_message(struct job *job, int host, struct mprun_rbuf *r, char *err,
                                size_t errlen)
{
    int rank = read_rank(job, r, host);
    uint32_t pid = mprun_rbuf_u32(r);
    uint32_t status = mprun_rbuf_u32(r);
    uint32_t failed = mprun_rbuf_u32(r);
    uint32_t unfinalized = mprun_rbuf_u32(r);
    uint32_t failed_peer = mprun_rbuf_u32(r); /* plus one: 0 for none */

    if (!mprun_rbuf_done(r) || failed > 1 || unfinalized > 1 || status > 0xffff ||
        failed_peer > (uint32_t)job->hosts->nranks)
        return bad_message(err, errlen, "malformed rank exit");
    mprun_job_rank_finished(job, rank, host, (pid_t)pid, (int)status, failed != 0,
                            unfinalized != 0, (int)failed_peer - 1);
    return 0;
}

static int on_abort_message(struct job *job, int host, struct mprun_rbuf *r, char *err,
                            size_t errlen)
{
    int rank = read_rank(job, r, host);
    uint32_t code = mprun_rbuf_u32(r);
    char *message = mprun_rbuf_str(r, 4096);
    uint32_t failed_peer = mprun_rbuf_u32(r); /* plus one: 0 for none */

    if (!mprun_rbuf_done(r) || failed_peer > (uint32_t)job->hosts->nranks) {
        free(message);
        return bad_message(err, errlen, "malformed abort");
    }
    mprun_job_aborted(job, rank, (int)code, message, (int)failed_peer - 1);
    free(message);
    return 0;
}

static int on_error_message(struct job *job, int host, struct mprun_rbuf *r, char *err,
                            size_t errlen)
{
    uint32_t code = mprun_rbuf_u32(r);
    char *message = mprun_rbuf_str(r, 4096);

    if (!mprun_rbuf_done(r) || code == 0 || code > 255) {
        free(message);
        return bad_message(err, errlen, "malformed error report");
    }
    if (!job->stopping) {
        mprun_say("%s", message);
        mprun_job_stop(job, (int)code, SIGTERM);
    }
    (void)host;
    free(message);
    return 0;
}

static int on_fence_message(struct job *job, int host, const char *payload, size_t len, char *err,
                            size_t errlen)
{
    struct mprun_fence_msg msg;
    struct mprun_fence_round *round;
    char why[200];
    int rc;

    if (mprun_fence_msg_decode(payload, len, &msg, why, sizeof(why)) != 0)
        return bad_message(err, errlen, why);
    rc = mprun_fence_join(&job->fence, host, job->hosts->local_host, msg.procs, msg.nprocs,
                          msg.status, msg.data, msg.ndata, NULL, &round, why, sizeof(why));
    mprun_fence_msg_free(&msg);
    if (rc != 0)
        return bad_message(err, errlen, why);
    if (round != NULL)
        deliver_fence(job, round);
    return 0;
}

static int on_names_message(struct job *job, int host, const char *payload, size_t len,
                            char *err, size_t errlen)
{
    struct mprun_names_request req;
    char why[200];

    if (mprun_names_msg_decode(payload, len, &req, why, sizeof(why)) != 0)
        return bad_message(err, errlen, why);
    if (req.rank >= (uint32_t)job->hosts->nranks || job->hosts->host_of_rank[req.rank] != host) {
        mprun_names_request_clear(&req);
        return bad_message(err, errlen, "a names request for a rank of another host");
    }
    mprun_job_names_request(job, host, &req);
    mprun_names_request_clear(&req);
    return 0;
}

static int on_signaled_message(struct job *job, int host, struct mprun_rbuf *r, char *err,
                               size_t errlen)
{
    uint32_t sig = mprun_rbuf_u32(r);

    if (!mprun_rbuf_done(r) || sig == 0 || sig >= 65)
        return bad_message(err, errlen, "malformed signal report");
    if (!job->stopping) {
        mprun_say("the daemon on host %s caught signal %u (%s): stopping the job",
                  mprun_job_host_label(job, host), sig, strsignal((int)sig));
        mprun_job_stop(job, 128 + (int)sig, (int)sig);
    }
    return 0;
}

static int on_daemon_message(void *ctx, int host, uint32_t type, const char *payload, size_t len,
                             char *err, size_t errlen)
{
    struct job *job = ctx;
    struct mprun_rbuf r;

    mprun_rbuf_init(&r, payload, len);
    switch (type) {
    case MPRUN_MSG_OUTPUT:
        return on_output_message(job, host, &r, err, errlen);
    case MPRUN_MSG_RANK_EXIT:
        return on_rank_exit_message(job, host, &r, err, errlen);
    case MPRUN_MSG_ABORT:
        return on_abort_message(job, host, &r, err, errlen);
    case MPRUN_MSG_FENCE:
        return on_fence_message(job, host, payload, len, err, errlen);
    case MPRUN_MSG_NAMES:
        return on_names_message(job, host, payload, len, err, errlen);
    case MPRUN_MSG_ERROR:
        return on_error_message(job, host, &r, err, errlen);
    case MPRUN_MSG_SIGNALED:
        return on_signaled_message(job, host, &r, err, errlen);
    case MPRUN_MSG_TEXT:
        if (len == 0 || len > MPRUN_WIRE_STRING_MAX || payload[len - 1] != '\n')
            return bad_message(err, errlen, "malformed text");
        mprun_write_stderr(payload, len);
        return 0;
    case MPRUN_MSG_STDIN_ACK:
        if (len != 0 || !job->stdin_in_flight)
            return bad_message(err, errlen, "unexpected stdin acknowledgement");
        job->stdin_in_flight = false;
        return 0;
    default:
        snprintf(err, errlen, "protocol error: unexpected message type %u", type);
        return -1;
    }
}

/* A host name for PMIx: the same rules as a host name on the command line. */
static bool valid_pmix_name(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 255 || name[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int on_daemon_connected(void *ctx, int host, const char *name, char *err, size_t errlen)
{
    struct job *job = ctx;

    if (!valid_pmix_name(name)) {
        snprintf(err, errlen, "a daemon with an invalid host name");
        return -1;
    }
    job->pmix_names[host] = strdup(name);
    if (job->pmix_names[host] == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    job->nnamed++;
    return 0;
}

static void on_daemon_lost(void *ctx, int host, const char *why)
{
    struct job *job = ctx;
    bool had_ranks = false;

    for (int r = 0; r < job->hosts->nranks && !had_ranks; r++)
        had_ranks = job->hosts->host_of_rank[r] == host && !job->ended[r];
    mprun_daemons_stop_agent(&job->daemons, host);
    mprun_names_forget_host(&job->names, host);
    mprun_job_mark_host_ended(job, host);
    if (!had_ranks || job->stopping)
        return;
    mprun_say("%s", why);
    mprun_job_stop(job, MPRUN_EXIT_FAILURE, SIGTERM);
}

static const struct mprun_daemons_events daemon_events = {
    .connected = on_daemon_connected,
    .message = on_daemon_message,
    .lost = on_daemon_lost,
};

static char **resolved_exports(const struct mprun_options *opts, uint32_t *count)
{
    char **list = calloc((size_t)opts->nexports + 1, sizeof(*list));
    uint32_t n = 0;

    if (list == NULL)
        return NULL;
    for (int i = 0; i < opts->nexports; i++) {
        const char *x = opts->exports[i];
        size_t len = mprun_cli_export_name_length(x);
        char *entry = NULL;

        if (x[len] == '=') {
            entry = strdup(x);
        } else {
            char name[256];
            const char *value;

            snprintf(name, sizeof(name), "%.*s", (int)len, x);
            value = getenv(name);
            if (value == NULL)
                continue; /* not set here: nothing to pass */
            if (asprintf(&entry, "%s=%s", name, value) < 0)
                entry = NULL;
        }
        if (entry == NULL)
            goto nomem;
        list[n++] = entry;
    }
    *count = n;
    return list;
nomem:
    for (uint32_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return NULL;
}

int mprun_job_ranks_on_host(const struct job *job, int host)
{
    int n = 0;

    for (int r = 0; r < job->hosts->nranks; r++)
        n += job->hosts->host_of_rank[r] == host;
    return n;
}

int mprun_job_send_descriptions(struct job *job, char *err, size_t errlen)
{
    const struct mprun_job_hosts *hosts = job->hosts;
    struct mprun_job_desc desc = {0};
    char cwd[PATH_MAX];
    uint32_t nexports = 0;
    int rc = 0;

    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        snprintf(err, errlen, "cannot read the current directory: %s", strerror(errno));
        return -1;
    }
    desc.exports = resolved_exports(job->opts, &nexports);
    desc.host_of_rank = calloc((size_t)hosts->nranks, sizeof(*desc.host_of_rank));
    if (desc.exports == NULL || desc.host_of_rank == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto out;
    }
    desc.nexports = nexports;
    desc.nspace = job->nspace;
    desc.nranks = (uint32_t)hosts->nranks;
    desc.nhosts = (uint32_t)hosts->nhosts;
    desc.host_names = job->pmix_names;
    desc.host_labels = hosts->labels;
    for (int r = 0; r < hosts->nranks; r++)
        desc.host_of_rank[r] = (uint32_t)hosts->host_of_rank[r];
    desc.argv = job->opts->prog_argv;
    while (desc.argv[desc.argc] != NULL)
        desc.argc++;
    desc.cwd = cwd;
    desc.bind = (uint32_t)job->opts->bind;
    desc.map = (uint32_t)job->opts->map;
    desc.report_bindings = job->opts->report_bindings;
    desc.heartbeat_ms = (uint32_t)job->daemons.heartbeat_ms;
    for (int h = 0; h < hosts->nhosts; h++) {
        struct mprun_wbuf w = {0};

        if (h == hosts->local_host)
            continue;
        desc.host = (uint32_t)h;
        desc.slots_oversubscribed = mprun_job_ranks_on_host(job, h) > hosts->slots[h];
        desc.stdin_to_rank0 = hosts->host_of_rank[0] == h && job->stdin_usable;
        mprun_job_desc_encode(&desc, &w);
        if (w.failed) {
            snprintf(err, errlen, "the job description is too large to send");
            mprun_wbuf_free(&w);
            rc = -1;
            goto out;
        }
        mprun_daemons_send(&job->daemons, h, MPRUN_MSG_JOB, w.data, w.len);
        mprun_wbuf_free(&w);
    }
out:
    for (uint32_t i = 0; desc.exports != NULL && i < nexports; i++)
        free(desc.exports[i]);
    free(desc.exports);
    free(desc.host_of_rank);
    return rc;
}

/* Two hosts with the same name would be one node to PMIx. */
int mprun_job_check_distinct_names(const struct job *job, char *err, size_t errlen)
{
    for (int a = 0; a < job->hosts->nhosts; a++) {
        for (int b = a + 1; b < job->hosts->nhosts; b++) {
            if (strcasecmp(job->pmix_names[a], job->pmix_names[b]) == 0) {
                snprintf(err, errlen,
                         "hosts %s and %s both call themselves '%s': give each host a "
                         "distinct host name",
                         mprun_job_host_label(job, a), mprun_job_host_label(job, b),
                         job->pmix_names[a]);
                return -1;
            }
        }
    }
    return 0;
}

/* The heartbeat timeout in ms, or -1 (err says why) when
 * MPRUN_HEARTBEAT_TIMEOUT is set to something else than seconds from 0.2
 * to 86400: a bad value is refused, never ignored. */
static int heartbeat_ms(char *err, size_t errlen)
{
    const char *text = getenv("MPRUN_HEARTBEAT_TIMEOUT");
    char *end;
    double seconds;

    if (text == NULL || text[0] == '\0')
        return DEFAULT_HEARTBEAT_S * 1000;
    seconds = strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds >= 0.2 && seconds <= 86400)) {
        snprintf(err, errlen, "MPRUN_HEARTBEAT_TIMEOUT=%s is not allowed: seconds from 0.2 to 86400",
                 text);
        return -1;
    }
    return (int)(seconds * 1000);
}

static const char *launch_agent(const struct mprun_options *opts)
{
    const char *agent = opts->launch_agent;

    if (agent == NULL)
        agent = getenv("MPRUN_LAUNCH_AGENT");
    if (agent == NULL || agent[strspn(agent, " \t")] == '\0')
        agent = "ssh";
    return agent;
}

int mprun_job_prepare_remote_hosts(struct job *job, char *err, size_t errlen)
{
    const struct mprun_job_hosts *hosts = job->hosts;
    struct mprun_daemons_config config = {
        .nhosts = hosts->nhosts,
        .labels = hosts->labels,
        .local_host = hosts->local_host,
        .launch_agent = launch_agent(job->opts),
        .mprun_path = job->mprun_path,
        .child_mask = &job->child_setup.signal_mask,
        .heartbeat_ms = heartbeat_ms(err, errlen),
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
    };
    size_t n = (size_t)hosts->nranks;

    job->remote_out = calloc(n, sizeof(*job->remote_out));
    job->remote_err = calloc(n, sizeof(*job->remote_err));
    if (job->remote_out == NULL || job->remote_err == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int r = 0; r < hosts->nranks; r++) {
        mprun_output_init(&job->remote_out[r], -1, STDOUT_FILENO, r, job->opts->tag_output);
        mprun_output_init(&job->remote_err[r], -1, STDERR_FILENO, r, job->opts->tag_output);
    }
    mprun_fence_init(&job->fence, hosts->nhosts, hosts->nranks, hosts->host_of_rank);
    if (config.heartbeat_ms < 0)
        return -1; /* err says why */
    return mprun_daemons_start(&job->daemons, &job->loop, &daemon_events, job, &config, err,
                               errlen);
}
