/*
 * coll.c - barrier and bcast: the choice of algorithm, and the algorithms
 * over point-to-point (on the communicator's collective context, so they
 * never match user messages).
 *
 * Members all on this host with shared memory: through the host's
 * segment (coll_shm.c). Spanning hosts, several members on some host:
 * hierarchical (a shared-memory phase on each host, host leaders over
 * point-to-point). Otherwise point-to-point: dissemination barrier;
 * binomial bcast, or a pipelined chain for large messages.
 * MPR_COLL_BARRIER / MPR_COLL_BCAST force one (see README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "coll/coll_check.h"
#include "coll/coll_shm.h"

#define CHAIN_MIN_BYTES (256u << 10) /* auto: chain from here on, with > 2 ranks */
#define CHAIN_CHUNK (64u << 10)

/* ---- Point-to-point algorithms over a list of members --------------------
 * `members` maps a position 0..n-1 to a comm rank (NULL: identity). */

static int member(const int *members, int i)
{
    return members ? members[i] : i;
}

static int dissemination(mpr_comm comm, const int *members, int n, int me, uint32_t ctx)
{
    for (int dist = 1; dist < n; dist <<= 1) {
        struct mpr_request *rreq, *sreq;
        int rc = mpr__recv_start(NULL, 0, member(members, (me - dist + n) % n), MPR__TAG_BARRIER,
                                 comm, ctx, &rreq);
        if (rc != MPR_SUCCESS)
            return rc;
        rc = mpr__send_start(NULL, 0, member(members, (me + dist) % n), MPR__TAG_BARRIER, comm,
                             ctx, &sreq);
        int send_rc = rc == MPR_SUCCESS ? mpr__wait_request(sreq, NULL) : rc;
        int recv_rc = mpr__wait_request(rreq, NULL);
        if (send_rc != MPR_SUCCESS)
            return send_rc;
        if (recv_rc != MPR_SUCCESS)
            return recv_rc;
    }
    return MPR_SUCCESS;
}

int mpr__barrier_ctx(mpr_comm comm, uint32_t ctx)
{
    return dissemination(comm, NULL, comm->size, comm->rank, ctx);
}

/* Binomial tree: a parent serves its children with parallel sends. A
 * member whose len is short gets MPR_ERR_TRUNCATE and passes on what it got. */
static int binomial(mpr_comm comm, void *buf, size_t len, const int *members, int n, int me,
                    int root)
{
    int vrank = (me - root + n) % n;
    int result = MPR_SUCCESS;
    int mask = 1;
    while (mask < n) {
        if (vrank & mask) {
            struct mpr_request *req;
            int parent = member(members, (vrank - mask + root) % n);
            int rc = mpr__recv_start(buf, len, parent, MPR__TAG_BCAST, comm, comm->ctx_coll, &req);
            if (rc == MPR_SUCCESS)
                rc = mpr__wait_request(req, NULL);
            if (rc == MPR_ERR_TRUNCATE)
                result = rc;
            else if (rc != MPR_SUCCESS)
                return rc;
            break;
        }
        mask <<= 1;
    }
    struct mpr_request *children[32];
    int nchildren = 0;
    for (mask >>= 1; mask > 0; mask >>= 1) {
        if (vrank + mask < n) {
            int child = member(members, (vrank + mask + root) % n);
            int rc = mpr__send_start(buf, len, child, MPR__TAG_BCAST, comm, comm->ctx_coll,
                                     &children[nchildren]);
            if (rc != MPR_SUCCESS) {
                result = rc;
                break;
            }
            nchildren++;
        }
    }
    for (int i = 0; i < nchildren; i++) {
        int rc = mpr__wait_request(children[i], NULL);
        if (rc != MPR_SUCCESS && result == MPR_SUCCESS)
            result = rc;
    }
    return result;
}

static int wait_all(struct mpr_request **reqs, size_t n, int result)
{
    for (size_t i = 0; i < n; i++) {
        int rc = mpr__wait_request(reqs[i], NULL);
        if (rc != MPR_SUCCESS && result == MPR_SUCCESS)
            result = rc;
    }
    return result;
}

