/*
 * daemons.c - start the other hosts' daemons and keep their links (see
 * daemons.h).
 *
 * Each remote host's daemon is started as
 *     /bin/sh -c 'AGENT "$@"' mprun-agent HOST MPRUN --daemon INDEX PORT ADDRS HEARTBEAT
 * with the job's secret as the only line on its stdin, so it never shows in
 * ps. The agent runs in its own process group (a Ctrl-C in the terminal
 * reaches the first mprun alone, which then stops the job in order) and
 * writes to mprun's stderr (ssh's own complaints reach the user as they are).
 */
#include "daemons.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "message.h"

#define HANDSHAKE_MS 2000 /* for a connection to identify itself */
#define MAX_ADDRESSES 16   /* of the first mprun, offered to daemons */

extern char **environ;

#define DAEMON_OF(field, w)                                                                        \
    ((struct mprun_daemon *)(void *)((char *)(w)-offsetof(struct mprun_daemon, field)))

/* ---- Links of connected daemons ----------------------------------------- */

static void drop_daemon(struct mprun_daemon *dm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The daemon's link ended: a loss unless the job was over. */
static void drop_daemon(struct mprun_daemon *dm, const char *fmt, ...)
{
    struct mprun_daemons *d = dm->owner;
    char why[512];
    va_list ap;

    if (dm->closed)
        return;
    mprun_watch_stop(d->loop, &dm->link_watch);
    mprun_link_close(&dm->link);
    dm->closed = true;
    if (dm->shutdown_sent)
        return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    d->events->lost(d->ctx, dm->host, why);
}

static void update_link_watch(struct mprun_daemon *dm)
{
    uint32_t events = EPOLLIN;

    if (dm->link_watch.fd < 0)
        return;
    if (mprun_link_queued(&dm->link) > 0)
        events |= EPOLLOUT;
    mprun_watch_change(dm->owner->loop, &dm->link_watch, events);
}

static int on_daemon_frame(void *arg, uint32_t type, const char *payload, size_t len, char *err,
                           size_t errlen)
{
    struct mprun_daemon *dm = arg;

    if (type == MPRUN_MSG_HEARTBEAT)
        return len == 0 ? 0 : (snprintf(err, errlen, "a heartbeat with content"), -1);
    if (type == MPRUN_MSG_HELLO) {
        snprintf(err, errlen, "a second greeting");
        return -1;
    }
    return dm->owner->events->message(dm->owner->ctx, dm->host, type, payload, len, err, errlen);
}

static void on_daemon_link(struct mprun_watch *w, uint32_t events)
{
    struct mprun_daemon *dm = DAEMON_OF(link_watch, w);
    char err[256];
    int rc;

    if (events & EPOLLOUT) {
        if (mprun_link_flush(&dm->link, err, sizeof(err)) != 0) {
            drop_daemon(dm, "lost the daemon on host %s: %s", dm->owner->labels[dm->host], err);
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        rc = mprun_link_receive(&dm->link, mprun_now_ms(), on_daemon_frame, dm, err, sizeof(err));
        if (rc == 0)
            drop_daemon(dm, "lost the daemon on host %s", dm->owner->labels[dm->host]);
        else if (rc < 0)
            drop_daemon(dm, "lost the daemon on host %s: %s", dm->owner->labels[dm->host], err);
        if (rc <= 0)
            return;
    }
    update_link_watch(dm);
}

void mprun_daemons_send(struct mprun_daemons *d, int host, uint32_t type, const void *payload,
                        size_t len)
{
    struct mprun_daemon *dm = &d->daemons[host];

    if (!dm->connected || dm->closed)
        return;
    if (mprun_link_send(&dm->link, type, payload, len, mprun_now_ms()) != 0) {
        /* Reported from the loop, where the socket shows the error again. */
        mprun_watch_change(d->loop, &dm->link_watch, EPOLLIN | EPOLLOUT);
        return;
    }
    update_link_watch(dm);
}

void mprun_daemons_broadcast(struct mprun_daemons *d, uint32_t type, const void *payload,
                             size_t len)
{
    for (int h = 0; h < d->nhosts; h++)
        mprun_daemons_send(d, h, type, payload, len);
}

/* ---- Connections not identified yet ------------------------------------- */

#define PENDING_OF(w)                                                                              \
    ((struct mprun_pending_connection *)(void *)((char *)(w)-offsetof(                             \
        struct mprun_pending_connection, watch)))

#define REFUSALS_SAID_MAX 20 /* then one line saying the rest are not */

static void refuse(struct mprun_pending_connection *p, const char *why)
{
    static unsigned said;

    if (why != NULL && said <= REFUSALS_SAID_MAX) {
        if (said++ < REFUSALS_SAID_MAX)
            mprun_say("warning: refused a connection from %s: %s", p->peer, why);
        else
            mprun_say("warning: more connections refused; no longer said");
    }
    mprun_watch_stop(p->owner->loop, &p->watch);
    mprun_link_close(&p->link);
    p->host = -1;
}

static int check_hello(struct mprun_pending_connection *p, const char *payload, size_t len,
                       char *err, size_t errlen)
{
    struct mprun_daemons *d = p->owner;
    struct mprun_hello hello;
    struct mprun_daemon *dm;

    if (mprun_hello_decode(payload, len, &hello, err, errlen) != 0)
        return -1;
    if (!mprun_secret_equal(hello.secret, d->secret)) {
        snprintf(err, errlen, "wrong secret");
        mprun_hello_free(&hello);
        return -1;
    }
    if (hello.host >= (uint32_t)d->nhosts || !d->daemons[hello.host].remote ||
        d->daemons[hello.host].connected || d->daemons[hello.host].closed) {
        snprintf(err, errlen, "a daemon for host index %u, which expects none", hello.host);
        mprun_hello_free(&hello);
        return -1;
    }
    dm = &d->daemons[hello.host];
    if (d->events->connected(d->ctx, dm->host, hello.host_name, err, errlen) != 0) {
        mprun_hello_free(&hello);
        return -1;
    }
    p->host = (int)hello.host;
    p->link.max_frame = MPRUN_WIRE_FRAME_MAX;
    dm->connected = true;
    d->nconnected++;
    mprun_hello_free(&hello);
    return 0;
}

/* Before the greeting: only a greeting. After it (frames that came in the
 * same read): the daemon's messages. */
static int on_pending_frame(void *arg, uint32_t type, const char *payload, size_t len, char *err,
                            size_t errlen)
{
    struct mprun_pending_connection *p = arg;

    if (p->host >= 0)
        return on_daemon_frame(&p->owner->daemons[p->host], type, payload, len, err, errlen);
    if (type != MPRUN_MSG_HELLO) {
        snprintf(err, errlen, "it did not open with a greeting");
        return -1;
    }
    return check_hello(p, payload, len, err, errlen);
}

/* The greeting was accepted: the connection becomes the daemon's link. */
static void adopt(struct mprun_pending_connection *p)
{
    struct mprun_daemons *d = p->owner;
    struct mprun_daemon *dm = &d->daemons[p->host];

    mprun_watch_stop(d->loop, &p->watch);
    dm->link = p->link;
    p->link.fd = -1;
    p->link.in = p->link.out = NULL;
    p->host = -1;
    if (mprun_watch_start(d->loop, &dm->link_watch, dm->link.fd, EPOLLIN, on_daemon_link) != 0) {
        drop_daemon(dm, "lost the daemon on host %s: %s", d->labels[dm->host], strerror(errno));
        return;
    }
    update_link_watch(dm);
}

static void on_pending(struct mprun_watch *w, uint32_t events)
{
    struct mprun_pending_connection *p = PENDING_OF(w);
    char err[256];
    int rc;

    (void)events;
    rc = mprun_link_receive(&p->link, mprun_now_ms(), on_pending_frame, p, err, sizeof(err));
    if (p->host >= 0) {
        struct mprun_daemon *dm = &p->owner->daemons[p->host];

        adopt(p);
        if (rc == 0)
            drop_daemon(dm, "lost the daemon on host %s", p->owner->labels[dm->host]);
        else if (rc < 0)
            drop_daemon(dm, "lost the daemon on host %s: %s", p->owner->labels[dm->host], err);
        return;
    }
    if (rc == 0)
        refuse(p, NULL); /* closed without a word: a probe, or a daemon's spare attempt */
    else if (rc < 0)
        refuse(p, err);
}

static void on_listen(struct mprun_watch *w, uint32_t events)
{
    struct mprun_daemons *d =
        (struct mprun_daemons *)(void *)((char *)w - offsetof(struct mprun_daemons, listen_watch));
    (void)events;
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof(from);
        struct mprun_pending_connection *p = NULL;
        char addr[INET_ADDRSTRLEN] = "?";
        int one = 1;
        int fd =
            accept4(d->listen_fd, (struct sockaddr *)&from, &fromlen, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0)
            return; /* EAGAIN, or a connection that vanished meanwhile */
        inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
        struct mprun_pending_connection *oldest = &d->pending[0];
        for (int i = 0; i < MPRUN_DAEMONS_MAX_PENDING && p == NULL; i++) {
            if (d->pending[i].link.fd < 0)
                p = &d->pending[i];
            else if (d->pending[i].deadline < oldest->deadline)
                oldest = &d->pending[i];
        }
        if (p == NULL) { /* strangers must not lock the daemons out: the oldest goes */
            refuse(oldest, "newer connections wait for a greeting");
            p = oldest;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        snprintf(p->peer, sizeof(p->peer), "%s:%u", addr, ntohs(from.sin_port));
        mprun_link_init(&p->link, fd, MPRUN_WIRE_HELLO_MAX, mprun_now_ms());
        p->link.last_received = 0;
        p->host = -1;
        p->deadline = mprun_now_ms() + HANDSHAKE_MS;
        if (mprun_watch_start(d->loop, &p->watch, fd, EPOLLIN, on_pending) != 0)
            refuse(p, strerror(errno));
        else
            on_pending(&p->watch, EPOLLIN); /* a daemon greets at once: often it is there */
    }
}

/* ---- Agents ------------------------------------------------------------- */

static void agent_ended(struct mprun_daemon *dm, int status)
{
    struct mprun_daemons *d = dm->owner;

    mprun_watch_stop(d->loop, &dm->agent_watch);
    if (dm->agent_pidfd >= 0)
        close(dm->agent_pidfd);
    dm->agent_pidfd = -1;
    dm->agent_pid = 0;
    if (dm->connected || dm->closed)
        return; /* ssh ends with its command: the link tells the rest */
    if (WIFSIGNALED(status))
        drop_daemon(dm,
                    "cannot start the daemon on host %s: the launch agent was killed by "
                    "signal %d (%s)",
                    d->labels[dm->host], WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        drop_daemon(dm, "cannot start the daemon on host %s: the launch agent exited with code %d",
                    d->labels[dm->host], WEXITSTATUS(status));
}

static void on_agent_end(struct mprun_watch *w, uint32_t events)
{
    struct mprun_daemon *dm = DAEMON_OF(agent_watch, w);
    int status;
    pid_t pid = dm->agent_pid > 0 ? waitpid(dm->agent_pid, &status, WNOHANG) : -1;

    (void)events;
    if (pid > 0)
        agent_ended(dm, status);
    else if (pid < 0)
        mprun_watch_stop(dm->owner->loop, &dm->agent_watch); /* reaped elsewhere */
}

void mprun_daemons_child_exited(struct mprun_daemons *d, pid_t pid, int status)
{
    for (int h = 0; d != NULL && h < d->nhosts; h++) {
        if (d->daemons[h].agent_pid == pid && pid > 0) {
            agent_ended(&d->daemons[h], status);
            return;
        }
    }
}

void mprun_daemons_stop_agent(struct mprun_daemons *d, int host)
{
    if (d->daemons[host].agent_pid > 0)
        kill(-d->daemons[host].agent_pid, SIGTERM);
}

/* The IPv4 addresses a daemon may reach us at: those of the interfaces
 * that are up; loopback only when there is nothing else (a daemon tries
 * them all at once, and another host's own loopback must never win). */
static int our_addresses(char *list, size_t len)
{
    struct ifaddrs *ifs;
    size_t used = 0;
    int count = 0;

    list[0] = '\0';
    if (getifaddrs(&ifs) != 0)
        return -1;
    for (int loopback = 0; loopback <= 1 && count == 0; loopback++) {
        for (struct ifaddrs *ifa = ifs; ifa != NULL && count < MAX_ADDRESSES; ifa = ifa->ifa_next) {
            char text[INET_ADDRSTRLEN];
            const struct sockaddr_in *sin = (const void *)ifa->ifa_addr;

            if (sin == NULL || sin->sin_family != AF_INET || !(ifa->ifa_flags & IFF_UP) ||
                !!(ifa->ifa_flags & IFF_LOOPBACK) != loopback)
                continue;
            inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
            if (used + strlen(text) + 2 > len)
                break;
            used += (size_t)snprintf(list + used, len - used, "%s%s", count > 0 ? "," : "", text);
            count++;
        }
    }
    freeifaddrs(ifs);
    return count > 0 ? 0 : -1;
}

static int start_agent(struct mprun_daemons *d, struct mprun_daemon *dm,
                       const struct mprun_daemons_config *config, const char *port,
                       const char *addresses, char *err, size_t errlen)
{
    static const int default_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD};
    char index[16], heartbeat[16], hex[2 * MPRUN_WIRE_SECRET_LEN + 2];
    char *script = NULL;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t defaults;
    int secret_pipe[2];
    pid_t pid;
    int rc;

    snprintf(index, sizeof(index), "%d", dm->host);
    snprintf(heartbeat, sizeof(heartbeat), "%d", d->heartbeat_ms);
    if (asprintf(&script, "%s \"$@\"", config->launch_agent) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *argv[] = {"/bin/sh",
                    "-c",
                    script,
                    "mprun-agent",
                    config->labels[dm->host],
                    (char *)config->mprun_path,
                    "--daemon",
                    index,
                    (char *)port,
                    (char *)addresses,
                    heartbeat,
                    NULL};

    if (pipe2(secret_pipe, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        free(script);
        return -1;
    }
    sigemptyset(&defaults);
    for (size_t i = 0; i < sizeof(default_signals) / sizeof(default_signals[0]); i++)
        sigaddset(&defaults, default_signals[i]);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, secret_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, config->child_mask);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    rc = posix_spawn(&pid, argv[0], &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    free(script);
    close(secret_pipe[0]);
    if (rc != 0) {
        close(secret_pipe[1]);
        snprintf(err, errlen, "cannot start the launch agent for host %s: %s",
                 config->labels[dm->host], strerror(rc));
        return -1;
    }
    dm->agent_pid = pid;
    /* 66 bytes fit in any pipe: this write cannot block. */
    mprun_secret_to_hex(d->secret, hex);
    strcat(hex, "\n");
    if (write(secret_pipe[1], hex, strlen(hex)) < 0) {
        /* The agent is gone already: its end is reported from the loop. */
    }
    close(secret_pipe[1]);
    dm->agent_pidfd = pidfd_open(pid, 0);
    if (dm->agent_pidfd >= 0 &&
        mprun_watch_start(d->loop, &dm->agent_watch, dm->agent_pidfd, EPOLLIN, on_agent_end) != 0) {
        close(dm->agent_pidfd);
        dm->agent_pidfd = -1;
    }
    return 0;
}

/* ---- Start, deadlines, end ---------------------------------------------- */

static int start_listening(struct mprun_daemons *d, char *port, size_t portlen, char *err,
                           size_t errlen)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t addrlen = sizeof(addr);

    d->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(d->listen_fd, 128) != 0 ||
        getsockname(d->listen_fd, (struct sockaddr *)&addr, &addrlen) != 0) {
        snprintf(err, errlen, "cannot listen for daemons on a TCP port: %s", strerror(errno));
        return -1;
    }
    snprintf(port, portlen, "%u", ntohs(addr.sin_port));
    if (mprun_watch_start(d->loop, &d->listen_watch, d->listen_fd, EPOLLIN, on_listen) != 0) {
        snprintf(err, errlen, "cannot watch the daemons' port: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int mprun_daemons_start(struct mprun_daemons *d, struct mprun_loop *loop,
                        const struct mprun_daemons_events *events, void *ctx,
                        const struct mprun_daemons_config *config, char *err, size_t errlen)
{
    char port[16], addresses[MAX_ADDRESSES * (INET_ADDRSTRLEN + 1)];

    memset(d, 0, sizeof(*d));
    d->loop = loop;
    d->events = events;
    d->ctx = ctx;
    d->nhosts = config->nhosts;
    d->labels = config->labels;
    d->heartbeat_ms = config->heartbeat_ms;
    d->listen_fd = -1;
    d->listen_watch.fd = -1;
    d->connect_timeout_ms = config->connect_timeout_ms;
    d->connect_deadline = mprun_now_ms() + config->connect_timeout_ms;
    for (int i = 0; i < MPRUN_DAEMONS_MAX_PENDING; i++) {
        d->pending[i].owner = d;
        d->pending[i].link.fd = -1;
        d->pending[i].watch.fd = -1;
        d->pending[i].host = -1;
    }
    d->daemons = calloc((size_t)d->nhosts, sizeof(*d->daemons));
    if (d->daemons == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int h = 0; h < d->nhosts; h++) {
        struct mprun_daemon *dm = &d->daemons[h];

        dm->owner = d;
        dm->host = h;
        dm->remote = h != config->local_host;
        dm->agent_pidfd = -1;
        dm->agent_watch.fd = dm->link_watch.fd = -1;
        dm->link.fd = -1;
        dm->closed = !dm->remote;
        d->nremote += dm->remote;
    }
    if (getrandom(d->secret, sizeof(d->secret), 0) != (ssize_t)sizeof(d->secret)) {
        snprintf(err, errlen, "cannot make the job's secret: %s", strerror(errno));
        return -1;
    }
    if (start_listening(d, port, sizeof(port), err, errlen) != 0)
        return -1;
    if (our_addresses(addresses, sizeof(addresses)) != 0) {
        snprintf(err, errlen, "this host has no IPv4 address for the daemons to connect to");
        return -1;
    }
    for (int h = 0; h < d->nhosts; h++) {
        if (d->daemons[h].remote &&
            start_agent(d, &d->daemons[h], config, port, addresses, err, errlen) != 0)
            return -1;
    }
    return 0;
}

void mprun_daemons_shutdown(struct mprun_daemons *d)
{
    if (d->daemons == NULL)
        return; /* never started: the job failed before (job_remote.c) */
    for (int h = 0; h < d->nhosts; h++) {
        struct mprun_daemon *dm = &d->daemons[h];

        if (!dm->remote || dm->shutdown_sent)
            continue;
        mprun_daemons_send(d, h, MPRUN_MSG_SHUTDOWN, NULL, 0);
        dm->shutdown_sent = true;
        if (!dm->connected) {
            dm->closed = true; /* it may still connect: it is refused then */
            mprun_daemons_stop_agent(d, h);
        }
    }
    mprun_watch_stop(d->loop, &d->listen_watch);
}

int64_t mprun_daemons_deadline(const struct mprun_daemons *d)
{
    int64_t next = MPRUN_NO_DEADLINE;

    if (d->daemons == NULL)
        return next;
    for (int i = 0; i < MPRUN_DAEMONS_MAX_PENDING; i++) {
        if (d->pending[i].link.fd >= 0 && d->pending[i].deadline < next)
            next = d->pending[i].deadline;
    }
    for (int h = 0; h < d->nhosts; h++) {
        const struct mprun_daemon *dm = &d->daemons[h];
        int64_t t;

        if (!dm->remote || dm->closed)
            continue;
        if (!dm->connected) {
            t = d->connect_deadline;
        } else if (dm->shutdown_sent) {
            continue;
        } else {
            t = dm->link.last_received + d->heartbeat_ms;
            if (dm->link.last_sent + d->heartbeat_ms / 4 < t)
                t = dm->link.last_sent + d->heartbeat_ms / 4;
        }
        if (t < next)
            next = t;
    }
    return next;
}

void mprun_daemons_check_deadlines(struct mprun_daemons *d, int64_t now)
{
    if (d->daemons == NULL)
        return;
    for (int i = 0; i < MPRUN_DAEMONS_MAX_PENDING; i++) {
        struct mprun_pending_connection *p = &d->pending[i];

        if (p->link.fd >= 0 && now >= p->deadline)
            refuse(p, "it did not identify itself in time");
    }
    for (int h = 0; h < d->nhosts; h++) {
        struct mprun_daemon *dm = &d->daemons[h];

        if (!dm->remote || dm->closed || dm->shutdown_sent)
            continue;
        if (!dm->connected) {
            if (now >= d->connect_deadline)
                drop_daemon(dm,
                            "cannot start the daemon on host %s: it did not connect within "
                            "%d s",
                            d->labels[h], d->connect_timeout_ms / 1000);
            continue;
        }
        if (now - dm->link.last_received >= d->heartbeat_ms) {
            drop_daemon(dm, "lost the daemon on host %s: no message for %d s", d->labels[h],
                        d->heartbeat_ms / 1000 > 0 ? d->heartbeat_ms / 1000 : 1);
            continue;
        }
        if (now - dm->link.last_sent >= d->heartbeat_ms / 4)
            mprun_daemons_send(d, h, MPRUN_MSG_HEARTBEAT, NULL, 0);
    }
}

bool mprun_daemons_all_ended(const struct mprun_daemons *d)
{
    for (int h = 0; h < d->nhosts; h++) {
        if (d->daemons[h].remote && (!d->daemons[h].closed || d->daemons[h].agent_pid > 0))
            return false;
    }
    return true;
}

void mprun_daemons_finish(struct mprun_daemons *d)
{
    if (d->daemons == NULL)
        return;
    for (int i = 0; i < MPRUN_DAEMONS_MAX_PENDING; i++) {
        if (d->pending[i].link.fd >= 0)
            refuse(&d->pending[i], NULL);
    }
    for (int h = 0; h < d->nhosts; h++) {
        struct mprun_daemon *dm = &d->daemons[h];

        if (dm->link.fd >= 0) {
            mprun_watch_stop(d->loop, &dm->link_watch);
            mprun_link_close(&dm->link);
        }
        if (dm->agent_pid > 0)
            kill(-dm->agent_pid, SIGKILL);
        mprun_watch_stop(d->loop, &dm->agent_watch);
        if (dm->agent_pidfd >= 0)
            close(dm->agent_pidfd);
    }
    mprun_watch_stop(d->loop, &d->listen_watch);
    if (d->listen_fd >= 0)
        close(d->listen_fd);
    free(d->daemons);
    d->daemons = NULL;
}
