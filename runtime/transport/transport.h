/*
 * transport.h - what the core asks of a transport, and which ones exist.
 *
 * A transport moves messages to the peers of one kind: the rank itself
 * (self), the ranks of this host (shm), ranks anywhere (tcp). The core
 * picks one per peer at start-up (mpr__transport_for) and keeps the ones
 * in use in a table (mpr__g.tps); it calls transports only through these
 * members, never by name. Members marked optional may be NULL.
 *
 * Only one thread calls any member: the rank's own.
 */
#ifndef MPR_TRANSPORT_H
#define MPR_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mpr_request;
struct mpr__msg;

struct mpr__transport {
    const char *name;

    /* Optional. Set up this rank's side, before the fence. A transport
     * others must find writes the endpoint to publish (NUL-terminated,
     * at most cap bytes); it leaves endpoint untouched otherwise. */
    int (*init)(char *endpoint, size_t cap);
    /* Optional. After the fence, when every rank's endpoint is known:
     * reach the peers this transport serves (shm maps their segments). */
    int (*connect)(void);
    /* Optional. Fail what is still in flight, tell peers goodbye (bounded
     * wait), release everything. Called once, also after a failed init. */
    void (*fini)(void);

    /* Start sending req (req->peer, req->buf, req->len, req->match envelope).
     * Never blocks; completes req (mpr__request_complete) when the buffer may
     * be reused, possibly before returning. Returns MPR_SUCCESS or an error
     * (req untouched then). */
    int (*send)(struct mpr_request *req);
    /* Fetch the payload of a rendezvous message `msg` into receive `req`
     * (which the core has already matched), then complete req. */
    int (*pull)(struct mpr_request *req, struct mpr__msg *msg);
    /* Optional (NULL: no flow control to these peers). Tell `rank` that
     * `bytes` of what it sent eagerly have been taken here (flow.c); the
     * peer hands them to mpr__flow_credit_arrived. Never blocks; returns
     * false when it could not even queue it (it is offered again later). */
    bool (*credit)(int rank, size_t bytes);
    /* Optional. Take in what arrived (handing it to mpr__deliver_*) and
     * push queued outgoing data; returns the number of events handled
     * (0 = nothing happened). Never blocks. Not re-entrant. */
    int (*progress)(void);
    /* Progress costs a system call: beside a transport whose progress is a
     * few loads, the core calls this one only every few passes. */
    bool progress_is_syscall;

    /* Sleeping (each optional). arm: from now until disarm, whoever hands
     * this rank something through this transport wakes it; returns the
     * token sleep needs (a transport whose sleep needs no arming, like
     * epoll, has neither). sleep: block until something arrives
     * through this transport, *word (when not NULL) differs from seen, or
     * timeout_ns passes; returns 1 when woken by either, 0 when only the
     * clock rang, and -1, having not slept, when it cannot watch word. */
    uint32_t (*arm)(void);
    void (*disarm)(void);
    int (*sleep)(uint32_t token, _Atomic uint32_t *word, uint32_t seen, long timeout_ns);

    /* Peer liveness (optional). check_peers: find peers of this transport
     * that are gone (after taking what they sent) and report them with
     * mpr__peer_failed; called while a rank waits, at most every
     * MPR__LIVENESS_INTERVAL_S. watch: make sure the death of `rank` will
     * be noticed even if nothing was ever sent to it (TCP: connect); never
     * blocks. linked (NULL: always): is there a channel to `rank` already,
     * so a message to it costs no new connection? */
    void (*check_peers)(void);
    void (*watch)(int rank);
    bool (*linked)(int rank);
};

#define MPR__TRANSPORTS_MAX 3

/* transport/select.c. Which transports this job uses (every rank decides
 * alike, from the job's shape and MPR_TRANSPORT): fills tps in the order
 * their progress should run, returns how many. Needs mpr__g's rank, size
 * and local ranks. */
int mpr__transports_select(const struct mpr__transport *tps[MPR__TRANSPORTS_MAX]);
/* The transport that reaches world rank `rank` (after select). */
const struct mpr__transport *mpr__transport_for(int rank);

#endif /* MPR_TRANSPORT_H */