/* Pipelined chain root -> root+1 -> ...: the root's length first, then
 * CHAIN_CHUNK pieces, each passed on as soon as it arrives. A member whose
 * buffer is short receives into a scratch copy (it must pass on all). */
static int chain(mpr_comm comm, void *buf, size_t len, const int *members, int n, int me,
                 int root)
{
    int vrank = (me - root + n) % n;
    int prev = member(members, (me - 1 + n) % n), next = member(members, (me + 1) % n);
    bool has_next = vrank + 1 < n;
    uint64_t root_len = len;
    struct mpr_request *req;
    int rc;
    if (vrank > 0) {
        rc = mpr__recv_start(&root_len, sizeof(root_len), prev, MPR__TAG_BCAST, comm,
                             comm->ctx_coll, &req);
        if (rc == MPR_SUCCESS)
            rc = mpr__wait_request(req, NULL);
        if (rc != MPR_SUCCESS)
            return rc;
    }
    size_t total = (size_t)root_len;
    size_t nchunks = (total + CHAIN_CHUNK - 1) / CHAIN_CHUNK;
    char *data = total <= len ? buf : malloc(total);
    struct mpr_request **reqs = calloc(2 * nchunks + 1, sizeof(*reqs));
    if ((!data && total) || !reqs) {
        if (data != buf)
            free(data);
        free(reqs);
        return MPR_ERR_NO_MEM; /* the chain behind this member stalls: only a dead job here */
    }
    struct mpr_request **recvs = reqs + nchunks + 1, **sends = reqs;
    size_t nsends = 0, nrecvs = 0;
    int result = MPR_SUCCESS;
    if (has_next) {
        rc = mpr__send_start(&root_len, sizeof(root_len), next, MPR__TAG_BCAST, comm,
                             comm->ctx_coll, &sends[nsends]);
        if (rc != MPR_SUCCESS)
            result = rc;
        else
            nsends++;
    }
    for (size_t k = 0; vrank > 0 && result == MPR_SUCCESS && k < nchunks; k++) {
        size_t off = k * CHAIN_CHUNK, n_k = total - off < CHAIN_CHUNK ? total - off : CHAIN_CHUNK;
        rc = mpr__recv_start(data + off, n_k, prev, MPR__TAG_BCAST, comm, comm->ctx_coll,
                             &recvs[k]);
        if (rc != MPR_SUCCESS)
            result = rc;
        else
            nrecvs++;
    }
    for (size_t k = 0; result == MPR_SUCCESS && k < nchunks; k++) {
        size_t off = k * CHAIN_CHUNK, n_k = total - off < CHAIN_CHUNK ? total - off : CHAIN_CHUNK;
        if (vrank > 0) {
            rc = mpr__wait_request(recvs[k], NULL);
            recvs[k] = NULL;
            if (rc != MPR_SUCCESS) {
                result = rc;
                break;
            }
        }
        if (has_next) {
            rc = mpr__send_start(data + off, n_k, next, MPR__TAG_BCAST, comm, comm->ctx_coll,
                                 &sends[nsends]);
            if (rc != MPR_SUCCESS)
                result = rc;
            else
                nsends++;
        }
    }
    for (size_t k = 0; k < nrecvs; k++)
        if (recvs[k])
            result = wait_all(&recvs[k], 1, result);
    result = wait_all(sends, nsends, result);
    free(reqs);
    if (data != buf) {
        memcpy(buf, data, len);
        free(data);
        if (result == MPR_SUCCESS)
            result = MPR_ERR_TRUNCATE;
    }
    return result;
}

/* ---- Choosing ------------------------------------------------------------ */

enum alg { ALG_AUTO = -1 };
enum barrier_alg { BARRIER_SHM, BARRIER_SHM_LEADER, BARRIER_DISSEMINATION, BARRIER_HIER };
enum bcast_alg { BCAST_SHM, BCAST_BINOMIAL, BCAST_CHAIN, BCAST_HIER };
static const char *const barrier_names[] = { "shm", "shm_leader", "dissemination", "hier", NULL };
static const char *const bcast_names[] = { "shm", "binomial", "chain", "hier", NULL };

static struct mpr__coll_choice barrier_choice = { .name = "BARRIER", .algs = barrier_names };
static struct mpr__coll_choice bcast_choice = { .name = "BCAST", .algs = bcast_names };

