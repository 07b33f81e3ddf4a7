/*
 * coll_gather.c - gather, scatter, allgather and alltoall (and their
 * v-variants) over point-to-point on the collective context.
 *
 * Small blocks go through trees (binomial gather/scatter, Bruck allgather),
 * where log2 N messages beat N; large ones go straight to their owner
 * (linear with all requests posted at once, ring, pairwise exchange),
 * where every byte crosses once. Small allgathers and alltoalls of more
 * than two ranks on one host take one step through the shared segment
 * instead (coll_shm_flat.c). MPR_COLL_<NAME> forces a choice.
 * The v-variants always use the direct algorithm.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coll/coll.h"
#include "coll/coll_check.h"
#include "coll/coll_shm.h"

/* Below these total sizes (len * N) the tree algorithms are used. */
#define TREE_MAX_BYTES ((size_t)32 << 10)
#define BRUCK_MAX_BYTES ((size_t)16 << 10)
#define ALLTOALL_LINEAR_MAX_BYTES ((size_t)64 << 10)

static int coll_begin(mpr_comm comm)
{
    int rc = mpr__check_ready();
    return rc != MPR_SUCCESS ? rc : mpr__check_comm(comm);
}

/* Block i of a vector collective: lens/displs when given, else blocks of
 * len bytes one after another. */
static size_t block_len(const size_t *lens, size_t len, int i)
{
    return lens ? lens[i] : len;
}

static size_t block_at(const size_t *displs, size_t len, int i)
{
    return displs ? displs[i] : (size_t)i * len;
}

/* Copy this rank's own block, as a receive would: truncated if too long. */
static int copy_own(void *dst, size_t dstlen, const void *src, size_t srclen)
{
    size_t n = srclen < dstlen ? srclen : dstlen;
    if (n)
        memmove(dst, src, n);
    return srclen > dstlen ? MPR_ERR_TRUNCATE : MPR_SUCCESS;
}

/* A gather's sends: their receiver takes many messages at once. */
static int send_to_gatherer(const void *buf, size_t len, int dest, mpr_comm comm)
{
    return mpr__coll_send_by(buf, len, dest, MPR__TAG_GATHER, comm, MPR__COPIER_SENDER);
}

/* A scatter's sends, posted together: each receiver copies its own block. */
static int start_scatter_send(const void *buf, size_t len, int dest, mpr_comm comm,
                              struct mpr_request **req)
{
    return mpr__send_start_copied_by(buf, len, dest, MPR__TAG_SCATTER, comm, comm->ctx_coll,
                                     MPR__COPIER_RECEIVER, req);
}

/* Lowest set bit of vrank, or the first power of two >= size for vrank 0:
 * vrank's subtree in a binomial tree is [vrank, vrank + that) cut at size. */
static int subtree_mask(int vrank, int size)
{
    int mask = 1;
    while (mask < size && !(vrank & mask))
        mask <<= 1;
    return mask;
}

/* Rotate size blocks of len bytes held in vrank order (block i belongs to
 * rank (i + root) % size) into rank order. */
static void unrotate(char *dst, const char *src, size_t len, int size, int root)
{
    size_t head = (size_t)(size - root) * len;
    memcpy(dst + (size_t)root * len, src, head);
    memcpy(dst, src + head, (size_t)root * len);
}

/* ---- gather ---- */

/* Each vrank collects its subtree's blocks, contiguous in vrank order, and
 * passes them up; children's receives are all posted at once. */
