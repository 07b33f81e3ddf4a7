/*
 * liveness.c - the failure rule: which peers have ended, and what that fails.
 *
 * A peer ends in one of two ways:
 *   - it fails: it is gone without finalizing (exit, crash, a broken
 *     connection). Every operation that could need it fails with
 *     MPR_ERR_PROC_FAILED: a receive from it, a wildcard receive on a
 *     communicator it belongs to (posted before or after), a collective, an
 *     object wait.
 *   - it finalizes: it announced so (a notice on MPR__CTX_NOTICE, sent
 *     behind everything it sent before). Nothing more will come from it, so
 *     receives naming it fail, and collectives that still await its part;
 *     wildcard receives do not, since other ranks may still send.
 * In both cases what it sent before ending is still delivered: transports
 * drain a peer's channel before they report it. Likewise what it did in a
 * collective before ending counts (coll_shm.c asks which member a wait
 * still needs): a rank that finalizes once its part is done fails nobody.
 *
 * Deaths are seen by the transports (shm: the process is gone; tcp: the
 * connection broke or was refused). A peer that was never connected over
 * TCP cannot break a connection, so while a rank waits, peers its waits
 * depend on are "watched" (TCP connects to them) at most every
 * MPR__LIVENESS_INTERVAL_S; a dead rank's address refuses the connection.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "core/mpr_internal.h"

static bool comm_has_member(const struct mpr_comm *comm, int world_rank)
{
    return !comm || mpr__comm_rank(comm, world_rank) >= 0;
}

/* Fail the posted receives that can no longer complete because world_rank
 * ended: those naming it (but finalize's own, while it is only finalizing),
 * and wildcard ones when it failed. */
static void fail_posted(int world_rank, bool every_ctx, bool wildcards)
{
    struct mpr__qlink *l = mpr__g.posted.head.next;
    while (l != &mpr__g.posted.head) {
        struct mpr__qlink *next = l->next;
        struct mpr_request *req = mpr__container_of(l, struct mpr_request, match.link);
        bool named = req->match.source == world_rank &&
                     (every_ctx || req->match.ctx != MPR__CTX_FINALIZE);
        bool wildcard = wildcards && req->match.source == MPR_ANY_SOURCE &&
                        comm_has_member(req->comm, world_rank);
        if (named || wildcard) {
            mpr__queue_remove(&mpr__g.posted, l);
            mpr__request_complete(req, MPR_ERR_PROC_FAILED);
        }
        l = next;
    }
}

void mpr__peer_failed(int world_rank)
{
    struct mpr__peer *p = &mpr__g.peers[world_rank];
    if (p->dead)
        return;
    p->dead = true;
    if (p->finalizing) { /* gone after its finalize: no failure for wildcards */
        fail_posted(world_rank, true, false);
        return;
    }
    mpr__g.ndead++;
    mpr__failure_note(world_rank);
    fail_posted(world_rank, true, true);
}

void mpr__peer_finalizing(int world_rank)
{
    struct mpr__peer *p = &mpr__g.peers[world_rank];
    if (p->finalizing)
        return;
    p->finalizing = true;
    fail_posted(world_rank, false, false);
}

bool mpr__peer_ended(int world_rank)
{
    const struct mpr__peer *p = &mpr__g.peers[world_rank];
    return p->dead || p->finalizing;
}

bool mpr__recv_cannot_match(int world_source, uint32_t ctx, const struct mpr_comm *comm)
{
    if (world_source >= 0) {
        const struct mpr__peer *p = &mpr__g.peers[world_source];
        return p->dead || (p->finalizing && ctx != MPR__CTX_FINALIZE);
    }
    if (world_source != MPR_ANY_SOURCE || mpr__g.ndead == 0)
        return false;
    for (int r = 0; r < mpr__g.size; r++) {
        const struct mpr__peer *p = &mpr__g.peers[r];
        if (p->dead && !p->finalizing && comm_has_member(comm, r))
            return true;
    }
    return false;
}

/* ---- Watching --------------------------------------------------------- */

static void watch(int world_rank)
{
    const struct mpr__peer *p = &mpr__g.peers[world_rank];
    if (!p->dead && p->tp->watch)
        p->tp->watch(world_rank);
}

void mpr__liveness_watch_comm(const struct mpr_comm *comm)
{
    for (int r = 0; r < comm->size; r++)
        watch(mpr__world_rank(comm, r));
}

static void watch_pattern(int world_source, const struct mpr_comm *comm)
{
    if (world_source >= 0)
        watch(world_source);
    else if (world_source == MPR_ANY_SOURCE)
        mpr__liveness_watch_comm(comm ? comm : MPR_COMM_WORLD);
}

bool mpr__peer_gone(int world_rank)
{
    const struct mpr__peer *p = &mpr__g.peers[world_rank];
    if (p->dead)
        return true;
    if (!(p->pid > 0 && kill(p->pid, 0) != 0 && errno == ESRCH))
        return false;
    /* Gone before its finalize notice was read: a failure as far as this
     * rank can tell (the launcher checks how it really ended). */
    if (!p->finalizing)
        mpr__failure_note(world_rank);
    return true;
}

bool mpr__liveness_due(void)
{
    static double last;
    double now = mpr_wtime();
    if (now - last < MPR__LIVENESS_INTERVAL_S)
        return false;
    last = now;
    return true;
}

void mpr__liveness_check(void)
{
    for (int i = 0; i < mpr__g.ntps; i++)
        if (mpr__g.tps[i]->check_peers)
            mpr__g.tps[i]->check_peers();
    for (struct mpr__qlink *l = mpr__g.posted.head.next; l != &mpr__g.posted.head; l = l->next) {
        struct mpr_request *req = mpr__container_of(l, struct mpr_request, match.link);
        watch_pattern(req->match.source, req->comm);
    }
    if (mpr__g.probing)
        watch_pattern(mpr__g.probing->source, mpr__g.probing_comm);
}

/* ---- Finalizing ------------------------------------------------------- */

static void send_notice(int world_rank)
{
    struct mpr__peer *p = &mpr__g.peers[world_rank];
    if (p->notified || p->dead || world_rank == mpr__g.rank)
        return;
    p->notified = true;
    struct mpr_request *req;
    if (mpr__send_start(NULL, 0, world_rank, 0, MPR_COMM_WORLD, MPR__CTX_NOTICE, &req) ==
        MPR_SUCCESS)
        p->notice = req;
}

void mpr__finalize_announce(void)
{
    mpr__g.finalizing = true;
    for (int r = 0; r < mpr__g.size; r++) {
        const struct mpr__peer *p = &mpr__g.peers[r];
        if (!p->tp->linked || p->tp->linked(r))
            send_notice(r);
    }
}

void mpr__peer_linked(int world_rank)
{
    if (mpr__g.finalizing)
        send_notice(world_rank);
}

void mpr__finalize_notices_wait(void)
{
    for (int r = 0; r < mpr__g.size; r++) {
        struct mpr__peer *p = &mpr__g.peers[r];
        if (p->notice)
            mpr__wait_request(p->notice, NULL);
        p->notice = NULL;
    }
}
