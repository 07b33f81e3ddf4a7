/*
 * daemons.h - the first mprun's side of the other hosts: it starts a
 * daemon on each through the launch agent, accepts their connections on a
 * TCP port of its own (each must open with a greeting that carries the
 * job's secret, or it is refused), keeps one link per daemon alive with
 * heartbeats, and notices when a daemon or its host is lost.
 *
 * The messages of a connected daemon go to the owner (job.c), which
 * knows what they mean.
 */
#ifndef MPRUN_DAEMONS_H
#define MPRUN_DAEMONS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "link.h"
#include "loop.h"
#include "wire.h"

#define MPRUN_DAEMONS_MAX_PENDING 32 /* connections not identified yet */

struct mprun_daemons;

struct mprun_daemons_events {
    /* The daemon of host said hello; host_name is its short host name.
     * Returns 0, or -1 with err to refuse it. */
    int (*connected)(void *ctx, int host, const char *host_name, char *err, size_t errlen);
    /* A message from a connected daemon; -1 with err refuses it (the
     * daemon is then dropped as lost). */
    int (*message)(void *ctx, int host, uint32_t type, const char *payload, size_t len,
                   char *err, size_t errlen);
    /* The daemon of host is gone before the end of the job: its agent
     * failed, it did not connect in time, its link broke or fell silent. */
    void (*lost)(void *ctx, int host, const char *why);
};

struct mprun_daemon {
    struct mprun_daemons *owner;
    int host;
    bool remote;           /* false for the first mprun's own host */
    pid_t agent_pid;       /* 0 once reaped */
    int agent_pidfd;
    struct mprun_watch agent_watch;
    struct mprun_link link;
    struct mprun_watch link_watch;
    bool connected;        /* said hello */
    bool closed;           /* its link ended (or it never came) */
    bool shutdown_sent;
};

struct mprun_pending_connection {
    struct mprun_daemons *owner;
    struct mprun_link link;
    struct mprun_watch watch;
    int64_t deadline;
    int host;              /* -1 until its greeting was accepted */
    char peer[64];         /* address:port, for messages */
};

struct mprun_daemons {
    struct mprun_loop *loop;
    const struct mprun_daemons_events *events;
    void *ctx;
    int nhosts;
    char **labels;
    struct mprun_daemon *daemons;  /* per host index; the local one unused */
    int nremote, nconnected;
    int listen_fd;
    struct mprun_watch listen_watch;
    uint8_t secret[MPRUN_WIRE_SECRET_LEN];
    struct mprun_pending_connection pending[MPRUN_DAEMONS_MAX_PENDING];
    int64_t connect_deadline;
    int connect_timeout_ms;
    int heartbeat_ms;
};

struct mprun_daemons_config {
    int nhosts;
    char **labels;             /* host names as given: for the agent and messages */
    int local_host;            /* -1 if the first mprun runs no ranks */
    const char *launch_agent;  /* a shell command; the host and mprun's command follow */
    const char *mprun_path;    /* absolute, the same on every host */
    const sigset_t *child_mask;/* the signal mask agents start with */
    int heartbeat_ms;
    int connect_timeout_ms;
};

/* mprun_daemons_start - listen, and start every remote host's agent.
 * Returns 0, or -1 with a reason in err. */
int mprun_daemons_start(struct mprun_daemons *d, struct mprun_loop *loop,
                        const struct mprun_daemons_events *events, void *ctx,
                        const struct mprun_daemons_config *config, char *err, size_t errlen);

/* mprun_daemons_send - a message to a connected daemon. A daemon whose link
 * breaks is reported lost (later, from the loop). */
void mprun_daemons_send(struct mprun_daemons *d, int host, uint32_t type, const void *payload,
                        size_t len);

/* mprun_daemons_broadcast - the same message to every connected daemon. */
void mprun_daemons_broadcast(struct mprun_daemons *d, uint32_t type, const void *payload,
                             size_t len);

/* mprun_daemons_shutdown - tell every daemon the job is over; from now on a
 * link that ends is no loss. Daemons that never connected are stopped. */
void mprun_daemons_shutdown(struct mprun_daemons *d);

/* mprun_daemons_stop_agent - SIGTERM to the agent of host (a lost host: if
 * the daemon is still alive, the agent's end may end it). */
void mprun_daemons_stop_agent(struct mprun_daemons *d, int host);

/* mprun_daemons_child_exited - a child that is not a rank ended (reaped by
 * the caller): if it is an agent, note it. */
void mprun_daemons_child_exited(struct mprun_daemons *d, pid_t pid, int status);

/* Heartbeats, handshakes and the connection deadline. */
int64_t mprun_daemons_deadline(const struct mprun_daemons *d);
void mprun_daemons_check_deadlines(struct mprun_daemons *d, int64_t now);

/* mprun_daemons_all_ended - every link has ended and every agent was reaped. */
bool mprun_daemons_all_ended(const struct mprun_daemons *d);

/* mprun_daemons_finish - close everything; agents still running are killed. */
void mprun_daemons_finish(struct mprun_daemons *d);

#endif