static int gather_binomial(const void *mine, size_t len, char *recv, int root, mpr_comm comm)
{
    int size = comm->size, vrank = (comm->rank - root + size) % size;
    int mask = subtree_mask(vrank, size);
    int nblocks = mask < size - vrank ? mask : size - vrank;
    if (vrank != 0 && nblocks == 1)
        return send_to_gatherer(mine, len, (vrank - mask + root) % size, comm);

    char *tmp = vrank == 0 && root == 0 ? recv : malloc((size_t)nblocks * len);
    if (!tmp)
        return MPR_ERR_NO_MEM;
    if (mine != tmp)
        memcpy(tmp, mine, len);
    struct mpr_request *reqs[32];
    int n = 0, rc = MPR_SUCCESS, result = MPR_SUCCESS;
    for (int m = 1; m < mask && vrank + m < size; m <<= 1) {
        size_t blocks = (size_t)(m < size - vrank - m ? m : size - vrank - m);
        rc = mpr__recv_start(tmp + (size_t)m * len, blocks * len, (vrank + m + root) % size,
                             MPR__TAG_GATHER, comm, comm->ctx_coll, &reqs[n]);
        if (rc != MPR_SUCCESS)
            break;
        n++;
    }
    rc = mpr__coll_note(mpr__coll_waitall(reqs, n, rc), &result);
    if (rc == MPR_SUCCESS && vrank != 0)
        rc = send_to_gatherer(tmp, (size_t)nblocks * len, (vrank - mask + root) % size, comm);
    else if (rc == MPR_SUCCESS && tmp != recv)
        unrotate(recv, tmp, len, size, root);
    if (tmp != recv)
        free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Root posts a receive per rank (lens[i] bytes at recv + displs[i]), then
 * waits for them all. lens/displs NULL: len bytes at i * len. */
static int gather_linear(const void *send, size_t sendlen, char *recv, const size_t *lens,
                         const size_t *displs, size_t len, int root, mpr_comm comm)
{
    if (comm->rank != root)
        return send_to_gatherer(send, sendlen, root, comm);
    struct mpr_request **reqs = malloc((size_t)comm->size * sizeof(*reqs));
    if (!reqs)
        return MPR_ERR_NO_MEM;
    int n = 0, rc = MPR_SUCCESS, result = MPR_SUCCESS;
    for (int i = 0; i < comm->size && rc == MPR_SUCCESS; i++) {
        if (i == root)
            continue;
        rc = mpr__recv_start(recv + block_at(displs, len, i), block_len(lens, len, i), i,
                             MPR__TAG_GATHER, comm, comm->ctx_coll, &reqs[n]);
        if (rc == MPR_SUCCESS)
            n++;
    }
    /* Our own block once the others' receives are posted: copied while
     * they arrive, not before. */
    if (send != MPR_IN_PLACE)
        result = copy_own(recv + block_at(displs, len, root), block_len(lens, len, root), send,
                          sendlen);
    rc = mpr__coll_waitall(reqs, n, rc);
    free(reqs);
    return rc != MPR_SUCCESS ? rc : result;
}

enum { TREE, DIRECT };
static const char *const gather_algs[] = { "binomial", "linear", NULL };
static struct mpr__coll_choice gather_choice = { .name = "GATHER", .algs = gather_algs };
static struct mpr__coll_choice scatter_choice = { .name = "SCATTER", .algs = gather_algs };

/* *tree: the binomial tree (else linear). Automatic: the tree for totals
 * up to TREE_MAX_BYTES, but not where ranks share cores, where each hop
 * through a member waits for that member to get a core and linear has no
 * such hop (1 B-4 KiB: scatter at 4 ranks on 2 cores 0.22-0.50 us against
 * 0.27-2.6, at 8 ranks 0.22-0.65 against 17-22; gather at 4 ranks 2.9-3.3
 * against 3.3-6.3, at 8 ranks 8.5-9.4 against 16-20). */
static int use_tree(mpr_comm comm, struct mpr__coll_choice *choice, size_t len, bool *tree)
{
    int alg = mpr__coll_choice(choice, comm->size, len);
    bool small = len * (size_t)comm->size <= TREE_MAX_BYTES;
    int rc = small ? mpr__coll_choose_if_cores_shared(comm, DIRECT, &alg) : MPR_SUCCESS;
    *tree = alg == TREE || (alg < 0 && small);
    return rc;
}

int mpr_gather(const void *sendbuf, size_t len, void *recvbuf, int root, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    bool at_root = comm->rank == root;
    if (root < 0 || root >= comm->size || recvbuf == MPR_IN_PLACE ||
        (sendbuf == MPR_IN_PLACE && !at_root) || len > SIZE_MAX / (size_t)comm->size)
        return MPR_ERR_ARG;
    if (len > 0 && (!sendbuf || (at_root && !recvbuf)))
        return MPR_ERR_ARG;
    if ((rc = mpr__coll_check(comm, MPR__CALL_GATHER, root, len, 0, 0)) != MPR_SUCCESS)
        return rc;
    if (len == 0)
        return MPR_SUCCESS;

    const void *mine = sendbuf == MPR_IN_PLACE ? (char *)recvbuf + (size_t)root * len : sendbuf;
    bool tree;
    if ((rc = use_tree(comm, &gather_choice, len, &tree)) != MPR_SUCCESS)
        return rc;
    if (tree)
        return gather_binomial(mine, len, recvbuf, root, comm);
    return gather_linear(sendbuf, len, recvbuf, NULL, NULL, len, root, comm);
}

int mpr_gatherv(const void *sendbuf, size_t sendlen, void *recvbuf, const size_t recvlens[],
                const size_t displs[], int root, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    bool at_root = comm->rank == root;
    if (root < 0 || root >= comm->size || recvbuf == MPR_IN_PLACE ||
        (sendbuf == MPR_IN_PLACE && !at_root) || (sendlen > 0 && !sendbuf))
        return MPR_ERR_ARG;
    if (at_root) {
        if (!recvlens || !displs)
            return MPR_ERR_ARG;
        for (int i = 0; i < comm->size; i++)
            if (recvlens[i] > 0 && !recvbuf)
                return MPR_ERR_ARG;
    }
    rc = mpr__coll_check(comm, MPR__CALL_GATHERV, root, MPR__CHECK_NO_COUNT, 0, 0);
    if (rc != MPR_SUCCESS)
        return rc;
    return gather_linear(sendbuf, sendlen, recvbuf, recvlens, displs, 0, root, comm);
}

/* ---- scatter ---- */

/* The reverse of gather_binomial: each vrank receives its subtree's blocks
 * from its parent and hands the children theirs, largest subtree first. */
static int scatter_binomial(const char *send, size_t len, void *recv, int root, mpr_comm comm)
{
    int size = comm->size, vrank = (comm->rank - root + size) % size;
    int mask = subtree_mask(vrank, size);
    int nblocks = mask < size - vrank ? mask : size - vrank;
    int parent = (vrank - mask + root) % size;
    if (vrank != 0 && nblocks == 1)
        return mpr__coll_recv(recv, len, parent, MPR__TAG_SCATTER, comm);

    const char *blocks = send;
    char *tmp = NULL;
    int rc = MPR_SUCCESS, result = MPR_SUCCESS;
    if (vrank != 0 || root != 0) {
        if (!(tmp = malloc((size_t)nblocks * len)))
            return MPR_ERR_NO_MEM;
        blocks = tmp;
        if (vrank != 0) {
            rc = mpr__coll_recv(tmp, (size_t)nblocks * len, parent, MPR__TAG_SCATTER, comm);
            rc = mpr__coll_note(rc, &result);
        } else {
            size_t head = (size_t)(size - root) * len;
            memcpy(tmp, send + (size_t)root * len, head);
            memcpy(tmp + head, send, (size_t)root * len);
        }
    }
    struct mpr_request *reqs[32];
    int n = 0;
    for (int m = mask >> 1; m > 0 && rc == MPR_SUCCESS; m >>= 1) {
        if (vrank + m >= size)
            continue;
        size_t count = (size_t)(m < size - vrank - m ? m : size - vrank - m);
        rc = start_scatter_send(blocks + (size_t)m * len, count * len, (vrank + m + root) % size,
                                comm, &reqs[n]);
        if (rc == MPR_SUCCESS)
            n++;
    }
    if (rc == MPR_SUCCESS && recv != MPR_IN_PLACE)
        memcpy(recv, blocks, len);
    rc = mpr__coll_waitall(reqs, n, rc);
    free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Root posts a send per rank, then waits for them all. */
static int scatter_linear(const char *send, const size_t *lens, const size_t *displs, size_t len,
                          void *recv, size_t recvlen, int root, mpr_comm comm)
{
    if (comm->rank != root)
        return mpr__coll_recv(recv, recvlen, root, MPR__TAG_SCATTER, comm);
    struct mpr_request **reqs = malloc((size_t)comm->size * sizeof(*reqs));
    if (!reqs)
        return MPR_ERR_NO_MEM;
    int n = 0, rc = MPR_SUCCESS, result = MPR_SUCCESS;
    for (int i = 0; i < comm->size && rc == MPR_SUCCESS; i++) {
        if (i == root)
            continue;
        rc = start_scatter_send(send + block_at(displs, len, i), block_len(lens, len, i), i, comm,
                                &reqs[n]);
        if (rc == MPR_SUCCESS)
            n++;
    }
    /* Our own block once the others' sends are under way: copied while
     * they take theirs, not before. */
    if (recv != MPR_IN_PLACE)
        result = copy_own(recv, recvlen, send + block_at(displs, len, root),
                          block_len(lens, len, root));
    rc = mpr__coll_waitall(reqs, n, rc);
    free(reqs);
    return rc != MPR_SUCCESS ? rc : result;
}

int mpr_scatter(const void *sendbuf, size_t len, void *recvbuf, int root, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    bool at_root = comm->rank == root;
    if (root < 0 || root >= comm->size || sendbuf == MPR_IN_PLACE ||
        (recvbuf == MPR_IN_PLACE && !at_root) || len > SIZE_MAX / (size_t)comm->size)
        return MPR_ERR_ARG;
    if (len > 0 && (!recvbuf || (at_root && !sendbuf)))
        return MPR_ERR_ARG;
    if ((rc = mpr__coll_check(comm, MPR__CALL_SCATTER, root, len, 0, 0)) != MPR_SUCCESS)
        return rc;
    if (len == 0)
        return MPR_SUCCESS;

    bool tree;
    if ((rc = use_tree(comm, &scatter_choice, len, &tree)) != MPR_SUCCESS)
        return rc;
    if (tree)
        return scatter_binomial(sendbuf, len, recvbuf, root, comm);
    return scatter_linear(sendbuf, NULL, NULL, len, recvbuf, len, root, comm);
}

int mpr_scatterv(const void *sendbuf, const size_t sendlens[], const size_t displs[],
                 void *recvbuf, size_t recvlen, int root, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    bool at_root = comm->rank == root;
    if (root < 0 || root >= comm->size || sendbuf == MPR_IN_PLACE ||
        (recvbuf == MPR_IN_PLACE && !at_root) || (recvlen > 0 && !recvbuf))
        return MPR_ERR_ARG;
    if (at_root) {
        if (!sendlens || !displs)
            return MPR_ERR_ARG;
        for (int i = 0; i < comm->size; i++)
            if (sendlens[i] > 0 && !sendbuf)
                return MPR_ERR_ARG;
    }
    rc = mpr__coll_check(comm, MPR__CALL_SCATTERV, root, MPR__CHECK_NO_COUNT, 0, 0);
    if (rc != MPR_SUCCESS)
        return rc;
    return scatter_linear(sendbuf, sendlens, displs, 0, recvbuf, recvlen, root, comm);
}

/* ---- exchanges ---- */

/* lens/displs NULL: len bytes at i * len, for both sides. */
struct exchange {
    const char *send;
    const size_t *slens, *sdispls;
    char *recv;
    const size_t *rlens, *rdispls;
    size_t len;
    bool one_block; /* send the same len bytes at `send` to every rank */
    int tag;
};

static size_t ex_slen(const struct exchange *x, int i) { return x->slens ? x->slens[i] : x->len; }
static size_t ex_rlen(const struct exchange *x, int i) { return x->rlens ? x->rlens[i] : x->len; }
static const char *ex_sbuf(const struct exchange *x, int i)
{
    if (x->one_block)
        return x->send;
    return x->send + (x->sdispls ? x->sdispls[i] : (size_t)i * x->len);
}
static char *ex_rbuf(const struct exchange *x, int i)
{
    return x->recv + (x->rdispls ? x->rdispls[i] : (size_t)i * x->len);
}

/* Every receive and every send posted at once; rank + s order spreads the
 * load so that not every rank sends to rank 0 first. Alltoall's two
 * algorithms move one message each way between each pair, so ranks
 * choosing differently still match. */
static int exchange_linear(const struct exchange *x, mpr_comm comm)
{
    int size = comm->size, rank = comm->rank, n = 0, rc = MPR_SUCCESS;
    struct mpr_request **reqs = malloc(2 * (size_t)size * sizeof(*reqs));
    if (!reqs)
        return MPR_ERR_NO_MEM;
    for (int s = 1; s < size && rc == MPR_SUCCESS; s++) {
        int src = (rank - s + size) % size;
        rc = mpr__recv_start(ex_rbuf(x, src), ex_rlen(x, src), src, x->tag, comm,
                             comm->ctx_coll, &reqs[n]);
        n += rc == MPR_SUCCESS;
    }
    for (int s = 1; s < size && rc == MPR_SUCCESS; s++) {
        int dst = (rank + s) % size;
        rc = mpr__send_start(ex_sbuf(x, dst), ex_slen(x, dst), dst, x->tag, comm,
                             comm->ctx_coll, &reqs[n]);
        n += rc == MPR_SUCCESS;
    }
    rc = mpr__coll_waitall(reqs, n, rc);
    free(reqs);
    return rc;
}

/* ---- allgather ---- */

/* Ring: in step s every rank passes on the block it received in step s-1.
 * lens/displs NULL: len bytes at i * len. This rank's block is in place. */
static int allgather_ring(char *recv, const size_t *lens, const size_t *displs, size_t len,
                          mpr_comm comm)
{
    int size = comm->size, rank = comm->rank, result = MPR_SUCCESS;
    int right = (rank + 1) % size, left = (rank - 1 + size) % size;
    for (int step = 0; step < size - 1; step++) {
        int sb = (rank - step + size) % size, rb = (rank - step - 1 + size) % size;
        int rc = mpr__coll_sendrecv(recv + block_at(displs, len, sb), block_len(lens, len, sb),
                                    right, recv + block_at(displs, len, rb),
                                    block_len(lens, len, rb), left, MPR__TAG_ALLGATHER, comm);
        if (mpr__coll_note(rc, &result) != MPR_SUCCESS)
            return rc;
    }
    return result;
}

int mpr__allgather(mpr_comm comm, const void *send, size_t len, void *recv)
{
    char *out = recv;
    if (send != MPR_IN_PLACE && len)
        memmove(out + (size_t)comm->rank * len, send, len);
    return allgather_ring(out, NULL, NULL, len, comm);
}

/* Bruck: after the round of distance d, a rank holds the blocks of the 2d
 * ranks from itself upwards; log2 N rounds, then one rotation. */
static int allgather_bruck(const void *mine, size_t len, char *recv, mpr_comm comm)
{
    int size = comm->size, rank = comm->rank, rc = MPR_SUCCESS, result = MPR_SUCCESS;
    char *tmp = malloc((size_t)size * len);
    if (!tmp)
        return MPR_ERR_NO_MEM;
    memcpy(tmp, mine, len);
    for (int dist = 1; dist < size && rc == MPR_SUCCESS; dist <<= 1) {
        size_t bytes = (size_t)(dist < size - dist ? dist : size - dist) * len;
        rc = mpr__coll_sendrecv(tmp, bytes, (rank - dist + size) % size, tmp + (size_t)dist * len,
                                bytes, (rank + dist) % size, MPR__TAG_ALLGATHER, comm);
        rc = mpr__coll_note(rc, &result);
    }
    if (rc == MPR_SUCCESS)
        unrotate(recv, tmp, len, size, rank);
    free(tmp);
    return rc != MPR_SUCCESS ? rc : result;
}

/* Linear: this rank's block (in place in recv) to every other rank, all
 * posted at once. */
static int allgather_linear(char *recv, size_t len, mpr_comm comm)
{
    struct exchange x = { .send = recv + (size_t)comm->rank * len, .one_block = true,
                          .recv = recv, .len = len, .tag = MPR__TAG_ALLGATHER };
    return exchange_linear(&x, comm);
}

/* Every block at once through the members' flat areas of the shared
 * segment (coll_shm_flat.c), when each member brings at most
 * MPR__COLL_FLAT_MAX bytes; MPR_ERR_UNSUPPORTED when they cannot serve. */
typedef int (*flat_fn)(struct mpr__coll_state *st, const void *send, size_t len, void *recv);
static int flat_shm(flat_fn flat, const void *send, size_t len, size_t brought, void *recv,
                    mpr_comm comm)
{
    if (brought > MPR__COLL_FLAT_MAX)
        return MPR_ERR_UNSUPPORTED;
    struct mpr__coll_state *st;
    int rc = mpr__coll_state(comm, &st);
    if (rc != MPR_SUCCESS)
        return rc;
    if (!mpr__coll_shm_serves(st))
        return MPR_ERR_UNSUPPORTED;
    return flat(st, send, len, recv);
}

enum { ALLGATHER_BRUCK, ALLGATHER_RING, ALLGATHER_LINEAR, ALLGATHER_SHM };
static const char *const allgather_algs[] = { "bruck", "ring", "linear", "shm", NULL };
static struct mpr__coll_choice allgather_choice = { .name = "ALLGATHER", .algs = allgather_algs };

int mpr_allgather(const void *sendbuf, size_t len, void *recvbuf, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (recvbuf == MPR_IN_PLACE || len > SIZE_MAX / (size_t)comm->size)
        return MPR_ERR_ARG;
    if (len > 0 && (!sendbuf || !recvbuf))
        return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_ALLGATHER, MPR__CHECK_NO_ROOT, len, 0, 0);
    if (rc != MPR_SUCCESS)
        return rc;
    if (len == 0)
        return MPR_SUCCESS;

    int alg = mpr__coll_choice(&allgather_choice, comm->size, len);
    /* Small blocks, every rank on this host: one step, in which each
     * member writes its block once and reads the others'. Two ranks make
     * one exchange either way: point-to-point. */
    if (alg == ALLGATHER_SHM || (alg < 0 && comm->size > 2 && len <= MPR__COLL_FLAT_MAX)) {
        rc = flat_shm(mpr__coll_shm_flat_allgather, sendbuf, len, len, recvbuf, comm);
        if (rc != MPR_ERR_UNSUPPORTED)
            return rc;
        alg = -1;
    }
    /* Bruck's log2 N rounds are fewer than the ring's N - 1 only from 4
     * ranks; at 2 and 3 it would add its temporary copy and rotation. */
    if (alg == ALLGATHER_BRUCK ||
        (alg < 0 && comm->size > 3 && len * (size_t)comm->size <= BRUCK_MAX_BYTES)) {
        char *own = (char *)recvbuf + (size_t)comm->rank * len;
        return allgather_bruck(sendbuf == MPR_IN_PLACE ? own : sendbuf, len, recvbuf, comm);
    }
    /* Ranks sharing cores: as for alltoall, every ring step waits for its
     * neighbour to be scheduled, while everything posted at once moves
     * whatever is ready. Ring and linear send different messages, so the
     * choice must be alike everywhere: mpr__coll_cores_shared is. */
    if ((rc = mpr__coll_choose_if_cores_shared(comm, ALLGATHER_LINEAR, &alg)) != MPR_SUCCESS)
        return rc;
    if (alg == ALLGATHER_LINEAR) {
        char *out = recvbuf;
        if (sendbuf != MPR_IN_PLACE)
            memmove(out + (size_t)comm->rank * len, sendbuf, len);
        return allgather_linear(out, len, comm);
    }
    return mpr__allgather(comm, sendbuf, len, recvbuf);
}

int mpr_allgatherv(const void *sendbuf, size_t sendlen, void *recvbuf, const size_t recvlens[],
                   const size_t displs[], mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (recvbuf == MPR_IN_PLACE || !recvlens || !displs || (sendlen > 0 && !sendbuf))
        return MPR_ERR_ARG;
    for (int i = 0; i < comm->size; i++)
        if (recvlens[i] > 0 && !recvbuf)
            return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_ALLGATHERV, MPR__CHECK_NO_ROOT, MPR__CHECK_NO_COUNT, 0,
                         0);
    if (rc != MPR_SUCCESS)
        return rc;

    char *out = recvbuf;
    int own = MPR_SUCCESS, rank = comm->rank;
    if (sendbuf != MPR_IN_PLACE)
        own = copy_own(out + displs[rank], recvlens[rank], sendbuf, sendlen);
    bool shared = false; /* linear then, as for allgather */
    rc = mpr__coll_cores_shared(comm, &shared);
    if (rc == MPR_SUCCESS && shared) {
        struct exchange x = { .send = out + displs[rank], .one_block = true, .len = recvlens[rank],
                              .recv = out, .rlens = recvlens, .rdispls = displs,
                              .tag = MPR__TAG_ALLGATHER };
        rc = exchange_linear(&x, comm);
    } else if (rc == MPR_SUCCESS) {
        rc = allgather_ring(out, recvlens, displs, 0, comm);
    }
    return rc != MPR_SUCCESS ? rc : own;
}