static void say_fallback(const char *coll, const char *name, bool *said)
{
    if (!*said)
        mpr__log_rank0("MPR_COLL_%s=%s cannot serve this communicator; using another algorithm",
                       coll, name);
    *said = true;
}

/* On one host with a shared segment: shm; across hosts with a segment on
 * some host: hier; else point-to-point. */
static bool shm_serves(const struct mpr__coll_state *st)
{
    return mpr__coll_shm_serves(st);
}

static bool hier_serves(mpr_comm comm, const struct mpr__coll_state *st)
{
    return st->shm && st->nhosts > 1 && st->nhosts < comm->size;
}

/* ---- Barrier ------------------------------------------------------------- */

static int hier_barrier(mpr_comm comm, struct mpr__coll_state *st)
{
    int32_t outcome = MPR_SUCCESS; /* the leaders' phase, passed on to the members */
    if (st->lrank != 0) {
        int rc = mpr__coll_shm_arrive(st);
        if (rc == MPR_SUCCESS)
            rc = mpr__coll_shm_bcast(st, &outcome, sizeof(outcome), 0);
        return rc != MPR_SUCCESS ? rc : outcome;
    }
    int rc = MPR_SUCCESS;
    if (st->nlocal > 1 && (rc = mpr__coll_shm_arrive(st)) == MPR_SUCCESS)
        rc = mpr__coll_shm_arrive_wait(st);
    if (rc == MPR_SUCCESS)
        rc = dissemination(comm, st->leaders, st->nhosts, st->host_of[comm->rank], comm->ctx_coll);
    outcome = rc;
    int rc2 = mpr__coll_shm_bcast(st, &outcome, sizeof(outcome), 0); /* the release, even after an error */
    return rc != MPR_SUCCESS ? rc : rc2;
}

void mpr__coll_follows_barrier(struct mpr__coll_state *st, enum mpr__coll_kind kind, int root)
{
    if (!st->after_barrier)
        return;
    st->after_barrier = false;
    st->release_root =
        kind == MPR__CALL_BCAST || kind == MPR__CALL_SCATTER || kind == MPR__CALL_SCATTERV ? root
                                                                                          : -1;
}

/* Who releases a barrier of one host's members (-1: the last to arrive).
 * Where ranks share cores, the member that arrives last leaves first and
 * the others follow as they get a core. When a root sends right after the
 * barrier (a bcast or scatter), the others then wait inside that
 * collective until the root has a core again. So when the collective
 * after the communicator's previous barrier was one of those, its root
 * releases this one: it waits for every arrival and leaves first, and its
 * data is on the way while the others are still being woken (4 ranks on
 * 2 cores: bcast of 1-64 B 3.5-4.8 us -> 0.22, scatter 7-9 -> 0.2-1.8;
 * barrier + bcast together about the same). Not otherwise: a barrier alone
 * costs more that way (15 us against 10) and so does one before a
 * rootless collective, where the releaser leaving first only waits longer
 * inside it (barrier + allreduce of one double 22-26 us against 18-20).
 * Not with a core each either: 2 ranks' barrier + bcast 0.66-0.99 us
 * against 0.41-0.69. */
static int releaser(mpr_comm comm, const struct mpr__coll_state *st, int alg, bool forced)
{
    if (alg == BARRIER_SHM_LEADER)
        return 0;
    if ((alg == ALG_AUTO || !forced) && st->release_root >= 0 && comm->size > 2 &&
        mpr__g.oversubscribed)
        return st->release_root; /* its local index: every member is on this host */
    return -1;
}

