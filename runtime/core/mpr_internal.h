/*
 * mpr_internal.h - state and contracts shared by the files of libmpr.
 * Nothing here is visible to users; every symbol is mpr__-prefixed.
 */
#ifndef MPR_INTERNAL_H
#define MPR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "mpr.h"
#include "core/match.h"
#include "core/net.h"
#include "core/log.h"
#include "core/wait.h"
#include "transport/transport.h"

#define MPR__HOSTNAME_MAX 64


/*
 * A communicator. Users name ranks of the communicator; the transports and
 * the matching queues know only world ranks, so every call translates at
 * the boundary (world_ranks / comm_rank_of are NULL for world: identity).
 * Each communicator owns two contexts, so collectives never match
 * point-to-point traffic: ctx_p2p = 2k, ctx_coll = 2k + 1.
 */
#define MPR__COMM_MAGIC 0x636f6d6du /* "comm" */
struct mpr__coll_state;
struct mpr_comm {
    uint32_t magic;
    uint32_t ctx_p2p;
    uint32_t ctx_coll;
    int rank;
    int size;
    int *world_ranks;  /* comm rank -> world rank */
    int *comm_rank_of; /* world rank -> comm rank, -1 if not a member */
    struct mpr__coll_state *coll; /* fast collectives' state, made lazily */
};

static inline int mpr__world_rank(const struct mpr_comm *comm, int rank)
{
    return comm->world_ranks ? comm->world_ranks[rank] : rank;
}

/* -1 when world_rank is not a member. */
static inline int mpr__comm_rank(const struct mpr_comm *comm, int world_rank)
{
    return comm->comm_rank_of ? comm->comm_rank_of[world_rank] : world_rank;
}

enum mpr__req_kind { MPR__REQ_SEND, MPR__REQ_RECV };

struct mpr__transport;
struct mpr__msg;

/*
 * A send or receive in flight. A receive's pattern lives in `match`
 * (source may be MPR_ANY_SOURCE, tag MPR_ANY_TAG); a send's envelope too.
 */
struct mpr_request {
    struct mpr__match_item match; /* links it into the posted queue (recv) */
    struct mpr__qlink tp_link;    /* owned by the transport while it sends */
    enum mpr__req_kind kind;
    bool done;
    int error;
    int peer;            /* send: world rank of the destination */
    const struct mpr_comm *comm; /* ranks in status are translated to it */
    void *buf;           /* recv: user buffer; send: const data cast */
    size_t len;          /* buffer length (recv) or message length (send) */
    size_t progressed;   /* bytes already moved by a fragmented transfer */
    mpr_status status;   /* recv: filled at completion */
    bool declines_longer; /* recv: a longer message is left unexpected, not truncated */
    struct mpr__msg *pending_msg; /* recv: unexpected message still arriving */
    uint8_t flow;        /* send: enum mpr__flow_route, decided once (flow.c) */
    uint8_t tp_state;    /* the transport's own mark on a request it holds */
    uint8_t copier;      /* send: enum mpr__copier, who should copy a large one */
    struct mpr_request *next_free;
};

/*
 * A message that arrived before its receive was posted. Eager data is
 * copied into `data`; a rendezvous message keeps only what the transport
 * needs to pull it later (`rdv_*`). A fragmented message may still be
 * arriving: `complete` is false until its last byte is in `data`.
 */
struct mpr__msg {
    struct mpr__match_item match; /* envelope: source world rank, tag, ctx */
    size_t len;                   /* message length as sent */
    size_t arrived;               /* bytes in data so far */
    void *data;
    bool complete;
    bool rendezvous;
    uint64_t rdv_addr;  /* sender's buffer address */
    uint64_t rdv_id;    /* sender's request id, echoed in the FIN */
    struct mpr_request *waiting_req; /* a receive matched it before it completed */
};

/* Contexts no communicator gets: the collective checks' exchange
 * (coll_check.c), finalize's barrier, and the notice a finalizing rank
 * sends its peers (liveness.c). */