/* ---- alltoall ---- */

/* Step s: send to rank + s while receiving from rank - s. */
static int alltoall_pairwise(const struct exchange *x, mpr_comm comm)
{
    int size = comm->size, rank = comm->rank, result = MPR_SUCCESS;
    for (int s = 1; s < size; s++) {
        int dst = (rank + s) % size, src = (rank - s + size) % size;
        int rc = mpr__coll_sendrecv(ex_sbuf(x, dst), ex_slen(x, dst), dst, ex_rbuf(x, src),
                                    ex_rlen(x, src), src, MPR__TAG_ALLTOALL, comm);
        if (mpr__coll_note(rc, &result) != MPR_SUCCESS)
            return rc;
    }
    return result;
}

enum { ALLTOALL_LINEAR, ALLTOALL_PAIRWISE, ALLTOALL_SHM };
static const char *const alltoall_algs[] = { "linear", "pairwise", "shm", NULL };
static struct mpr__coll_choice alltoall_choice = { .name = "ALLTOALL", .algs = alltoall_algs };

/* alg: the caller's mpr__coll_choice */
static int alltoall_run(const struct exchange *x, bool small, int alg, mpr_comm comm)
{
    int rank = comm->rank;
    int own = copy_own(ex_rbuf(x, rank), ex_rlen(x, rank), ex_sbuf(x, rank), ex_slen(x, rank));
    if (alg == ALLTOALL_SHM) /* it could not serve */
        alg = -1;
    /* Ranks sharing cores: every pairwise step waits for its partner to
     * be scheduled, while everything posted at once moves whatever is
     * ready (measured on 2 cores: 1.2-1.6x faster from 32 KiB blocks on 4
     * ranks, 1.3-3x from 16 KiB on 8). The two exchange the same messages,
     * so ranks of hosts that choose differently still match. */
    bool linear = alg == ALLTOALL_LINEAR || (alg < 0 && (small || mpr__g.oversubscribed));
    int rc = linear ? exchange_linear(x, comm) : alltoall_pairwise(x, comm);
    return rc != MPR_SUCCESS ? rc : own;
}