int mpr_barrier(mpr_comm comm)
{
    static bool said;
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__coll_check(comm, MPR__CALL_BARRIER, MPR__CHECK_NO_ROOT, MPR__CHECK_NO_COUNT, 0,
                              0)) != MPR_SUCCESS)
        return rc;
    if (comm->size == 1)
        return MPR_SUCCESS;
    int alg = mpr__coll_choice(&barrier_choice, comm->size, 0);
    bool forced = mpr__coll_is_forced(&barrier_choice);
    if (alg == BARRIER_DISSEMINATION)
        return mpr__barrier_ctx(comm, comm->ctx_coll);
    struct mpr__coll_state *st;
    if ((rc = mpr__coll_state(comm, &st)) != MPR_SUCCESS)
        return rc;
    if (shm_serves(st)) /* hier on one host is shm */
        rc = mpr__coll_shm_barrier(st, releaser(comm, st, alg, forced));
    else if ((alg == ALG_AUTO || alg == BARRIER_HIER || !forced) && hier_serves(comm, st))
        rc = hier_barrier(comm, st);
    else {
        if (alg != ALG_AUTO && forced)
            say_fallback("BARRIER", barrier_names[alg], &said);
        rc = mpr__barrier_ctx(comm, comm->ctx_coll);
    }
    st->after_barrier = true;
    return rc;
}

/* ---- Bcast --------------------------------------------------------------- */

static int p2p_bcast(mpr_comm comm, void *buf, size_t len, const int *members, int n, int me,
                     int root, int alg)
{
    if (alg == ALG_AUTO)
        alg = len >= CHAIN_MIN_BYTES && n > 2 ? BCAST_CHAIN : BCAST_BINOMIAL;
    if (alg == BCAST_CHAIN)
        return chain(comm, buf, len, members, n, me, root);
    return binomial(comm, buf, len, members, n, me, root);
}

/* root -> the leader of every other host (over point-to-point) -> the
 * members of each host (shm). On the root's host the root leads. */
static int hier_bcast(mpr_comm comm, struct mpr__coll_state *st, void *buf, size_t len, int root)
{
    int root_host = st->host_of[root], my_host = st->host_of[comm->rank];
    int lroot = 0;
    if (my_host == root_host)
        while (st->local[lroot] != root)
            lroot++;
    int result = MPR_SUCCESS;
    if (st->lrank == lroot) {
        int saved = st->leaders[root_host];
        st->leaders[root_host] = root;
        result = p2p_bcast(comm, buf, len, st->leaders, st->nhosts, my_host, root_host, ALG_AUTO);
        st->leaders[root_host] = saved;
        if (result != MPR_SUCCESS && result != MPR_ERR_TRUNCATE) {
            mpr__coll_shm_bcast(st, NULL, 0, lroot); /* release the members: they fail too */
            return result;
        }
    }
    int rc = mpr__coll_shm_bcast(st, buf, len, lroot);
    return rc != MPR_SUCCESS ? rc : result;
}

int mpr_bcast(void *buf, size_t len, int root, mpr_comm comm)
{
    static bool said;
    int rc = mpr__check_ready();
    if (rc != MPR_SUCCESS)
        return rc;
    if ((rc = mpr__check_comm(comm)) != MPR_SUCCESS)
        return rc;
    if (root < 0 || root >= comm->size || (!buf && len > 0))
        return MPR_ERR_ARG;
    if ((rc = mpr__coll_check(comm, MPR__CALL_BCAST, root, len, 0, 0)) != MPR_SUCCESS)
        return rc;
    if (comm->size == 1)
        return MPR_SUCCESS;
    int alg = mpr__coll_choice(&bcast_choice, comm->size, len);
    bool forced = mpr__coll_is_forced(&bcast_choice);
    if (alg == ALG_AUTO && comm->size == 2) /* one send: nothing beats point-to-point */
        alg = BCAST_BINOMIAL;
    if (alg == BCAST_BINOMIAL || alg == BCAST_CHAIN)
        return p2p_bcast(comm, buf, len, NULL, comm->size, comm->rank, root, alg);
    struct mpr__coll_state *st;
    if ((rc = mpr__coll_state(comm, &st)) != MPR_SUCCESS)
        return rc;
    if (shm_serves(st)) /* hier on one host is shm */
        return mpr__coll_shm_bcast(st, buf, len, root);
    if ((alg == ALG_AUTO || alg == BCAST_HIER || !forced) && hier_serves(comm, st))
        return hier_bcast(comm, st, buf, len, root);
    if (alg != ALG_AUTO && forced)
        say_fallback("BCAST", bcast_names[alg], &said);
    return p2p_bcast(comm, buf, len, NULL, comm->size, comm->rank, root, ALG_AUTO);
}