#define MPR__CTX_CHECK 0xfffffffdu
#define MPR__CTX_FINALIZE 0xfffffffeu
#define MPR__CTX_NOTICE 0xffffffffu
#define MPR__CTX_RESERVED MPR__CTX_CHECK /* communicators stay below */
#define MPR__LIVENESS_INTERVAL_S 0.1

struct mpr__peer {
    const struct mpr__transport *tp;
    int local_index;  /* index among the ranks of this host, -1 if remote */
    pid_t pid;        /* 0 when unknown (remote) */
    bool dead;        /* failed: gone without finalizing (liveness.c) */
    bool finalizing;  /* announced it finalizes: nothing more comes from it */
    bool notified;    /* this rank's own finalize notice went to it */
    struct mpr_request *notice; /* that notice, until finalize waits for it */
    size_t flow_out;  /* sent eagerly to it, not yet given back as credit (flow.c) */
    size_t flow_owed; /* its eager bytes taken here, not yet given back */
};

struct mpr__state {
    bool initialized;
    bool finalized;
    bool singleton;      /* started without a launcher */
    bool oversubscribed; /* more ranks than cores on this host */
    bool use_shm;        /* some peers are reached through shared memory */
    bool use_tcp;        /* some peers are reached through TCP */
    const struct mpr__transport *tps[MPR__TRANSPORTS_MAX]; /* in use (transport/select.c) */
    int ntps;
    bool finalizing;     /* mpr_finalize has announced it */
    bool rank_known;     /* rank is set (log lines carry it) */
    int ndead;           /* peers marked dead */
    const struct mpr__match_item *probing; /* mpr_probe's pattern while it waits */
    const struct mpr_comm *probing_comm;
    /* Work of an upper layer that must go on whatever the rank waits for
     * (objects/pipe.c: dropping what arrives for closed pipe ends, so a
     * sender blocked on them is released); run at the end of every
     * mpr__progress pass; NULL when there is none. It may start receives
     * but must not wait. Returns events handled. */
    int (*after_progress)(void);
    int rank;
    int size;
    int local_index;
    int local_size;
    int *local_ranks;    /* world rank of each local index */
    char hostname[MPR__HOSTNAME_MAX];
    char nspace[256];
    struct mpr__peer *peers; /* indexed by world rank */
    struct mpr__queue posted;     /* receives waiting for a message */
    struct mpr__queue unexpected; /* messages waiting for a receive */
    struct mpr_request *free_requests;
    unsigned spin_polls;   /* polls before a wait goes to sleep (MPR_SPIN) */
    unsigned sleep_yields; /* then sched_yield calls before it sleeps (MPR_YIELDS) */
    size_t unexpected_limit; /* eager bytes one sender may have unreceived here (MPR_UNEXPECTED_BYTES) */
};

extern struct mpr__state mpr__g;

/* init.c: the core's part of a rank's start and end (runtime/lifecycle.c
 * runs the layers in order). */
int mpr__check_ready(void);
int mpr__core_start(void);
void mpr__core_release(void);

/* output.c: stdout line-buffered when mprun forwards it (also at load). */
void mpr__output_configure(void);

/* comm.c */
int mpr__check_comm(mpr_comm comm);
void mpr__comm_world_setup(void);

/* request.c */
/* Zero a request with plain 16-byte stores: GCC turns memset of anything
 * over 64 bytes, and `= { 0 }` of a request, into `rep stosq`, whose
 * start-up (tens of cycles on AMD) was 8% of a 1 KiB message-rate
 * profile, two requests per message. */
static inline void mpr__request_zero(struct mpr_request *req)
{
    typedef long long pair __attribute__((vector_size(16), may_alias, aligned(8)));
    enum { PAIRS = sizeof(*req) / sizeof(pair) };
    pair *p = (pair *)(void *)req;
#pragma GCC unroll 16
    for (int i = 0; i < PAIRS; i++)
        p[i] = (pair){ 0, 0 };
    memset((char *)req + PAIRS * sizeof(pair), 0, sizeof(*req) % sizeof(pair));
}
struct mpr_request *mpr__request_alloc(enum mpr__req_kind kind);
void mpr__request_free(struct mpr_request *req);
void mpr__request_complete(struct mpr_request *req, int error);
void mpr__requests_release_all(void);