int mpr_alltoall(const void *sendbuf, size_t len, void *recvbuf, mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (recvbuf == MPR_IN_PLACE || len > SIZE_MAX / (size_t)comm->size)
        return MPR_ERR_ARG;
    if (len > 0 && (!sendbuf || !recvbuf))
        return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_ALLTOALL, MPR__CHECK_NO_ROOT, len, 0, 0);
    if (rc != MPR_SUCCESS)
        return rc;
    if (len == 0)
        return MPR_SUCCESS;

    size_t total = len * (size_t)comm->size;
    /* Small, every rank on this host: one step, as for allgather. */
    int alg = mpr__coll_choice(&alltoall_choice, comm->size, len);
    if (alg == ALLTOALL_SHM || (alg < 0 && comm->size > 2 && total <= MPR__COLL_FLAT_MAX)) {
        rc = flat_shm(mpr__coll_shm_flat_alltoall, sendbuf, len, total, recvbuf, comm);
        if (rc != MPR_ERR_UNSUPPORTED)
            return rc;
    }
    char *copy = NULL;
    if (sendbuf == MPR_IN_PLACE) {
        if (!(copy = malloc(total)))
            return MPR_ERR_NO_MEM;
        memcpy(copy, recvbuf, total);
    }
    struct exchange x = { .send = copy ? copy : sendbuf, .recv = recvbuf, .len = len,
                          .tag = MPR__TAG_ALLTOALL };
    rc = alltoall_run(&x, total <= ALLTOALL_LINEAR_MAX_BYTES, alg, comm);
    free(copy);
    return rc;
}