/* p2p.c: what transports call when a message arrives */
int mpr__deliver_eager(int src, int tag, uint32_t ctx, const void *data,
                       size_t len);
/* A message announced by its first fragment or a rendezvous header. Returns
 * where its bytes go: a matched receive (*req_out) or an unexpected message
 * (*msg_out); exactly one is set. NULL both means out of memory. */
void mpr__deliver_start(int src, int tag, uint32_t ctx, size_t len,
                        bool rendezvous, uint64_t rdv_addr, uint64_t rdv_id,
                        struct mpr_request **req_out, struct mpr__msg **msg_out);
/* The last bytes of an unexpected fragmented message arrived. */
void mpr__msg_completed(struct mpr__msg *msg);
/* Its sender died before the last fragment: drop it, failing its receive. */
void mpr__msg_abandoned(struct mpr__msg *msg);
/* Copy into a receive, set its status and complete it. */
void mpr__recv_finish(struct mpr_request *req, int src, int tag,
                      const void *data, size_t len);
/* Ranks are ranks of comm; ctx is comm->ctx_p2p or comm->ctx_coll. */
int mpr__send_start(const void *buf, size_t len, int dest, int tag,
                    const struct mpr_comm *comm, uint32_t ctx,
                    struct mpr_request **out);
/*
 * Who should copy a large message where ranks share cores, when the
 * sender knows better than the transport (shm's cma_preferred):
 *   ANY       the transport decides
 *   SENDER    the receiver takes messages from many senders at once (a
 *             gather's root): the sender streams it, rather than leave
 *             the busiest rank a single copy of each by itself
 *   RECEIVER  the sender hands messages to many receivers at once (a
 *             scatter's root): each receiver copies its own, in parallel,
 *             rather than the sender copying them all in turn
 */
enum mpr__copier { MPR__COPIER_ANY, MPR__COPIER_SENDER, MPR__COPIER_RECEIVER };

/* mpr__send_start, saying who should copy (enum mpr__copier). */
int mpr__send_start_copied_by(const void *buf, size_t len, int dest, int tag,
                              const struct mpr_comm *comm, uint32_t ctx,
                              enum mpr__copier copier, struct mpr_request **out);
int mpr__recv_start(void *buf, size_t len, int source, int tag,
                    const struct mpr_comm *comm, uint32_t ctx,
                    struct mpr_request **out);
/* A receive that declines a message longer than len instead of truncating
 * it (pipes): the request completes with MPR_ERR_TRUNCATE and status.count
 * set to the message's length, and the message stays in the unexpected
 * queue for a later receive. Posted receives after it are not tried for
 * that message, so use it only on a context and tag nobody else receives. */
int mpr__recv_start_declining(void *buf, size_t len, int source, int tag,
                              const struct mpr_comm *comm, uint32_t ctx,
                              struct mpr_request **out);
int mpr__wait_request(struct mpr_request *req, mpr_status *status);

/* failure_note.c: the first peer this rank saw fail, for the launcher */
/* Read MPR_PEER_FAILURE_FILE (at mpr_init). */
void mpr__failure_note_configure(void);
/* world_rank failed: the first call of the process writes it down (any
 * thread); later ones do nothing. */
void mpr__failure_note(int world_rank);

/* liveness.c: the failure rule (see there) */
/* world_rank is gone without finalizing: fail what needs it. Idempotent. */
void mpr__peer_failed(int world_rank);
/* world_rank announced its finalize: fail receives naming it. */
void mpr__peer_finalizing(int world_rank);
/* Failed or finalizing: it takes part in no collective any more. */
bool mpr__peer_ended(int world_rank);
/* Would a receive from world_source (or MPR_ANY_SOURCE on comm) on ctx
 * wait forever, given who has ended? (Unexpected messages aside.) */
bool mpr__recv_cannot_match(int world_source, uint32_t ctx, const struct mpr_comm *comm);
/* Marked dead, or a process of this host that no longer exists. */
bool mpr__peer_gone(int world_rank);
/* True at most once per MPR__LIVENESS_INTERVAL_S. */
bool mpr__liveness_due(void);
/* Ask the transports who is gone, and watch the peers that posted receives
 * (and mpr_probe's pattern, if it waits) depend on. */
void mpr__liveness_check(void);
/* Watch every member of comm (collective and object waits). */
void mpr__liveness_watch_comm(const struct mpr_comm *comm);
/* mpr_finalize: tell every peer with a channel that this rank finalizes;
 * peers linked later (mpr__peer_linked, called by transports when a
 * channel opens) are told then. Then wait for those notices to leave. */
void mpr__finalize_announce(void);
void mpr__peer_linked(int world_rank);
void mpr__finalize_notices_wait(void);

/* msgbuf.c: buffers for the bytes of unexpected messages (reused, so a
 * stream of them does not grow and trim the heap at every call). */
void *mpr__msgbuf_alloc(size_t len);
void mpr__msgbuf_free(void *buf, size_t len);
void mpr__msgbuf_release_all(void);

/* flow.c: eager credits. A sender may have at most unexpected_limit bytes
 * (payload + MPR__FLOW_MSG_COST per message) sent eagerly to one receiver
 * and not yet taken by a receive there; beyond that, a message goes by
 * rendezvous (its data stays at the sender). Receivers give the bytes back
 * through the transport's `credit` member. */
enum mpr__flow_route { MPR__FLOW_UNDECIDED, MPR__FLOW_EAGER, MPR__FLOW_RENDEZVOUS };
#define MPR__FLOW_MSG_COST 64
#define MPR__UNEXPECTED_DEFAULT ((size_t)4 << 20)
int mpr__flow_configure(void);
static inline size_t mpr__flow_cost(size_t len)
{
    return len ? len + MPR__FLOW_MSG_COST : 0;
}
/* Transports ask before sending req eagerly (or streaming it unasked): true
 * when it may go so, its bytes charged; false when it should go by
 * rendezvous. Decided at the first call, the same answer after. */
static inline bool mpr__flow_eager_allowed(struct mpr_request *req)
{
    if (req->flow == MPR__FLOW_UNDECIDED) {
        struct mpr__peer *p = &mpr__g.peers[req->peer];
        size_t cost = mpr__flow_cost(req->len);
        bool fits = cost <= mpr__g.unexpected_limit && p->flow_out <= mpr__g.unexpected_limit - cost;
        req->flow = fits ? MPR__FLOW_EAGER : MPR__FLOW_RENDEZVOUS;
        if (fits)
            p->flow_out += cost;
    }
    return req->flow == MPR__FLOW_EAGER;
}
/* The receiving side: an eager message of len bytes from src left the
 * transport for a receive (or was dropped); gives credit back in batches. */
void mpr__flow_taken(int src, size_t len);
/* Credit from peer `src` arrived. */
void mpr__flow_credit_arrived(int src, uint64_t bytes);

/* progress.c: one pass over the transports in use; returns events. */
int mpr__progress(void);

/* wireup.c (PMIx client) */
int mpr__wireup_init(void);
/* Publish this rank's endpoint (transport's name and text; NULL: none) and
 * fence; with an endpoint the fence collects everyone's data, so
 * mpr__wireup_get_endpoint is local. */
int mpr__wireup_fence(const char *transport, const char *endpoint);
int mpr__wireup_get_endpoint(const char *transport, int rank, char *out, size_t cap);
void mpr__wireup_fini(void);
void mpr__wireup_abort(int code, const char *msg);
/* The job cannot go on (two ranks cannot wire up): log the printf-style
 * reason, ask the launcher to end the whole job with it and exit with
 * MPR__WIREUP_FAILED_EXIT. One rank's failure would otherwise leave the
 * others waiting for it in their collectives. Does not return. */
#define MPR__WIREUP_FAILED_EXIT 3
void mpr__wireup_fail_job(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* MPR_INTERNAL_H */