int mpr_alltoallv(const void *sendbuf, const size_t sendlens[], const size_t sdispls[],
                  void *recvbuf, const size_t recvlens[], const size_t rdispls[], mpr_comm comm)
{
    int rc = coll_begin(comm);
    if (rc != MPR_SUCCESS)
        return rc;
    if (sendbuf == MPR_IN_PLACE || recvbuf == MPR_IN_PLACE || !sendlens || !sdispls ||
        !recvlens || !rdispls)
        return MPR_ERR_ARG;
    for (int i = 0; i < comm->size; i++)
        if ((sendlens[i] > 0 && !sendbuf) || (recvlens[i] > 0 && !recvbuf))
            return MPR_ERR_ARG;
    rc = mpr__coll_check(comm, MPR__CALL_ALLTOALLV, MPR__CHECK_NO_ROOT, MPR__CHECK_NO_COUNT, 0,
                         0);
    if (rc != MPR_SUCCESS)
        return rc;
    struct exchange x = { .send = sendbuf, .slens = sendlens, .sdispls = sdispls,
                          .recv = recvbuf, .rlens = recvlens, .rdispls = rdispls,
                          .tag = MPR__TAG_ALLTOALL };
    return alltoall_run(&x, false, mpr__coll_choice(&alltoall_choice, comm->size,
                                                    MPR__COLL_ANY_BYTES), comm);
}
